import type { PeerId } from '@libp2p/interface'
import { maxAbsDiffMap } from '../exec/tensor-codec.js'
import type { Host } from '../net/host.js'
import type { CallRecord } from './call-recorder.js'
import { openRemoteSession } from './remote-session.js'

/** What a spot-check found. */
export interface SpotCheckReport {
  /** The provider that replayed the calls. */
  checker: string
  checked: number
  /** Calls whose replayed outputs differ by more than the tolerance, with the largest difference. */
  mismatches: { index: number; maxAbsDiff: number }[]
}

/**
 * Replay recorded calls of a session on another provider (each call stateless: its recorded state is an
 * input like any other) and compare the outputs within `tolerance` (default 1e-5; the same onnxruntime on
 * the same CPU kind answers bit for bit).
 */
export async function spotCheck(
  host: Host,
  checker: PeerId | string,
  modelBytes: Uint8Array,
  records: readonly CallRecord[],
  tolerance = 1e-5,
): Promise<SpotCheckReport> {
  const session = await openRemoteSession(modelBytes, { host, providers: [checker], failover: false })
  const mismatches: SpotCheckReport['mismatches'] = []
  let index = 0
  try {
    for await (const outputs of session.stream(records.map((r) => r.inputs))) {
      const diff = maxAbsDiffMap(records[index].outputs, outputs)
      if (!(diff <= tolerance)) mismatches.push({ index, maxAbsDiff: diff })
      index++
    }
  } finally {
    await session.close()
  }
  return { checker: checker.toString(), checked: index, mismatches }
}
