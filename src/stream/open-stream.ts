import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidInputError } from '../errors.js'
import { createHost, type Host } from '../net/host.js'
import { readBytes } from '../read-bytes.js'
import { openLocalSession, type SessionOptions, type StreamSession } from './local-session.js'
import { nearestProviders } from './nearest.js'
import { providerName } from './remote-link.js'
import { openRemoteSession, type RemoteSessionOptions } from './remote-session.js'
import { ledgerPayer, type SessionWallet } from './session-payer.js'

/**
 * Where a streaming session runs: `local` (this machine: the data never leaves it), a named provider
 * (`peer`: a peer id, or a multiaddr ending in `/p2p/<id>` to dial), several in order of preference
 * (`peers`: the first serves, the others take over when it fails), or the `nearest` providers by measured
 * round trip among the peers this host is connected to.
 */
export type StreamWhere = 'local' | 'nearest' | { peer: string } | { peers: string[] }

/** Options of {@link openStream}. */
export interface StreamOptions
  extends SessionOptions,
    Partial<
      Pick<RemoteSessionOptions, 'failover' | 'window' | 'record' | 'onFailover' | 'silenceMs' | 'payer'>
    > {
  /** The ONNX model (bytes or a path). */
  model: Uint8Array | string
  where?: StreamWhere
  /** The libp2p host remote sessions go through; absent: a short-lived host of their own. */
  host?: Host
  /** The network a short-lived host speaks (default `local`; a node's own host speaks its node's). */
  network?: string
  /** Multiaddrs to dial first (a short-lived host finds `nearest` providers among these peers). */
  connect?: string[]
  /**
   * Pay priced providers from this wallet (e.g. `client.sessionWallet()`: the node's), up to `maxPricePerUnit`
   * (base units per work unit) with `budget` (base units) locked per provider. For a short-lived host only;
   * with your own `host`, pass a `payer` built on its key.
   */
  pay?: { wallet: SessionWallet; maxPricePerUnit: bigint; budget: bigint }
}

/**
 * Open a streaming session (SDK `client.stream`, CLI `mutirao stream`).
 * @throws InvalidInputError for an unknown peer or when no provider is near; StreamFailedError when no
 *   provider takes the session.
 */
export async function openStream(options: StreamOptions): Promise<StreamSession> {
  const where = options.where ?? 'local'
  const bytes = typeof options.model === 'string' ? await readBytes(options.model) : options.model
  if (where === 'local') return openLocalSession(bytes, options)
  if (options.batch)
    throw new InvalidInputError('micro-batching runs in local sessions only', {
      metaMessages: ['A remote session pipelines samples instead (window).'],
    })
  if (options.pay && options.host)
    throw new InvalidInputError(
      'pay works with the short-lived host only: with your own host, pass a payer',
      {
        metaMessages: ['payer: ledgerPayer({ wallet, peerKey: <your host key>, maxPricePerUnit, budget })'],
      },
    )
  const key = await generateKeyPair('Ed25519')
  const own = options.host ? undefined : await shortLivedHost(key, options.network)
  const host = options.host ?? own!
  const payer = options.payer ?? (options.pay && ledgerPayer({ ...options.pay, peerKey: key }))
  try {
    await Promise.all((options.connect ?? []).map((a) => dial(host, a)))
    const providers =
      where === 'nearest'
        ? await nearest(host)
        : ('peer' in where ? [where.peer] : where.peers).map(checkedPeer)
    if (!providers.length)
      throw new InvalidInputError('no provider serving streaming sessions is connected', {
        metaMessages: [
          host.services.neighbours.explain() ??
            'Connect to the network first (--connect <multiaddr>), or name a peer.',
        ],
      })
    const session = await openRemoteSession(bytes, { ...options, host, providers, payer })
    if (!own) return session
    return {
      ...session,
      async close() {
        await session.close()
        await own.stop()
      },
    }
  } catch (err) {
    await own?.stop()
    throw err
  }
}

/** The nearest providers; peers just dialled say what they serve (identify) within a few seconds. */
async function nearest(host: Host) {
  const until = Date.now() + 5000
  for (;;) {
    const found = await nearestProviders(host)
    if (found.length || Date.now() > until) return found.map((m) => m.peer)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Dial a `--connect` address, naming it when it fails. */
async function dial(host: Host, addr: string): Promise<void> {
  try {
    await host.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) })
  } catch (err) {
    throw new InvalidInputError(`could not connect to ${addr}: ${(err as Error).message}`)
  }
}

/** Checks that `where` is a peer id or a multiaddr naming one. */
function checkedPeer(where: string): string {
  try {
    peerIdFromString(providerName(where))
    return where
  } catch {
    throw new InvalidInputError(`${where} is neither a peer id nor a multiaddr ending in /p2p/<peer id>`)
  }
}

/** A client-only host (listening on loopback) with a fresh identity, for one session. */
async function shortLivedHost(privateKey: PrivateKey, network?: string): Promise<Host> {
  const host = await createHost({ privateKey, network, host: '127.0.0.1' })
  await host.start()
  return host
}
