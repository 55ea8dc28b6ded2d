import { readFile, writeFile } from 'node:fs/promises'
import { z } from 'zod'

/** Peers remembered per data dir: the most kept, and the most addresses kept per peer. */
const MAX_PEERS = 32
const MAX_ADDRS_PER_PEER = 4

const KnownPeersSchema = z.array(z.string().max(400)).max(MAX_PEERS * MAX_ADDRS_PER_PEER)

/** A connected peer as the peer store knows it: its id and the addresses it listens on. */
export interface PeerAddresses {
  id: string
  addrs: string[]
}

/**
 * The dialable addresses (`…/p2p/<id>`) to remember of the peers we are connected to: their own listen
 * addresses (relayed ones included), never the ephemeral port an inbound connection came from.
 * Loopback addresses are kept only by a node that is itself on loopback.
 */
export function addressesToRemember(peers: PeerAddresses[], loopback: boolean): string[] {
  const out: string[] = []
  for (const peer of peers.slice(0, MAX_PEERS)) {
    const addrs = peer.addrs
      .filter((a) => loopback || !/^\/ip[46]\/(127\.|::1\/)/.test(a))
      .slice(0, MAX_ADDRS_PER_PEER)
    for (const a of addrs) out.push(a.includes(`/p2p/${peer.id}`) ? a : `${a}/p2p/${peer.id}`)
  }
  return out
}

/** Read the remembered addresses; a missing or damaged file is an empty list (the node still starts). */
export async function loadKnownPeers(file: string): Promise<string[]> {
  try {
    return KnownPeersSchema.parse(JSON.parse(await readFile(file, 'utf8')))
  } catch {
    return []
  }
}

/** Remember these addresses for the next start. */
export async function saveKnownPeers(file: string, addrs: string[]): Promise<void> {
  await writeFile(file, `${JSON.stringify(addrs, null, 1)}\n`, { mode: 0o600 })
}
