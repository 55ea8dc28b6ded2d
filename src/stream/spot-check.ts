import type { PeerId } from '@libp2p/interface'
import type { TensorMap } from '../exec/tensor.js'
import { maxAbsDiffMap } from '../exec/tensor-codec.js'
import type { Host } from '../net/host.js'
import { openRemoteSession } from './remote-session.js'

/** One recorded call of a session: every input (the state included) and the outputs it got. */
export interface CallRecord {
  inputs: TensorMap
  outputs: TensorMap
}

/** Most calls one session records. */
const MAX_RECORDS = 10_000

/** Keeps a random `rate` share of a session's calls (up to 10,000) for a replay elsewhere. */
export class CallRecorder {
  readonly records: CallRecord[] = []
  constructor(
    private readonly rate: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Keep this call or not; `inputs` is computed only for a call kept. */
  offer(inputs: () => TensorMap, outputs: TensorMap): void {
    if (this.rate > 0 && this.records.length < MAX_RECORDS && this.random() < this.rate)
      this.records.push({ inputs: inputs(), outputs })
  }
}

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
