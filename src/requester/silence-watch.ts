import { HEARTBEAT_TIMEOUT_MS, MAX_SILENCE_MS } from '../protocols/task-messages.js'

/** The silence allowed a provider that asked for `silenceMs` (its ready message): 4 s at least, 20 s at most. */
export function graceFor(silenceMs: number | undefined): number {
  return Math.min(Math.max(silenceMs ?? 0, HEARTBEAT_TIMEOUT_MS), MAX_SILENCE_MS)
}

/**
 * When a provider's silence means it is gone. The requester checks every `tickMs`; a provider unheard for
 * longer than `graceMs` is gone — except right after the requester's own event loop stalled (a check that
 * comes late): frames that arrived meanwhile still wait in the socket (Node runs due timers before it reads
 * sockets), so that check passes and the next one, on time, judges. Only one check in a row is forgiven, so
 * a requester that is always late still detects a dead provider. Pure, with the clock passed in.
 */
export class SilenceWatch {
  #lastSeen: number
  #lastCheck: number
  #forgave = false

  constructor(
    now: number,
    readonly graceMs: number,
    readonly tickMs: number,
  ) {
    this.#lastSeen = now
    this.#lastCheck = now
  }

  /** A frame came from the provider. */
  heard(now: number): void {
    this.#lastSeen = now
  }

  /** The periodic check: true when the provider is to be declared gone. */
  check(now: number): boolean {
    const late = now - this.#lastCheck > 2 * this.tickMs
    this.#lastCheck = now
    if (late && !this.#forgave) {
      this.#forgave = true
      return false
    }
    this.#forgave = false
    return now - this.#lastSeen > this.graceMs
  }
}
