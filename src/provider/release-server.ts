import { firstLine } from '../errors.js'
import type { Logger } from '../log.js'
import { serveJson } from '../market/rpc.js'
import type { Host } from '../net/host.js'
import type { ProviderSettlement } from '../payments/provider-settlement.js'
import { ReleaseRequestMsg } from '../protocols/release-messages.js'

/**
 * Serve `/mutirao/release/1`: a requester asks for this provider's signed release of an escrow job at the
 * job's end; the answer is the release or a refusal with its reason (never a bare error).
 */
export async function serveReleases(c: { host: Host; settlement: ProviderSettlement; log: Logger }) {
  await serveJson(
    c.host,
    c.host.services.wire.protocols.release,
    ReleaseRequestMsg,
    async (req, remotePeer) => {
      try {
        return await c.settlement.release(req)
      } catch (err) {
        const reason = `release failed here: ${firstLine(err).slice(0, 300)}`
        c.log.warn({ escrowJob: req.escrowJob, requester: remotePeer, reason }, 'release failed')
        return { t: 'release-refused', escrowJob: req.escrowJob, reason, retry: true }
      }
    },
  )
}
