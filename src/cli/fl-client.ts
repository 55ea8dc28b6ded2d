import { resolve } from 'node:path'
import type { FlRunView } from '../fl/network/service.js'
import { NoRunningNodeError } from '../node/node-info.js'
import { connect, type MutiraoClient } from '../sdk/client.js'
import { red } from './output.js'

/** The running node of `dataDir`, or undefined when none runs there (the command then runs on its own). */
export async function runningNode(dataDir?: string): Promise<MutiraoClient | undefined> {
  try {
    const client = await connect({ dataDir })
    await client.node()
    return client
  } catch (err) {
    if (err instanceof NoRunningNodeError) return undefined
    if (err instanceof TypeError && err.message === 'fetch failed') return undefined // node.json of a dead API
    throw err
  }
}

/** Absolute path of a file the node will read or write (it may run in another directory). */
export const forNode = (file?: string) => (file ? resolve(file) : undefined)

/** Flags that apply only when the command runs on its own; with a running node they are ignored, said once. */
export function warnIgnored(o: Record<string, unknown>, flags: string[]): void {
  const given = flags.filter(
    (f) => o[f] !== undefined && !(f === 'port' && o[f] === '0') && !(f === 'host' && o[f] === '127.0.0.1'),
  )
  if (given.length)
    process.stderr.write(
      `${red('note:')} the running node uses its own chain and addresses: ${given.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} ignored\n`,
    )
}

/**
 * Follow a run of the node's federated learning until it ends, handing each event to `print` in order;
 * resolves with the exit code (0 done, 1 failed, with the reason on stderr).
 */
export async function followRun(
  client: MutiraoClient,
  id: string,
  print: (e: { event: string } & Record<string, unknown>) => void,
  json: boolean,
): Promise<number> {
  let after = -1
  for (;;) {
    const run: FlRunView = await client.fl.run(id, after)
    for (const e of run.events) {
      print(e)
      after = e.seq
    }
    if (run.status === 'done') return 0
    if (run.status === 'failed') {
      if (json) process.stdout.write(`${JSON.stringify({ event: 'failed', error: run.error })}\n`)
      else process.stderr.write(`${red('error:')} ${run.error}\n`)
      return 1
    }
    await new Promise((r) => setTimeout(r, 300))
  }
}
