import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startNetwork } from '../helpers/network.js'

/** Pids of processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)
      } catch {
        return false // gone meanwhile
      }
    })
    .map(Number)
}

describe('local network start', () => {
  it('stops the chain and the nodes already started when a provider fails to start', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mutirao-net-fail-'))
    try {
      await expect(startNetwork({ providers: 2, root, providerArgs: ['--no-such-flag'] })).rejects.toThrow(
        /provider-\d exited with \d+ before ready/,
      )
      // the requester and the chain (and its anvil) were running; nothing under this root is left
      expect(processesMentioning(root)).toEqual([])
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  }, 120_000)

  it('a node without --provide does not load onnxruntime (memory: the provider role is loaded with --provide)', async () => {
    const net = await startNetwork({ providers: 0 })
    try {
      const maps = readFileSync(`/proc/${net.requester.proc.pid}/maps`, 'utf8')
      expect(maps).toMatch(/\/node\b/) // sanity: this is the node process's own memory map
      expect(maps).not.toMatch(/onnxruntime/)
    } finally {
      await net.stop()
    }
  }, 120_000)
})
