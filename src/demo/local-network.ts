import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The CLI entry (built): local networks run the real `mutirao` binary as separate processes. */
export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/mutirao.js')

/** Throw, naming the fix, unless `npm run build` made the bundle that {@link CLI} runs (scripts/build-cli.mjs). */
export function assertCliBuilt(): void {
  if (!existsSync(resolve(dirname(CLI), '../dist/cli-bundle/main.js')))
    throw new Error('the CLI is not built (dist/cli-bundle/ is missing): run `npm run build` first')
}

/** A node process started by the demo or a test. */
export interface LocalNode {
  name: string
  dataDir: string
  proc: ChildProcess
  peerId: string
  multiaddrs: string[]
  apiUrl: string
  /** The last lines the process wrote to stderr (logs), for failure messages. */
  logs: string[]
  /** SIGKILL the process (no cleanup, like a crash or power loss); resolves with the signal once it has exited. */
  kill9(): Promise<NodeJS.Signals | null>
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>
}

/** SIGKILL a child process (no cleanup, like a crash or power loss); resolves with its signal once it has exited. */
export function sigkill(proc: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((done) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return done(proc.signalCode)
    proc.once('exit', (_code, signal) => done(signal))
    proc.kill('SIGKILL')
  })
}

/** The command line that runs the CLI, inside network namespace `netns` when given (`ip netns exec`). */
function cliCommand(args: string[], netns?: string): [string, string[]] {
  return netns
    ? ['ip', ['netns', 'exec', netns, process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]]
}

/** Run the CLI to completion; returns exit code and output. */
export function runCli(
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; netns?: string } = {},
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(...cliCommand(args, options.netns), { env: { ...process.env, ...options.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr })
    })
  })
}

/** A CLI process that announced `{"event":"ready", ...}` on stdout. */
export interface ReadyProcess<T> {
  proc: ChildProcess
  ready: T
  logs: string[]
  /** SIGKILL the process; resolves with the signal once it has exited. */
  kill9(): Promise<NodeJS.Signals | null>
  stop(): Promise<number | null>
}

/** How long a started process may take to say it is ready (`MUTIRAO_READY_TIMEOUT_MS`, default 30 s). */
const readyTimeoutMs = () => Number(process.env.MUTIRAO_READY_TIMEOUT_MS) || 30_000

/** Run `mutirao <args…> --json` (in network namespace `netns` when given) and wait for its `ready` event. */
export async function startCliProcess<T>(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  netns?: string,
): Promise<ReadyProcess<T>> {
  const proc = spawn(...cliCommand([...args, '--json'], netns), {
    env: { ...process.env, MUTIRAO_LOG: process.env.MUTIRAO_LOG ?? 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: string[] = []
  createInterface({ input: proc.stderr! }).on('line', (l) => {
    logs.push(l)
    if (logs.length > 2000) logs.splice(0, 1000)
  })
  const ready = await new Promise<T>((ok, fail) => {
    const timer = setTimeout(() => {
      // a process that never got ready is not handed to anyone who could stop it: stop it here (SIGTERM
      // first, so that `mutirao chain` stops its anvil; SIGKILL if it does not exit within 10 s)
      proc.kill('SIGTERM')
      setTimeout(
        () => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'),
        10_000,
      ).unref()
      fail(new Error(`${name} did not start in ${readyTimeoutMs() / 1000} s:\n${logs.slice(-20).join('\n')}`))
    }, readyTimeoutMs())
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const evt = JSON.parse(line)
        if (evt.event === 'ready') {
          clearTimeout(timer)
          ok(evt)
        }
      } catch {}
    })
    proc.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`${name} exited with ${code} before ready:\n${logs.slice(-20).join('\n')}`))
    })
  })
  return {
    proc,
    ready,
    logs,
    kill9: () => sigkill(proc),
    stop: () =>
      new Promise((done) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return done(proc.exitCode)
        proc.once('exit', (code) => done(code))
        proc.kill('SIGTERM')
        setTimeout(() => proc.kill('SIGKILL'), 10_000).unref()
      }),
  }
}

/** Start `mutirao node` in its own process and wait for its `ready` event. */
export async function startNodeProcess(
  name: string,
  dataDir: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  netns?: string,
): Promise<LocalNode> {
  const p = await startCliProcess<{ peerId: string; multiaddrs: string[]; apiUrl: string }>(
    name,
    // on 127.0.0.1 unless the caller names its addresses: local networks never leave the machine
    [
      'node',
      '--data-dir',
      dataDir,
      '--no-mdns',
      ...(args.includes('--listen') ? [] : ['--host', '127.0.0.1']),
      ...args,
    ],
    env,
    netns,
  )
  return { name, dataDir, proc: p.proc, ...p.ready, logs: p.logs, kill9: p.kill9, stop: p.stop }
}

/** A local development chain shared by the nodes of a local network. */
export interface LocalChain {
  rpcUrl: string
  deploymentsFile: string
  /** `--rpc-url … --deployments …` for `mutirao node`. */
  args: string[]
  stop(): Promise<number | null>
}

/** Start `mutirao chain` (anvil + contracts) in its own process, serving RPC on `host` (default loopback). */
export async function startChainProcess(
  dataDir: string,
  options: { host?: string; netns?: string } = {},
): Promise<LocalChain> {
  const p = await startCliProcess<{ rpcUrl: string; deploymentsFile: string }>(
    'chain',
    ['chain', '--data-dir', dataDir, ...(options.host ? ['--host', options.host] : [])],
    {},
    options.netns,
  )
  const { rpcUrl, deploymentsFile } = p.ready
  return {
    rpcUrl,
    deploymentsFile,
    args: ['--rpc-url', rpcUrl, '--deployments', deploymentsFile],
    stop: p.stop,
  }
}

/** A requester and N providers on 127.0.0.1, each a separate OS process, sharing one local chain. */
export interface LocalNetwork {
  root: string
  chain: LocalChain
  requester: LocalNode
  providers: LocalNode[]
  /** Start one more provider bootstrapped to the requester. */
  addProvider(args?: string[]): Promise<LocalNode>
  stop(): Promise<void>
}

/**
 * Start a local chain, then a requester and N providers on 127.0.0.1, each its own OS process (real
 * libp2p between them, real contracts on anvil); `providerArgs` are passed to every provider (e.g. --price).
 */
export async function startNetwork(options: {
  providers: number
  providerArgs?: string[]
  requesterArgs?: string[]
  env?: NodeJS.ProcessEnv
  /** Parent directory for the data dirs (default: a new temp dir, removed on stop). */
  root?: string
}): Promise<LocalNetwork> {
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'mutirao-net-')))
  // what started so far, stopped again if a later part fails to start (no processes left behind)
  const started: { stop(): Promise<unknown> }[] = []
  const removeAll = async () => {
    for (const p of started.reverse()) await p.stop()
    if (!options.root) await rm(root, { recursive: true, force: true })
  }
  try {
    return await startParts(root, options, started)
  } catch (err) {
    await removeAll()
    throw err
  }
}

async function startParts(
  root: string,
  options: Parameters<typeof startNetwork>[0],
  started: { stop(): Promise<unknown> }[],
): Promise<LocalNetwork> {
  const chain = await startChainProcess(join(root, 'chain'))
  started.push(chain)
  const requester = await startNodeProcess(
    'requester',
    join(root, 'requester'),
    [...chain.args, ...(options.requesterArgs ?? [])],
    options.env,
  )
  started.push(requester)
  const boot = requester.multiaddrs[0]
  let count = 0
  const addProvider = (args: string[] = options.providerArgs ?? []) => {
    const name = `provider-${++count}`
    return startNodeProcess(
      name,
      join(root, name),
      ['--provide', '--bootstrap', boot, ...chain.args, ...args],
      options.env,
    )
  }
  const starts = await Promise.allSettled(Array.from({ length: options.providers }, () => addProvider()))
  const providers = starts.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  started.push(...providers)
  const failed = starts.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
  return {
    root,
    chain,
    requester,
    providers,
    async addProvider(args) {
      const p = await addProvider(args)
      providers.push(p)
      return p
    },
    async stop() {
      await Promise.all([requester, ...providers].map((n) => n.stop()))
      await chain.stop()
      if (!options.root) await rm(root, { recursive: true, force: true })
    },
  }
}
