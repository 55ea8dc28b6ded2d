import type { ProviderDirectory } from '../market/directory.js'

/**
 * The network part of `GET /v1/node`: the providers this node knows from their capacity adverts, and the
 * reputation of each provider it has heard of (adverts, its own record, attestations of others).
 */
export function networkStatus<R>(s: {
  directory: ProviderDirectory
  /** Providers of this node's own record and of attestations it kept. */
  recorded: string[]
  reputationOf: (provider: string) => R
}) {
  const known = s.directory.list()
  return {
    knownProviders: known.map((p) => ({
      peerId: p.provider,
      threads: p.threads,
      pricePerUnit: p.pricePerUnit,
      accepting: p.accepting,
      executionProvider: p.hardware.executionProvider ?? 'cpu',
    })),
    reputation: Object.fromEntries(
      [...new Set([...known.map((p) => p.provider), ...s.recorded])].map((p) => [p, s.reputationOf(p)]),
    ),
  }
}
