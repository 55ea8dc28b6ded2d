import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { siblingWorkerUrl, workerEntry } from '../../exec/worker-entry.js'
import { type DroppedMasks, droppedMaskCorrection, maskPairs } from './dropped-masks.js'
import { ringAddInto } from './fixedPoint.js'

/** A share of the dropped holders' masks, sent to one thread. */
export interface MaskRequest {
  id: number
  dropped: DroppedMasks[]
  session: string
  length: number
}

/** A thread's answer: the correction of its share, or why it failed. */
export type MaskResponse = { id: number; correction: Uint32Array } | { id: number; error: string }

/** Below this many masks to remove the work stays in the calling thread (~0.15 ms a mask of 10,000 values). */
export const MIN_PAIRS_FOR_THREADS = 64

/** A thread and the requests it has not answered. */
type Slot = {
  worker: Worker
  pending: Map<number, { resolve: (c: Uint32Array) => void; reject: (e: Error) => void }>
}

/**
 * Worker threads that remove dropped holders' pairwise masks at the end of a SecAgg(+) round — the
 * aggregator's largest cost when holders drop (500 holders, 30 % dropped: ~13,500 key agreements and
 * expansions) — each thread taking a share of the dropped holders, so the node's event loop stays free
 * and the work spreads over the cores. Threads start with the first large round and stay (an idle one does
 * not keep the process alive); a thread that fails is replaced.
 */
export class MaskPool {
  readonly #slots: (Slot | undefined)[]
  #next = 0

  /** @param threads worker threads (default: the cores, at most 4). */
  constructor(readonly threads = Math.max(1, Math.min(4, availableParallelism()))) {
    this.#slots = new Array(threads).fill(undefined)
  }

  /** {@link droppedMaskCorrection}, its dropped holders split over the threads. */
  async correction(dropped: readonly DroppedMasks[], session: string, length: number): Promise<Uint32Array> {
    if (maskPairs(dropped) < MIN_PAIRS_FOR_THREADS || this.threads < 2)
      return droppedMaskCorrection(dropped, session, length)
    const shares = split(dropped, this.threads)
    const parts = await Promise.all(
      shares.map((share, i) => this.#run(i, { dropped: share, session, length })),
    )
    const out = new Uint32Array(length)
    for (const part of parts) ringAddInto(out, part)
    return out
  }

  /** Stop the threads (a later call starts them again). */
  async close(): Promise<void> {
    const slots = this.#slots.splice(0, this.threads, ...new Array(this.threads).fill(undefined))
    await Promise.all(slots.map((s) => s?.worker.terminate()))
  }

  #run(i: number, req: Omit<MaskRequest, 'id'>): Promise<Uint32Array> {
    const id = this.#next++
    const slot = this.#slots[i] ?? this.#start(i)
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      slot.worker.ref() // a pending request keeps the process alive; an idle thread does not
      slot.worker.postMessage({ id, ...req } satisfies MaskRequest)
    })
  }

  #start(i: number): Slot {
    const worker = new Worker(workerEntry(siblingWorkerUrl(import.meta.url, 'mask-worker')))
    const slot: Slot = { worker, pending: new Map() }
    worker.on('message', (res: MaskResponse) => {
      const p = slot.pending.get(res.id)
      slot.pending.delete(res.id)
      if (slot.pending.size === 0) worker.unref()
      if ('error' in res) p?.reject(new Error(`mask thread: ${res.error}`))
      else p?.resolve(res.correction)
    })
    const fail = (err: Error) => {
      if (this.#slots[i] === slot) this.#slots[i] = undefined
      for (const p of slot.pending.values()) p.reject(err)
      slot.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`mask thread exited with code ${code}`)))
    worker.unref()
    this.#slots[i] = slot
    return slot
  }
}

/** The dropped holders in `n` shares of about equal work (most masks first, each to the lightest share). */
function split(dropped: readonly DroppedMasks[], n: number): DroppedMasks[][] {
  const shares = Array.from({ length: n }, () => ({ work: 0, items: [] as DroppedMasks[] }))
  for (const d of [...dropped].sort((a, b) => b.survivors.length - a.survivors.length)) {
    const lightest = shares.reduce((a, b) => (b.work < a.work ? b : a))
    lightest.items.push(d)
    lightest.work += d.survivors.length
  }
  return shares.filter((s) => s.items.length > 0).map((s) => s.items)
}

let shared: MaskPool | undefined
/** The process's pool (created on first use). */
export const sharedMaskPool = (): MaskPool => {
  shared ??= new MaskPool()
  return shared
}
