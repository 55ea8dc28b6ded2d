import { readFile, rm, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import type { DataDirLayout } from '../identity/data-dir.js'

/** What a running node writes to `node.json` so that the CLI and SDK can find it. */
export const NodeInfoSchema = z.object({
  pid: z.number().int(),
  peerId: z.string(),
  ethAddress: z.string(),
  apiUrl: z.string().url(),
  multiaddrs: z.array(z.string()),
  provider: z.boolean(),
  startedAt: z.number(),
  chain: z.object({
    rpcUrl: z.string(),
    chainId: z.number(),
    deploymentsFile: z.string(),
    embedded: z.boolean(),
    /** DisputeResolver of the chain's deployments (agreements of verified jobs name it too). */
    disputeResolver: z.string().optional(),
    /** The InferenceOracle, when deployed. */
    oracle: z.string().optional(),
  }),
})
export type NodeInfo = z.infer<typeof NodeInfoSchema>

/** Write `node.json`. */
export async function writeNodeInfo(layout: DataDirLayout, info: NodeInfo): Promise<void> {
  await writeFile(layout.nodeInfo, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
}

/** Remove `node.json` (clean shutdown). */
export async function clearNodeInfo(layout: DataDirLayout): Promise<void> {
  await rm(layout.nodeInfo, { force: true })
}

/** No node runs in the data dir (no `node.json`, or its process is gone). */
export class NoRunningNodeError extends InvalidInputError {
  override name = 'NoRunningNodeError'
}

/** Read the running node's `node.json` and API token; throws a clear error when no node runs there. */
export async function readNodeInfo(layout: DataDirLayout): Promise<{ info: NodeInfo; token: string }> {
  try {
    const info = NodeInfoSchema.parse(JSON.parse(await readFile(layout.nodeInfo, 'utf8')))
    process.kill(info.pid, 0)
    const token = (await readFile(layout.apiToken, 'utf8')).trim()
    return { info, token }
  } catch (err) {
    throw new NoRunningNodeError(`No running node found in ${layout.root}`, {
      metaMessages: [
        `Start one with \`mutirao node --data-dir ${layout.root}\` (add --provide to contribute).`,
      ],
      cause: err,
    })
  }
}
