/**
 * How many tasks a session's pipeline takes. Each top-up is one socket write (the channel writes the frames
 * of one tick together), and on this machine a loopback write costs the requester about a quarter of a
 * millisecond — as much as judging the result. Quick tasks are therefore topped up in batches.
 */

/** Results that come closer together than this (moving average) mark a session's tasks as quick. */
export const QUICK_RESULT_GAP_MS = 5

/** Weight of the newest gap in the moving average. */
const GAP_WEIGHT = 0.2

/**
 * Tasks to send now to a session with `slots` worker slots and `inFlight` tasks out. The pipeline holds two
 * tasks per slot and at least two behind the running ones, so that a worker finishing a task finds the next
 * one there while the one after it is on the wire. Once it is below that, quick tasks top it up `slots + 1`
 * beyond it, so one write carries several tasks; slow tasks (where a write is nothing beside the task, and a
 * deep queue would leave the end of a job waiting on one provider) are sent one per free place.
 */
export function tasksToSend(slots: number, inFlight: number, quick: boolean): number {
  const depth = Math.max(slots * 2, slots + 2)
  if (inFlight >= depth) return 0
  return depth + (quick ? slots + 1 : 0) - inFlight
}

/** A moving average of the time between a session's results. */
export class ResultPace {
  #last?: number
  #gap?: number

  /** A result arrived at `now` (ms). */
  heard(now: number): void {
    if (this.#last !== undefined) {
      const gap = now - this.#last
      this.#gap = this.#gap === undefined ? gap : this.#gap + GAP_WEIGHT * (gap - this.#gap)
    }
    this.#last = now
  }

  /** Whether results come closer together than QUICK_RESULT_GAP_MS on average (false before two results). */
  get quick(): boolean {
    return this.#gap !== undefined && this.#gap < QUICK_RESULT_GAP_MS
  }
}
