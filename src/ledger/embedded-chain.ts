import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort } from '../free-port.js'
import { logger } from '../log.js'
import { anvilBinary } from './anvil-binary.js'
import { ChainStartError } from './errors.js'

const log = logger('ledger:chain')

/** Options of {@link startEmbeddedChain}. */
export interface EmbeddedChainOptions {
  /** Directory holding the chain state file (`anvil-state.json`); created if missing. */
  dataDir: string
  /** Port; a free one is chosen when omitted. */
  port?: number
  /** Interface to serve RPC on (default 127.0.0.1); another node's address when nodes on other hosts share it. */
  host?: string
  /** Chain id (default 31337). */
  chainId?: number
  /** Seconds between periodic state dumps (default 2), on top of the dump at stop. */
  stateInterval?: number
  /** How long to wait for the RPC to answer (default 30 s). */
  startTimeoutMs?: number
}

/** A running embedded chain. */
export interface EmbeddedChain {
  /** JSON-RPC URL on 127.0.0.1. */
  rpcUrl: string
  /** Chain id. */
  chainId: number
  /** Path of the persisted state file. */
  stateFile: string
  /** Stops anvil with SIGTERM (it dumps its state first) and waits for it to exit. */
  stop(): Promise<void>
}

async function rpcAnswers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    })
    return res.ok
  } catch {
    return false
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

/**
 * Starts anvil (from node_modules) on a loopback port with its state persisted in `dataDir`, so that
 * balances and contracts survive a restart.
 * @example
 * const chain = await startEmbeddedChain({ dataDir: layout.chain })
 * // ... createLedger({ rpcUrl: chain.rpcUrl, ... })
 * await chain.stop()
 */
export async function startEmbeddedChain(options: EmbeddedChainOptions): Promise<EmbeddedChain> {
  await mkdir(options.dataDir, { recursive: true })
  const host = options.host ?? '127.0.0.1'
  const port = await freePort(options.port, host).catch((err: Error) => {
    throw new ChainStartError(`Port ${options.port} on ${host} is not free for the embedded chain`, {
      metaMessages: ['Choose another port, or leave it out to use a free one.'],
      cause: err,
    })
  })
  const chainId = options.chainId ?? 31337
  const stateFile = join(options.dataDir, 'anvil-state.json')
  const rpcUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  const args = ['--host', host, '--port', String(port), '--chain-id', String(chainId)]
  args.push('--state', stateFile, '--state-interval', String(options.stateInterval ?? 2), '--silent')
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4_000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve))

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000)
  while (!(await rpcAnswers(rpcUrl))) {
    const failed = await Promise.race([
      exited.then(() => new Error(`anvil exited with code ${child.exitCode}`)),
      spawnError,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
    ])
    if (failed || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new ChainStartError(`The embedded chain did not start on ${rpcUrl}`, {
        details: stderr.trim() || failed?.message,
        metaMessages: ['Is the port free? Is the state file readable?', `State file: ${stateFile}`],
        cause: failed,
      })
    }
  }
  log.info({ rpcUrl, stateFile, pid: child.pid }, 'embedded chain started')

  let stopping: Promise<void> | undefined
  return {
    rpcUrl,
    chainId,
    stateFile,
    stop() {
      stopping ??= (async () => {
        child.kill('SIGTERM')
        if (!(await waitExit(child, 10_000))) {
          log.warn({ pid: child.pid }, 'anvil ignored SIGTERM; killing it')
          child.kill('SIGKILL')
          await waitExit(child, 5_000)
        }
      })()
      return stopping
    },
  }
}
