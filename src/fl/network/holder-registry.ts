import type { PrivateKey } from '@libp2p/interface'
import { AbortedError } from '../../errors.js'
import { logger } from '../../log.js'
import type { Host } from '../../net/host.js'
import { FlJobFailedError } from './errors.js'
import { HolderMessage } from './protocol.js'
import { createHolderSession, type HolderSession } from './session.js'
import type { FlJobState } from './store.js'
import { flWire } from './wire.js'

const log = logger('fl:coordinator')

/** The holders connected to a coordinator. */
export interface HolderRegistry {
  peers(): string[]
  /** The open sessions once at least `n` are connected; FlJobFailedError after `timeoutMs`. */
  waitFor(n: number, timeoutMs: number, signal?: AbortSignal): Promise<HolderSession[]>
  broadcast(header: Record<string, unknown>): Promise<void>
  /** Sends each open session its own header (e.g. `done` with that holder's voucher). */
  sendEach(header: (peer: string) => Record<string, unknown>): Promise<void>
  stop(): Promise<void>
}

/**
 * Serves `/mutirao/fl/1`: a holder's first message must be a signed `join` for this job; it gets the job
 * spec back (`welcome`) and a session. A holder that reconnects replaces its old session.
 */
export async function acceptHolders(
  host: Host,
  key: PrivateKey,
  getState: () => FlJobState,
  emit: (e: { type: 'holder-joined' | 'holder-left'; peer: string }) => void,
  onPayee?: (peer: string, payee: string) => void,
): Promise<HolderRegistry> {
  const sessions = new Map<string, HolderSession>()
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const l of listeners) l()
  }
  await host.handle(
    host.services.wire.protocols.fl,
    async (stream, connection) => {
      const remote = connection.remotePeer.toString()
      const wire = flWire(stream, { key, remotePeer: remote })
      const { spec, round, status } = getState()
      const base = { job: spec.id, round, attempt: 0 }
      try {
        const { header } = await wire.recv(HolderMessage, { signal: AbortSignal.timeout(10_000) })
        if (header.t !== 'join' || header.job !== spec.id) {
          await wire.send({ t: 'reject', ...base, reason: `expected a join for job ${spec.id}` })
          await wire.close()
          return
        }
        if (header.payee) onPayee?.(remote, header.payee)
        await wire.send({ t: 'welcome', ...base, spec })
        if (status === 'done') {
          const modelHash = getState().lineage?.modelHash ?? '0'.repeat(64)
          const payment = getState().payments?.vouchers?.[remote]
          await wire.send({ t: 'done', ...base, modelHash, rounds: round, ...(payment ? { payment } : {}) })
        }
      } catch (err) {
        log.info({ peer: remote, err: (err as Error).message }, 'join failed')
        wire.abort(err as Error)
        return
      }
      sessions.get(remote)?.close()
      const session = createHolderSession(wire, spec.id, () => {
        if (sessions.get(remote) === session) {
          sessions.delete(remote)
          emit({ type: 'holder-left', peer: remote })
        }
        notify()
      })
      sessions.set(remote, session)
      emit({ type: 'holder-joined', peer: remote })
      notify()
    },
    { runOnLimitedConnection: true },
  )
  const open = () => [...sessions.values()].filter((s) => !s.closed)
  return {
    peers: () => open().map((s) => s.peer),
    waitFor(n, timeoutMs, signal) {
      if (open().length >= n) return Promise.resolve(open())
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer)
          listeners.delete(check)
          signal?.removeEventListener('abort', abort)
        }
        const check = () => {
          if (open().length >= n) {
            done()
            resolve(open())
          }
        }
        const abort = () => {
          done()
          reject(new AbortedError('Stopped while waiting for holders'))
        }
        const timer = setTimeout(() => {
          done()
          reject(new FlJobFailedError(`Only ${open().length} of ${n} holders joined within ${timeoutMs} ms`))
        }, timeoutMs)
        listeners.add(check)
        signal?.addEventListener('abort', abort)
      })
    },
    async broadcast(header) {
      await Promise.all(open().map((s) => s.send(header)))
    },
    async sendEach(header) {
      await Promise.all(open().map((s) => s.send(header(s.peer))))
    },
    async stop() {
      await host.unhandle(host.services.wire.protocols.fl)
      for (const s of sessions.values()) s.close()
      sessions.clear()
    },
  }
}
