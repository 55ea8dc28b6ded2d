import type {
  AbortOptions,
  ComponentLogger,
  Connection,
  IdentifyResult,
  Libp2pEvents,
  Logger,
  PeerId,
  Startable,
  Stream,
  TypedEventTarget,
} from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import { plainTcp } from './addresses.js'
import { isRelayed } from './connections.js'
import { HolePunchCodec, type HolePunchMessage, MAX_ADDRESSES } from './hole-punch-message.js'
import type { HolePunchEvent, HolePunchStats } from './nat-text.js'
import { ObservedAddresses } from './observed-addresses.js'

export type { HolePunchStats }

/** The DCUtR protocol id (libp2p spec `relay/DCUtR.md`), the same on every network. */
export const DCUTR_PROTOCOL = '/libp2p/dcutr'
const MAX_MESSAGE_BYTES = 4096
/** Most of a peer's addresses dialed at once in a punch (a NATed node has one or two). */
const MAX_PUNCH_DIALS = 4
/** Longest wait in `settled` for a punch to start with a peer reached only through a relay. */
const PUNCH_START_WAIT_MS = 1000
/** Outcomes kept for `stats().recent`. */
const MAX_RECENT = 12

/** The parts of libp2p the service uses. */
export interface HolePunchComponents {
  registrar: {
    handle(
      protocol: string,
      handler: (stream: Stream, connection: Connection) => void | Promise<void>,
      options?: { maxInboundStreams?: number; maxOutboundStreams?: number; runOnLimitedConnection?: boolean },
    ): Promise<void>
    unhandle(protocol: string): Promise<void>
    register(
      protocol: string,
      topology: {
        notifyOnLimitedConnection?: boolean
        onConnect?(peer: PeerId, connection: Connection): void
      },
    ): Promise<string>
    unregister(id: string): void
  }
  /** Dials straight through the transport: libp2p's dial queue drops `initiator`, which a simultaneous open needs. */
  transportManager: {
    dial(addr: Multiaddr, options: AbortOptions & { initiator?: boolean }): Promise<Connection>
  }
  peerStore: { get(peer: PeerId): Promise<{ addresses: { multiaddr: Multiaddr }[] }> }
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** Options of {@link holePunch}. */
export interface HolePunchInit {
  /** The fixed local port dials leave from (see `tcpFromPort`); observed addresses on it are ours. */
  dialPort?: number
  /** Time for each try of the exchange and its dial (default 5 s). */
  timeoutMs?: number
  /** Tries per relayed connection (default 3, as the spec says). */
  retries?: number
}

/** The public, direct TCP addresses among `addrs` (without peer ids), at most {@link MAX_PUNCH_DIALS}. */
function publicTcp(addrs: Multiaddr[]): Multiaddr[] {
  const out = addrs
    .map((a) => a.toString())
    .filter((a) => plainTcp(a)?.scope === 'public')
    .map((a) => multiaddr(a.replace(/\/p2p\/[^/]+$/, '')))
  // a peer cannot make this node dial more than a few addresses of its choosing
  return out.slice(0, MAX_PUNCH_DIALS)
}

/**
 * Close a connection once it carries no stream: new streams already take the direct connection (libp2p
 * prefers an unlimited, direct one), and what was in flight on the relay (an offer, a job's task stream)
 * finishes instead of being cut; the relay's own limits (duration, bytes) still bound it.
 */
function closeWhenIdle(connection: Connection): void {
  const check = () => {
    if (connection.status !== 'open') return
    if (connection.streams.length > 0) return void setTimeout(check, 1000).unref()
    connection.close({ signal: AbortSignal.timeout(5000) }).catch((err) => connection.abort(err))
  }
  check()
}

/**
 * DCUtR ("direct connection upgrade through relay") with this project's address scopes and observed
 * addresses. libp2p's own `@libp2p/dcutr` cannot punch from Node.js: it offers only addresses AutoNAT
 * confirmed, identify drops every observed TCP address (they come from ephemeral ports, js-libp2p#2620),
 * and it takes 198.18.0.0/15 for private. Here dials leave from one fixed port ({@link HolePunchInit.dialPort}),
 * so the observed address is the one the punch uses; the exchange is the spec's: B, which accepted a
 * relayed connection, sends CONNECT with its observed addresses; A answers CONNECT with its own; B
 * measures the round trip, sends SYNC and dials A half a round trip later as the responder of a TCP
 * simultaneous open, while A dials B on receiving SYNC. The direct connection replaces the relayed one.
 */
export class HolePunch implements Startable {
  readonly #observed: ObservedAddresses
  readonly #log: Logger
  readonly #timeoutMs: number
  readonly #retries: number
  /** Punches in progress, by peer: what {@link HolePunch.settled} waits on. */
  readonly #punching = new Map<string, Promise<void>>()
  /** Who waits in {@link HolePunch.settled} for a punch with a peer to start, by peer. */
  readonly #starting = new Map<string, ((punch: Promise<void>) => void)[]>()
  #topology?: string
  #stats = { attempts: 0, direct: 0, lastFailure: undefined as string | undefined }
  readonly #recent: HolePunchEvent[] = []
  /** Connections a punch (or a direct dial) made, with when: a close is reported with its age. */
  readonly #punched = new WeakMap<Connection, number>()

  constructor(
    private readonly components: HolePunchComponents,
    init: HolePunchInit = {},
  ) {
    this.#observed = new ObservedAddresses(init.dialPort)
    this.#log = components.logger.forComponent('mutirao:hole-punch')
    this.#timeoutMs = init.timeoutMs ?? 5000
    this.#retries = init.retries ?? 3
  }

  readonly #onClose = (evt: CustomEvent<Connection>) => {
    const since = this.#punched.get(evt.detail)
    if (since === undefined) return
    this.#punched.delete(evt.detail)
    const s = ((Date.now() - since) / 1000).toFixed(1)
    this.#note(evt.detail.remotePeer, 'closed', `the direct connection closed after ${s} s`)
  }

  #note(peer: PeerId, event: HolePunchEvent['event'], detail: string): void {
    this.#recent.push({ at: Date.now(), peer: peer.toString().slice(-8), event, detail })
    if (this.#recent.length > MAX_RECENT) this.#recent.shift()
  }

  readonly #onIdentify = (evt: CustomEvent<IdentifyResult>) => {
    const { connection, observedAddr, peerId } = evt.detail
    if (!observedAddr || connection.direction !== 'outbound' || isRelayed(connection)) return
    this.#observed.add(observedAddr.toString(), peerId.toString())
  }

  async start(): Promise<void> {
    this.components.events.addEventListener('peer:identify', this.#onIdentify)
    this.components.events.addEventListener('connection:close', this.#onClose)
    await this.components.registrar.handle(
      DCUTR_PROTOCOL,
      (stream, connection) => this.#answer(stream, connection),
      {
        maxInboundStreams: 1,
        maxOutboundStreams: 1,
        runOnLimitedConnection: true,
      },
    )
    this.#topology = await this.components.registrar.register(DCUTR_PROTOCOL, {
      notifyOnLimitedConnection: true,
      onConnect: (_peer, connection) => {
        if (!isRelayed(connection) || connection.direction !== 'inbound') return
        void this.#initiate(connection)
      },
    })
  }

  async stop(): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.#onIdentify)
    this.components.events.removeEventListener('connection:close', this.#onClose)
    await this.components.registrar.unhandle(DCUTR_PROTOCOL)
    if (this.#topology) this.components.registrar.unregister(this.#topology)
  }

  /**
   * Resolves once no punch with `peer` is in progress, or after `maxWaitMs`: a job about to open its
   * long-lived task stream waits, so the stream takes the direct connection instead of the relay. When
   * `relayedOnly()` says the peer is reached only through a relay and no punch has started yet, it first
   * waits up to 1 s for one to start: the peer starts it after it accepted the relayed connection, and a
   * stream opened in between rode the relay for the whole job (seen in CI).
   */
  async settled(peer: string, maxWaitMs: number, relayedOnly?: () => boolean): Promise<void> {
    const until = Date.now() + maxWaitMs
    const running =
      this.#punching.get(peer) ??
      (relayedOnly?.()
        ? (await this.#nextPunch(peer, Math.min(maxWaitMs, PUNCH_START_WAIT_MS)))?.punch
        : undefined)
    if (!running) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      running.catch(() => undefined),
      new Promise<void>((ok) => (timer = setTimeout(ok, Math.max(0, until - Date.now())))),
    ])
    clearTimeout(timer)
  }

  /** The punch with `peer` that starts next, if one starts within `ms` (wrapped: not awaited here). */
  #nextPunch(peer: string, ms: number): Promise<{ punch: Promise<void> } | undefined> {
    return new Promise((ok) => {
      const forget = () => {
        const rest = (this.#starting.get(peer) ?? []).filter((w) => w !== wake)
        if (rest.length) this.#starting.set(peer, rest)
        else this.#starting.delete(peer)
      }
      const timer = setTimeout(() => {
        forget()
        ok(undefined)
      }, ms)
      const wake = (punch: Promise<void>) => {
        clearTimeout(timer)
        ok({ punch })
      }
      this.#starting.set(peer, [...(this.#starting.get(peer) ?? []), wake])
    })
  }

  /** Run `punch` as the one punch with `peer` (none when one runs already). */
  async #exclusive(peer: string, punch: () => Promise<void>): Promise<void> {
    if (this.#punching.has(peer)) return
    this.#stats.attempts++
    const running = punch().finally(() => this.#punching.delete(peer))
    this.#punching.set(peer, running)
    for (const wake of this.#starting.get(peer) ?? []) wake(running)
    this.#starting.delete(peer)
    await running
  }

  /** What hole punching has done so far, and the addresses it would offer. */
  stats(): HolePunchStats {
    return { ...this.#stats, observed: this.#observed.addresses(), recent: [...this.#recent] }
  }

  #ourAddresses(): Uint8Array[] {
    return this.#observed.addresses(MAX_ADDRESSES).map((a) => multiaddr(a).bytes)
  }

  /** The peer's addresses worth a punch: public, direct TCP. */
  #dialable(message: HolePunchMessage): Multiaddr[] {
    const out: Multiaddr[] = []
    for (const bytes of message.addresses) {
      try {
        out.push(multiaddr(bytes))
      } catch {} // not a multiaddr: skipped, as the spec asks
    }
    return publicTcp(out)
  }

  /**
   * The spec's "unilateral upgrade": a peer that reached us through a relay but listens on a public address
   * (a public provider answering a NATed requester's demand) is simply dialed there; no punch needed, and it
   * works from behind any NAT, a symmetric one included.
   */
  async #unilateral(relayed: Connection): Promise<boolean> {
    const peer = relayed.remotePeer
    const known = await this.components.peerStore.get(peer).catch(() => undefined)
    const addrs = publicTcp((known?.addresses ?? []).map((a) => a.multiaddr))
    if (addrs.length === 0) return false
    try {
      this.#succeeded(relayed, await this.#dialAny(peer, addrs, AbortSignal.timeout(this.#timeoutMs), true))
      return true
    } catch (err) {
      this.#log('direct dial of %p at its public addresses failed: %s', peer, (err as Error).message)
      return false
    }
  }

  #failed(peer: PeerId, reason: string): void {
    this.#stats.lastFailure = `${peer.toString().slice(-8)}: ${reason}`
    this.#note(peer, 'failed', reason)
    this.#log('hole punch with %p failed: %s', peer, reason)
  }

  /** B's side: a peer reached us through a relay; try to replace that connection by a direct one. */
  #initiate(relayed: Connection): Promise<void> {
    const peer = relayed.remotePeer
    return this.#exclusive(peer.toString(), async () => {
      if (await this.#unilateral(relayed)) return
      for (let attempt = 1; attempt <= this.#retries; attempt++) {
        if (relayed.status !== 'open') return this.#failed(peer, 'the relayed connection closed')
        const ours = this.#ourAddresses()
        if (ours.length === 0)
          return this.#failed(peer, 'no observed public address of ours (symmetric NAT?)')
        const signal = AbortSignal.timeout(this.#timeoutMs)
        let stream: Stream | undefined
        try {
          stream = await relayed.newStream(DCUTR_PROTOCOL, { signal, runOnLimitedConnection: true })
          const pb = pbStream(stream, { maxDataLength: MAX_MESSAGE_BYTES }).pb(HolePunchCodec)
          const sent = Date.now()
          await pb.write({ type: 'connect', addresses: ours }, { signal })
          const answer = await pb.read({ signal })
          if (answer.type !== 'connect') throw new Error(`expected CONNECT, got ${answer.type}`)
          const theirs = this.#dialable(answer)
          if (theirs.length === 0) return this.#failed(peer, 'the peer offered no public TCP address')
          const rtt = Date.now() - sent
          await pb.write({ type: 'sync', addresses: [] }, { signal })
          // the peer dials on receiving SYNC, half a round trip from now: both SYNs then cross
          await new Promise((r) => setTimeout(r, rtt / 2))
          return this.#succeeded(relayed, await this.#dialAny(peer, theirs, signal, false))
        } catch (err) {
          stream?.abort(err as Error)
          stream = undefined
          this.#failed(peer, `try ${attempt} of ${this.#retries}: ${(err as Error).message}`)
        } finally {
          await stream?.close({ signal: AbortSignal.timeout(1000) }).catch(() => {})
        }
      }
    })
  }

  /** A's side: the peer we reached through a relay proposes a punch. */
  #answer(stream: Stream, relayed: Connection): Promise<void> {
    const peer = relayed.remotePeer
    if (this.#punching.has(peer.toString())) {
      stream.abort(new Error('a hole punch with this peer is already running'))
      return Promise.resolve()
    }
    return this.#exclusive(peer.toString(), async () => {
      const signal = AbortSignal.timeout(this.#timeoutMs)
      try {
        const pb = pbStream(stream, { maxDataLength: MAX_MESSAGE_BYTES }).pb(HolePunchCodec)
        const connect = await pb.read({ signal })
        if (connect.type !== 'connect') throw new Error(`expected CONNECT, got ${connect.type}`)
        const theirs = this.#dialable(connect)
        await pb.write({ type: 'connect', addresses: this.#ourAddresses() }, { signal })
        const sync = await pb.read({ signal })
        if (sync.type !== 'sync') throw new Error(`expected SYNC, got ${sync.type}`)
        if (theirs.length === 0) throw new Error('the peer offered no public TCP address')
        this.#succeeded(relayed, await this.#dialAny(peer, theirs, signal, true))
        await stream.close({ signal }).catch(() => {})
      } catch (err) {
        stream.abort(err as Error)
        this.#failed(peer, (err as Error).message)
      }
    })
  }

  /**
   * Dial every address at once from the fixed port, as the initiator of the handshakes or not (the two
   * ends of a simultaneous open must disagree); the first connection wins, the others are closed. Each
   * address carries the peer's id, so noise refuses anyone else answering there.
   */
  async #dialAny(
    peer: PeerId,
    addrs: Multiaddr[],
    signal: AbortSignal,
    initiator: boolean,
  ): Promise<Connection> {
    const dials = addrs.map((a) => {
      // the TCP transport hands its signal to the socket, which it destroys whenever that signal aborts — also
      // after the connection is up (libp2p's own dialer passes a signal it detaches): so each dial gets a signal
      // that follows `signal` only until the dial settles, or the punched connection dies with the timeout
      const own = new AbortController()
      const abort = () => own.abort(signal.reason)
      if (signal.aborted) abort()
      else signal.addEventListener('abort', abort, { once: true })
      return this.components.transportManager
        .dial(a.encapsulate(`/p2p/${peer.toString()}`), { signal: own.signal, initiator })
        .finally(() => signal.removeEventListener('abort', abort))
    })
    try {
      const first = await Promise.any(dials)
      for (const dial of dials)
        dial.then(
          (c) => c !== first && c.abort(new Error('a duplicate punch')),
          () => {},
        )
      return first
    } catch (err) {
      const reasons = (err as AggregateError).errors?.map((e: Error) => e.message) ?? [(err as Error).message]
      throw new Error(`direct dial failed: ${[...new Set(reasons)].join('; ')}`)
    }
  }

  #succeeded(relayed: Connection, direct: Connection): void {
    if (isRelayed(direct)) throw new Error('the dial gave another relayed connection')
    this.#stats.direct++
    this.#punched.set(direct, Date.now())
    this.#note(relayed.remotePeer, 'direct', `via ${direct.remoteAddr.toString()}`)
    this.#log(
      'hole punch with %p: direct via %a; the relayed connection closes once idle',
      relayed.remotePeer,
      direct.remoteAddr,
    )
    closeWhenIdle(relayed)
  }
}

/** The service factory for libp2p's `services`. */
export function holePunch(init: HolePunchInit = {}): (components: HolePunchComponents) => HolePunch {
  return (components) => new HolePunch(components, init)
}
