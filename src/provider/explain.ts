import { formatPrice, priceAmount } from '../market/price.js'
import type { DeclineReason } from '../protocols/market-messages.js'
import { type SeenByOthers, seenByOthersText } from '../verify/seen-by-others.js'

/** One demand this provider saw, and what it did with it. */
export interface DemandSeen {
  demandId: string
  at: number
  kind: string
  maxPricePerUnit: bigint
  /** Offered, declined with a reason (`paused`: idle-only mode), or silent: not in the demand's offer sample. */
  decision: 'offered' | DeclineReason | 'not-sampled'
  detail?: string
  /** An agreement followed the offer (the requester chose us). */
  agreed?: boolean
}

/** Recent demands a provider saw (at most 500, newest last), with its decisions and the agreements won. */
export class DemandLog {
  readonly #entries: DemandSeen[] = []

  record(entry: DemandSeen): void {
    this.#entries.push(entry)
    if (this.#entries.length > 500) this.#entries.shift()
  }

  /** An agreement for `demandId` arrived: the requester chose us. */
  agreed(demandId: string): void {
    const e = this.#entries.findLast((d) => d.demandId === demandId)
    if (e) e.agreed = true
  }

  since(at: number): DemandSeen[] {
    return this.#entries.filter((e) => e.at >= at)
  }
}

/** What `mutirao provider explain` looks at. */
export interface ProviderFacts {
  now: number
  /** Taking work now (neither the owner nor idle-only mode pausing it). */
  accepting: boolean
  /** The owner paused sharing (dashboard, `mutirao provider policy --pause`). */
  pausedByOwner?: boolean
  ask: bigint
  kinds: readonly string[]
  executionProvider: string
  peers: number
  tasks: { running: number; completed: number; failed: number }
  /** Demands seen recently (the last hour). */
  demands: readonly DemandSeen[]
  /** Asks of the other providers this node knows (capacity adverts). */
  otherAsks: readonly bigint[]
  /** How staked requesters rate this machine in their signed attestations (absent: not known). */
  seenByOthers?: SeenByOthers
  /** Why connected peers never send demands: they speak another network (`Neighbours.explain`). */
  elsewhere?: string
}

/** One reason, with a code scripts match on and words for the owner. */
export interface ExplainReason {
  code:
    | 'working'
    | 'paused'
    | 'no-peers'
    | 'no-demand'
    | 'other-network'
    | 'declined'
    | 'not-sampled'
    | 'not-chosen'
    | 'chosen'
    | 'reputation'
  message: string
}

/** The answer to "why is (or isn't) this machine getting work?". */
export interface ProviderExplanation {
  state: 'working' | 'paused' | 'waiting'
  reasons: ExplainReason[]
}

const median = (xs: readonly bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[xs.length >> 1]

/**
 * Why this provider is or is not getting work, from what it saw: its own state (running, idle-only pause), its
 * connectivity, the demands of the last hour and what it did with each (declines grouped by reason, with
 * the number that would change the answer), and how many of its offers requesters took.
 */
export function explainProvider(f: ProviderFacts): ProviderExplanation {
  const reasons: ExplainReason[] = []
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`
  if (f.tasks.running > 0)
    reasons.push({ code: 'working', message: `running ${n(f.tasks.running, 'task')} now` })
  if (f.pausedByOwner)
    reasons.push({
      code: 'paused',
      message:
        'paused by the owner: it offers nothing until resumed (`mutirao provider policy --resume`, or the dashboard)',
    })
  else if (!f.accepting)
    reasons.push({
      code: 'paused',
      message:
        'idle-only mode: the owner is using this machine, so it offers nothing until the machine is idle again',
    })
  if (f.peers === 0)
    reasons.push({
      code: 'no-peers',
      message: 'connected to no peer: start with --bootstrap <multiaddr> of a node of the network',
    })
  else if (f.demands.length === 0)
    reasons.push({
      code: 'no-demand',
      message: `no job demand seen in the last hour (connected to ${n(f.peers, 'peer')}): nobody asked for work`,
    })
  if (f.elsewhere) reasons.push({ code: 'other-network', message: f.elsewhere })
  const unsampled = f.demands.filter((d) => d.decision === 'not-sampled').length
  if (unsampled)
    reasons.push({
      code: 'not-sampled',
      message: `${n(unsampled, 'demand')} asked a sample of the network's providers for offers that did not include you (a large network is asked a few dozen at a time, a fresh sample per demand)`,
    })
  const declined = new Map<string, DemandSeen[]>()
  for (const d of f.demands)
    if (d.decision !== 'offered' && d.decision !== 'not-sampled')
      declined.set(d.decision, [...(declined.get(d.decision) ?? []), d])
  for (const [reason, ds] of declined) {
    let message = `declined ${n(ds.length, 'demand')}: ${reason}`
    if (reason === 'price') {
      // biome-ignore lint/complexity/useMathMinMax: bigints
      const best = ds.reduce((m, d) => (d.maxPricePerUnit > m ? d.maxPricePerUnit : m), 0n)
      message = `declined ${n(ds.length, 'demand')} paying at most ${formatPrice(best)}, below your ask of ${formatPrice(f.ask)}: --price ${priceAmount(best)} or less would have offered`
    } else if (reason === 'kind')
      message = `declined ${n(ds.length, 'demand')} for job kinds you do not run (${[...new Set(ds.map((d) => d.kind))].join(', ')}; you run ${f.kinds.join(', ')})`
    else if (reason === 'hardware')
      message = `declined ${n(ds.length, 'demand')} that ${ds.length === 1 ? 'needs' : 'need'} a GPU (you run models on the ${f.executionProvider}; --gpu webgpu with a usable adapter takes them)`
    else if (ds[0].detail) message += ` (${ds[0].detail})`
    reasons.push({ code: 'declined', message })
  }
  const offered = f.demands.filter((d) => d.decision === 'offered')
  const won = offered.filter((d) => d.agreed).length
  if (offered.length > won) {
    const market = f.otherAsks.length
      ? `; other providers ask ${formatPrice(median(f.otherAsks))} (median of ${f.otherAsks.length}), you ask ${formatPrice(f.ask)}`
      : ''
    reasons.push({
      code: 'not-chosen',
      message: `requesters chose other providers for ${offered.length - won} of your ${n(offered.length, 'offer')} (they rank by price and reputation${market})`,
    })
  }
  if (won)
    reasons.push({
      code: 'chosen',
      message: `chosen for ${n(won, 'job')} in the last hour; ${n(f.tasks.completed, 'task')} completed, ${f.tasks.failed} failed since start`,
    })
  const seen = f.seenByOthers
  if (seen && seen.score !== null)
    reasons.push({
      code: 'reputation',
      message: `${seenByOthersText(seen)}${seen.score < 0.5 ? ': below the 0.5 of a newcomer, so requesters who have not met you rank you behind others' : ''}`,
    })
  const state = f.tasks.running > 0 ? 'working' : !f.accepting ? 'paused' : 'waiting'
  return { state, reasons }
}
