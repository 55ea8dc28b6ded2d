import { createHash, type Hash } from 'node:crypto'
import type { TaskRecord } from './receipt.js'

/**
 * The receipts of a paid streaming session, computed the same way on both sides: every `every` answered
 * samples (in answer order; refused samples do not count) make one receipt, `<agreementId>.<n>`, whose units
 * are the samples times the model's cost and whose hashes are the sha256 of the samples' encoded inputs and
 * of their encoded outputs, concatenated. The last, partial chunk becomes a receipt when the session ends.
 */
export class ReceiptChunker {
  #n = 0
  #samples = 0
  #inputs: Hash = createHash('sha256')
  #outputs: Hash = createHash('sha256')

  constructor(
    private readonly agreementId: string,
    private readonly costPerSample: number,
    private readonly every: number,
  ) {}

  /** One answered sample (its encoded input and output, as sent); returns the receipt it completes, if any. */
  add(input: readonly Uint8Array[], output: readonly Uint8Array[]): TaskRecord | undefined {
    for (const part of input) this.#inputs.update(part)
    for (const part of output) this.#outputs.update(part)
    return ++this.#samples === this.every ? this.#cut() : undefined
  }

  /** The session ended: the receipt of the samples since the last one, if any. */
  end(): TaskRecord | undefined {
    return this.#samples ? this.#cut() : undefined
  }

  #cut(): TaskRecord {
    const record = {
      taskId: `${this.agreementId}.${this.#n++}`,
      units: this.#samples * this.costPerSample,
      inputHash: this.#inputs.digest('hex'),
      outputHash: this.#outputs.digest('hex'),
    }
    this.#samples = 0
    this.#inputs = createHash('sha256')
    this.#outputs = createHash('sha256')
    return record
  }
}
