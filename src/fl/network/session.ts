import { logger } from '../../log.js'
import { HolderMessage, type HolderMessageType } from './protocol.js'
import type { FlWire, Received } from './wire.js'

const log = logger('fl:coordinator')

/** A holder message of type `T`. */
export type HolderMsg<T extends HolderMessageType> = Received<Extract<HolderMessage, { t: T }>>

/**
 * The coordinator's view of one connected holder: a reader loop files each verified message under its
 * (round, type); a round step waits for one with a deadline. Messages for an older round are late and
 * dropped; a `decline` ends every wait of its round; a closed stream ends every wait.
 */
export interface HolderSession {
  readonly peer: string
  readonly closed: boolean
  /** Messages that arrived after their round had moved on (ignored). */
  readonly late: number
  send(header: Record<string, unknown>, body?: Uint8Array): Promise<boolean>
  /** Moves the session to (`round`, `attempt`): buffered messages of older ones are dropped. */
  enterRound(round: number, attempt: number): void
  /** The holder's `type` message of the current round and attempt, or undefined at `deadline` (epoch ms), on decline or close. */
  expect<T extends HolderMessageType>(type: T, deadline: number): Promise<HolderMsg<T> | undefined>
  close(): void
}

/** Starts the reader loop of a holder's session. `onClose` runs once when its stream ends. */
export function createHolderSession(wire: FlWire, job: string, onClose: () => void): HolderSession {
  const buffered = new Map<string, Received<HolderMessage>>()
  const waiters = new Map<string, (m: Received<HolderMessage> | undefined) => void>()
  let current = 0 // round * 1001 + attempt: orders (round, attempt) pairs
  let closed = false
  let late = 0
  const endWaits = (round?: number) => {
    for (const [k, w] of waiters) {
      if (round === undefined || k.startsWith(`${round}:`)) {
        waiters.delete(k)
        w(undefined)
      }
    }
  }
  const finish = () => {
    if (closed) return
    closed = true
    endWaits()
    onClose()
  }
  void (async () => {
    try {
      for (;;) {
        const msg = await wire.recv(HolderMessage)
        const { t, round, attempt } = msg.header
        if (msg.header.job !== job) throw new Error(`message for job ${msg.header.job}`)
        const at = round * 1001 + attempt
        if (at < current) {
          late++
          log.info({ peer: wire.remotePeer, t, round, current }, 'late message ignored')
          continue
        }
        if (t === 'decline') {
          log.info({ peer: wire.remotePeer, round, reason: msg.header.reason }, 'holder declined the round')
          endWaits(at)
          continue
        }
        const key = `${at}:${t}`
        const w = waiters.get(key)
        if (w) {
          waiters.delete(key)
          w(msg)
        } else buffered.set(key, msg)
      }
    } catch (err) {
      if (!closed) log.info({ peer: wire.remotePeer, err: (err as Error).message }, 'holder stream ended')
      finish()
    }
  })()
  return {
    peer: wire.remotePeer,
    get closed() {
      return closed
    },
    get late() {
      return late
    },
    async send(header, body) {
      if (closed) return false
      try {
        await wire.send(header, body)
        return true
      } catch (err) {
        log.info({ peer: wire.remotePeer, err: (err as Error).message }, 'send failed; closing session')
        wire.abort(err as Error)
        finish()
        return false
      }
    },
    enterRound(round, attempt) {
      current = round * 1001 + attempt
      for (const k of buffered.keys()) if (Number(k.split(':')[0]) < current) buffered.delete(k)
    },
    expect(type, deadline) {
      const key = `${current}:${type}`
      const hit = buffered.get(key)
      if (hit) {
        buffered.delete(key)
        return Promise.resolve(hit as never)
      }
      if (closed) return Promise.resolve(undefined)
      return new Promise((resolve) => {
        const timer = setTimeout(
          () => {
            waiters.delete(key)
            resolve(undefined)
          },
          Math.max(0, deadline - Date.now()),
        )
        waiters.set(key, (m) => {
          clearTimeout(timer)
          resolve(m as never)
        })
      })
    },
    close() {
      wire.abort(new Error('session closed by coordinator'))
      finish()
    },
  }
}
