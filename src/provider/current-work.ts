/**
 * What this provider computes, and for whom: one entry per task stream (an agreement with a requester), with
 * its tasks running, done and failed, the work units and what they earn at the agreed price. Open streams and
 * those closed in the last `keepMs` are listed, newest first. Pure, with an injected clock.
 */

/** One requester's work on this provider. */
export interface WorkView {
  agreementId: string
  /** The requester's job id and peer id. */
  jobId: string
  requester: string
  kind: string
  modelHash: string
  escrowJob?: string
  pricePerUnit: string
  /** ms since the epoch: the stream opened, the last task ended, the stream closed. */
  since: number
  lastAt: number
  closedAt?: number
  running: number
  completed: number
  failed: number
  /** Work units of the completed tasks, and what they earn at the agreed price (base units). */
  units: number
  earned: string
}

/** The agreement fields a work entry is opened from. */
export interface WorkTerms {
  agreementId: string
  jobId: string
  requester: string
  kind?: string
  modelHash: string
  pricePerUnit: string
  escrow?: { jobId: string }
}

export class CurrentWork {
  readonly #entries = new Map<string, WorkView>()

  constructor(
    private readonly now: () => number = Date.now,
    /** How long a closed stream stays listed. */
    private readonly keepMs = 10 * 60_000,
    /** Most entries kept (the oldest closed ones go first). */
    private readonly max = 64,
  ) {}

  /** A task stream opened under `a`. */
  open(a: WorkTerms): void {
    const t = this.now()
    this.#entries.delete(a.agreementId)
    this.#entries.set(a.agreementId, {
      agreementId: a.agreementId,
      jobId: a.jobId,
      requester: a.requester,
      kind: a.kind ?? 'onnx-inference',
      modelHash: a.modelHash,
      ...(a.escrow && { escrowJob: a.escrow.jobId }),
      pricePerUnit: a.pricePerUnit,
      since: t,
      lastAt: t,
      running: 0,
      completed: 0,
      failed: 0,
      units: 0,
      earned: '0',
    })
    this.#prune()
  }

  started(agreementId: string): void {
    const e = this.#entries.get(agreementId)
    if (e) e.running++
  }

  /** A task ended: `units` are counted (and earn) only when it succeeded. */
  ended(agreementId: string, ok: boolean, units: number): void {
    const e = this.#entries.get(agreementId)
    if (!e) return
    e.running = Math.max(0, e.running - 1)
    e.lastAt = this.now()
    if (!ok) {
      e.failed++
      return
    }
    e.completed++
    e.units += units
    e.earned = (BigInt(e.units) * BigInt(e.pricePerUnit)).toString()
  }

  closed(agreementId: string): void {
    const e = this.#entries.get(agreementId)
    if (e) e.closedAt = this.now()
  }

  /** Open streams and the recently closed, newest first. */
  list(): WorkView[] {
    this.#prune()
    return [...this.#entries.values()].reverse().map((e) => ({ ...e }))
  }

  #prune(): void {
    const cutoff = this.now() - this.keepMs
    for (const [id, e] of this.#entries)
      if (e.closedAt !== undefined && e.closedAt < cutoff) this.#entries.delete(id)
    for (const [id, e] of this.#entries) {
      if (this.#entries.size <= this.max) break
      if (e.closedAt !== undefined) this.#entries.delete(id)
    }
  }
}
