import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startNode } from './start-node.js'

/** Child processes of this process running anvil (the embedded chain). */
const anvils = (): string[] => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'anvil'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
}

describe('startNode lifecycle', () => {
  let dir: string
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })
  const overrides = { bootstrap: [], mdns: false, listen: { host: '127.0.0.1' } } as never

  it('a failure after the chain, database and host started rolls all of them back; the data dir starts again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mutirao-lifecycle-'))
    const before = anvils().length
    const failed = await startNode({
      dataDir: dir,
      provide: true,
      overrides,
      wrapExecutor: () => {
        throw new Error('injected failure')
      },
    }).catch((err: Error) => err)
    expect(failed).toBeInstanceOf(Error)
    expect((failed as Error).message).toBe('injected failure')
    expect(anvils()).toHaveLength(before)
    expect(existsSync(join(dir, 'node.json'))).toBe(false)

    // nothing was left holding the database, the chain's state or the ports: a clean start works
    const node = await startNode({ dataDir: dir, provide: true, overrides })
    expect(existsSync(join(dir, 'node.json'))).toBe(true)
    expect(anvils()).toHaveLength(before + 1)
    await node.stop()
    expect(anvils()).toHaveLength(before)
    expect(existsSync(join(dir, 'node.json'))).toBe(false)
  }, 120_000)
})
