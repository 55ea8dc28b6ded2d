import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readlinkSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
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

/** Files under `dir` this process holds open (the database, its WAL, logs). */
const openFilesUnder = (dir: string): string[] =>
  readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`)
      } catch {
        return '' // closed while listing
      }
    })
    .filter((target) => target.startsWith(dir))

/** Whether a TCP port on 127.0.0.1 can be bound (nobody listens on it). */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

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

  it('a failure injected after each part starts leaves no chain process, open file or listening port behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mutirao-faults-'))
    try {
      const parts: string[] = []
      const first = await startNode({
        dataDir: root,
        provide: true,
        overrides,
        onPartStarted: (p) => parts.push(p),
      })
      await first.stop()
      expect(parts).toEqual(
        expect.arrayContaining(['database', 'chain', 'libp2p host', 'requester', 'provider', 'api']),
      )
      const before = anvils().length
      for (const part of parts) {
        const failed = await startNode({
          dataDir: root,
          provide: true,
          overrides,
          onPartStarted: (p) => {
            if (p === part) throw new Error(`injected after ${p}`)
          },
        }).catch((err: Error) => err)
        expect((failed as Error).message, part).toBe(`injected after ${part}`)
        expect(anvils(), `anvil left running after a failure at ${part}`).toHaveLength(before)
        expect(openFilesUnder(root), `files left open after a failure at ${part}`).toEqual([])
        expect(existsSync(join(root, 'node.json')), part).toBe(false)
        const { listen } = JSON.parse(await readFile(join(root, 'config.json'), 'utf8'))
        for (const port of [listen.tcpPort, listen.wsPort].filter((p: number) => p > 0))
          expect(await portFree(port), `port ${port} still bound after a failure at ${part}`).toBe(true)
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  }, 180_000)
})
