import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { type LocalNetwork, type LocalNode, sigkill } from '../../src/demo/local-network.js'
import type { ByzantineMode } from './byzantine-executor.js'

const SCRIPT = resolve(import.meta.dirname, 'byzantine-provider.ts')

/** Start a Byzantine provider process on `net` (bootstrapped to its requester, on its chain). */
export function startByzantineProvider(
  net: LocalNetwork,
  name: string,
  mode: ByzantineMode,
  extraArgs: string[] = [],
): Promise<LocalNode> {
  const dataDir = join(net.root, name)
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SCRIPT,
      mode,
      '--data-dir',
      dataDir,
      '--bootstrap',
      net.requester.multiaddrs[0],
      ...net.chain.args,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MUTIRAO_LOG: 'info' } },
  )
  const logs: string[] = []
  createInterface({ input: proc.stderr! }).on('line', (l) => {
    logs.push(l)
    if (logs.length > 2000) logs.splice(0, 1000)
  })
  return new Promise((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${name} did not start:\n${logs.slice(-20).join('\n')}`)),
      60_000,
    )
    proc.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`${name} exited with ${code}:\n${logs.slice(-20).join('\n')}`))
    })
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const evt = JSON.parse(line)
        if (evt.event !== 'ready') return
        clearTimeout(timer)
        ok({
          name,
          dataDir,
          proc,
          peerId: evt.peerId,
          multiaddrs: evt.multiaddrs,
          apiUrl: evt.apiUrl,
          logs,
          kill9: () => sigkill(proc),
          stop: () =>
            new Promise((done) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return done(proc.exitCode)
              proc.once('exit', (c) => done(c))
              proc.kill('SIGTERM')
              setTimeout(() => proc.kill('SIGKILL'), 10_000).unref()
            }),
        })
      } catch {}
    })
  })
}
