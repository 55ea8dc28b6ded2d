import { type AbiEvent, type Address, getAddress, type Hash, type Log, zeroAddress } from 'viem'
import { disputeResolverAbi, jobEscrowAbi, providerRegistryAbi } from './abi/index.js'
import type { LedgerContext } from './context.js'
import { DISPUTE_STATUS } from './dispute-actions.js'

/** What happened on the chain, in words a user knows. */
export type ActivityKind =
  | 'job-opened'
  | 'contribution'
  | 'job-settled'
  | 'job-reclaimed'
  | 'staked'
  | 'unstake-requested'
  | 'withdrawn'
  | 'slashed'
  | 'accused'
  | 'dispute-resolved'

/** One event of the escrow, the registry or the dispute resolver (amounts in token base units). */
export interface ActivityEvent {
  kind: ActivityKind
  blockNumber: bigint
  /** Block time, unix seconds. */
  time: number
  txHash: Hash
  logIndex: number
  /** Whom it concerns first: the requester of an escrow job, the provider paid, staking or accused. */
  account: Address
  /** The other party: the accuser of a dispute, the slasher. */
  counterparty?: Address
  /** Escrow job id, or dispute id for `accused` and `dispute-resolved`. */
  jobId?: bigint
  disputeId?: bigint
  amount?: bigint
  units?: bigint
  /** `staked`: the stake after it. */
  total?: bigint
  /** `unstake-requested`: when the unbonding amount can be withdrawn (unix seconds). */
  unlockAt?: bigint
  /** `job-settled`: providers who released the job. */
  payees?: number
  /** `dispute-resolved`: how it ended. */
  outcome?: string
}

/** Options of {@link ActivityActions.activity}. */
export interface ActivityQuery {
  /** Only events concerning this account (as `account` or `counterparty`). */
  account?: Address
  /** Most events returned, newest first. Default 100. */
  limit?: number
  /** Blocks looked back from the latest. Default 100,000 (never before the deployment). */
  lookback?: bigint
  /** Blocks per `eth_getLogs` request. Default 10,000. */
  step?: bigint
}

const EVENTS: Record<string, ActivityKind> = {
  JobOpened: 'job-opened',
  ContributionRecorded: 'contribution',
  JobSettled: 'job-settled',
  JobReclaimed: 'job-reclaimed',
  Staked: 'staked',
  UnstakeRequested: 'unstake-requested',
  Withdrawn: 'withdrawn',
  Slashed: 'slashed',
  Accused: 'accused',
  Resolved: 'dispute-resolved',
}

const abiEvents = [...jobEscrowAbi, ...providerRegistryAbi, ...disputeResolverAbi].filter(
  (i): i is Extract<typeof i, { type: 'event' }> => i.type === 'event' && i.name in EVENTS,
) as AbiEvent[]

type Args = Record<string, unknown>
const big = (v: unknown) => (v === undefined ? undefined : BigInt(v as bigint))

/** Maps one decoded log to an activity event (the block time filled in later). */
export function toActivity(
  eventName: string,
  args: Args,
): Omit<ActivityEvent, 'blockNumber' | 'time' | 'txHash' | 'logIndex'> {
  const kind = EVENTS[eventName]
  if (!kind) throw new Error(`not an activity event: ${eventName}`)
  const a = (k: string) => getAddress(args[k] as Address)
  switch (kind) {
    case 'job-opened':
      return { kind, account: a('requester'), jobId: big(args.jobId), amount: big(args.budget) }
    case 'contribution':
      return {
        kind,
        account: a('provider'),
        jobId: big(args.jobId),
        amount: big(args.amount),
        units: big(args.units),
      }
    case 'job-settled':
      return {
        kind,
        account: a('requester'),
        jobId: big(args.jobId),
        amount: big(args.refund),
        payees: Number(args.payees),
      }
    case 'job-reclaimed':
      return { kind, account: a('requester'), jobId: big(args.jobId), amount: big(args.amount) }
    case 'staked':
      return {
        kind,
        account: a('provider'),
        amount: big(args.amount),
        total: big(args.totalStake),
      }
    case 'unstake-requested':
      return { kind, account: a('provider'), amount: big(args.amount), unlockAt: big(args.unlockAt) }
    case 'withdrawn':
      return { kind, account: a('provider'), amount: big(args.amount) }
    case 'slashed':
      return { kind, account: a('provider'), counterparty: a('slasher'), amount: big(args.amount) }
    case 'accused':
      return {
        kind,
        account: a('accused'),
        counterparty: a('accuser'),
        disputeId: big(args.disputeId),
        amount: big(args.held),
      }
    case 'dispute-resolved':
      return {
        kind,
        account: a('resolver'),
        disputeId: big(args.disputeId),
        amount: big(args.rewarded),
        outcome: DISPUTE_STATUS[Number(args.status)] ?? `status ${args.status}`,
      }
  }
}

/** Blocks per `eth_getLogs` request (public RPC endpoints commonly refuse wider ranges). */
const LOG_STEP = 10_000n
/** Block times remembered (they never change). */
const MAX_TIMES = 10_000

/** The chain's activity around Mutirão's contracts: escrow jobs, payments, stakes, slashes and disputes. */
export function activityActions(ctx: LedgerContext) {
  const d = ctx.deployments
  const addresses = [d.escrow, d.registry, ...(d.disputeResolver ? [d.disputeResolver] : [])]
  const times = new Map<bigint, number>()
  const timeOf = async (n: bigint) => {
    let t = times.get(n)
    if (t === undefined) {
      t = Number((await ctx.publicClient.getBlock({ blockNumber: n })).timestamp)
      if (times.size >= MAX_TIMES) times.delete(times.keys().next().value as bigint)
      times.set(n, t)
    }
    return t
  }
  const logsIn = async (fromBlock: bigint, toBlock: bigint, events = abiEvents) =>
    (await ctx.publicClient.getLogs({ address: addresses, events, fromBlock, toBlock })) as (Log & {
      eventName: string
      args: Args
    })[]
  const toEvent = (l: Log & { eventName: string; args: Args }): ActivityEvent => ({
    ...toActivity(l.eventName, { resolver: zeroAddress, ...l.args }),
    blockNumber: l.blockNumber!,
    txHash: l.transactionHash!,
    logIndex: l.logIndex!,
    time: 0,
  })
  /** The accused of a dispute (a `Resolved` event does not name it): its `Accused` event. */
  const accusedOf = async (disputeId: bigint): Promise<Address | undefined> => {
    if (!d.disputeResolver) return undefined
    const [l] = await ctx.publicClient.getContractEvents({
      address: d.disputeResolver,
      abi: disputeResolverAbi,
      eventName: 'Accused',
      args: { disputeId },
      fromBlock: d.fromBlock,
      toBlock: 'latest',
    })
    return l ? getAddress(l.args.accused as Address) : undefined
  }
  return {
    /**
     * Events newest first, with their block times: read backwards from the latest block in windows of
     * 10,000 blocks until `limit` events are found or `lookback` blocks were read. Block times are cached.
     */
    async activity(q: ActivityQuery = {}): Promise<ActivityEvent[]> {
      const latest = await ctx.publicClient.getBlockNumber({ cacheTime: 0 })
      const back = q.lookback ?? 100_000n
      const floor = latest - back > d.fromBlock ? latest - back : d.fromBlock
      const step = q.step ?? LOG_STEP
      const limit = q.limit ?? 100
      const mine = q.account ? getAddress(q.account) : undefined
      const picked: ActivityEvent[] = []
      for (let to = latest; to >= floor && picked.length < limit; to -= step) {
        const from = to - step + 1n > floor ? to - step + 1n : floor
        const window = (await logsIn(from, to)).map(toEvent)
        for (const e of window)
          if (e.kind === 'dispute-resolved') e.account = (await accusedOf(e.disputeId!)) ?? e.account
        picked.push(...window.filter((e) => !mine || e.account === mine || e.counterparty === mine).reverse())
      }
      const out = picked.slice(0, limit)
      const blocks = [...new Set(out.map((e) => e.blockNumber))]
      const at = new Map(await Promise.all(blocks.map(async (n) => [n, await timeOf(n)] as const)))
      for (const e of out) e.time = at.get(e.blockNumber)!
      return out
    },
  }
}
