import { peerIdFromString } from '@libp2p/peer-id'
import { requestJson } from '../market/rpc.js'
import type { Host } from '../net/host.js'
import { type ReleaseReply, ReleaseReplyMsg, type ReleaseRequest } from '../protocols/release-messages.js'

/** Ask a provider for its release of an escrow job over `/mutirao/release/1` (10 s timeout). */
export function askRelease(host: Host, peer: string, request: ReleaseRequest): Promise<ReleaseReply> {
  return requestJson(
    host,
    peerIdFromString(peer),
    host.services.wire.protocols.release,
    request,
    ReleaseReplyMsg,
  )
}
