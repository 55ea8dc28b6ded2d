import type { TensorMap } from '../exec/tensor.js'

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
