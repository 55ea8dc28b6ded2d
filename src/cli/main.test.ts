import { describe, expect, it } from 'vitest'
import { COMMAND_NAMES, program } from './main.js'

describe('the CLI program', () => {
  it('each lazily loaded command is registered under its own name', async () => {
    const root = await program()
    expect(root.commands.map((c) => c.name())).toEqual(COMMAND_NAMES)
  })

  it('loads only the commands asked for', async () => {
    const root = await program(['status'])
    expect(root.commands.map((c) => c.name())).toEqual(['status'])
  })
})
