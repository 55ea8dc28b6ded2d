import { type Address, type Hex, hexToBytes, keccak256, type LocalAccount } from 'viem'
import type { TaskExecutor } from '../exec/task-executor.js'
import { decodeTensors } from '../exec/tensor-codec.js'
import type { DisputeActions } from '../ledger/dispute-actions.js'
import { LedgerRevertError } from '../ledger/errors.js'
import { type OracleActions, type RequestedEvent, signOracleAnswer } from '../ledger/oracle-actions.js'
import type { Logger } from '../log.js'
import { accusationsToFile, decideAnswer } from './decide.js'
import { quantiseOutputs } from './quantise.js'

/** What happened to one oracle request at this provider, for `status` and the API. */
export interface OracleRecord {
  id: string
  modelHash: string
  status: 'answered' | 'skipped' | 'failed' | 'paid' | 'outvoted' | 'late'
  reason?: string
  outputHash?: Hex
  values?: string[]
  tx?: Hex
  /** Base units this provider was paid for it (paid records). */
  earned?: string
  /** Dispute ids this provider filed against minority answers. */
  disputes?: string[]
}

/** What the oracle service needs. */
export interface OracleServiceDeps {
  oracle: Pick<
    OracleActions,
    | 'address'
    | 'requestOf'
    | 'answerOf'
    | 'answer'
    | 'minStake'
    | 'taskIdOf'
    | 'requestedEvents'
    | 'answeredEvents'
    | 'finalizedIds'
    | 'blockNumber'
  >
  disputes?: Pick<DisputeActions, 'accuseBytes32'>
  account: LocalAccount
  resolver: Address
  chainId: number
  executor: TaskExecutor
  hasModel(sha256Hex: string): boolean
  stake(): Promise<bigint>
  /** Least fee share (base units) per answer; requests paying less are skipped. */
  minFeePerAnswer: bigint
  /** First block to look at (the deployment's). */
  fromBlock: bigint
  pollMs?: number
  log: Logger
  nowSeconds?: () => number
}

const MAX_RECORDS = 500

/**
 * Serves the InferenceOracle: watches `Requested` events (from the deployment block, so requests posted
 * before this node started are answered too), runs each request this provider can and will take through the
 * provider's executor, quantises the outputs, signs and submits the answer. When a request it backed is
 * finalised, its first backer accuses every minority answer at the DisputeResolver with the signed answers
 * from the chain.
 */
/** Attempts at answering one request before it is given up. */
const MAX_ANSWER_TRIES = 3

export class OracleService {
  readonly #d: OracleServiceDeps
  readonly #records = new Map<string, OracleRecord>()
  readonly #retry = new Map<string, RequestedEvent>()
  /** Failed answer transactions per request: tried again on the next polls, up to MAX_ANSWER_TRIES. */
  readonly #tries = new Map<string, number>()
  readonly #unsettled = new Set<bigint>()
  #next: bigint
  #timer?: NodeJS.Timeout
  #running?: Promise<void>
  #stopped = false

  constructor(deps: OracleServiceDeps) {
    this.#d = deps
    this.#next = deps.fromBlock
  }

  /** Records of the requests seen, newest first. */
  records(): OracleRecord[] {
    return [...this.#records.values()].reverse()
  }

  start(): void {
    const tick = () => {
      this.#running = this.poll()
        .catch((err) => this.#d.log.warn({ err: (err as Error).message }, 'oracle poll failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#d.pollMs ?? 500)
        })
    }
    tick()
    this.#d.log.info({ oracle: this.#d.oracle.address }, 'serving the inference oracle')
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }

  /** One pass: new requests, requests waiting to be retried, new finalisations. */
  async poll(): Promise<void> {
    const head = await this.#d.oracle.blockNumber()
    let requested: RequestedEvent[] = []
    let finalized: bigint[] = []
    if (head >= this.#next) {
      requested = await this.#d.oracle.requestedEvents(this.#next, head)
      finalized = await this.#d.oracle.finalizedIds(this.#next, head)
      this.#next = head + 1n
    }
    const retries = [...this.#retry.values()]
    this.#retry.clear()
    for (const e of [...retries, ...requested]) {
      if (this.#stopped) return
      // a failed chain read (a busy or restarting RPC) must not lose the request: try it again next poll
      await this.#handle(e).catch((err) => {
        this.#retry.set(e.id.toString(), e)
        this.#d.log.warn(
          { request: e.id.toString(), err: (err as Error).message },
          'oracle request: will retry',
        )
      })
    }
    const unsettled = [...this.#unsettled, ...finalized]
    this.#unsettled.clear()
    for (const id of unsettled)
      await this.#settled(id).catch((err) => {
        this.#unsettled.add(id)
        this.#d.log.warn(
          { request: id.toString(), err: (err as Error).message },
          'oracle settlement: will retry',
        )
      })
  }

  #record(r: OracleRecord) {
    this.#records.delete(r.id)
    this.#records.set(r.id, r)
    if (this.#records.size > MAX_RECORDS) this.#records.delete(this.#records.keys().next().value!)
  }

  async #handle(e: RequestedEvent): Promise<void> {
    const d = this.#d
    const id = e.id.toString()
    const modelHash = e.modelHash.slice(2)
    const [request, answered, stake, minStake] = await Promise.all([
      d.oracle.requestOf(e.id),
      d.oracle.answerOf(e.id, d.account.address),
      d.stake(),
      d.oracle.minStake(),
    ])
    const decision = decideAnswer(
      { ...request, modelHash },
      {
        me: d.account.address,
        nowSeconds: (d.nowSeconds ?? (() => Math.floor(Date.now() / 1000)))(),
        minFeePerAnswer: d.minFeePerAnswer,
        stake,
        minStake,
        hasModel: d.hasModel(modelHash),
        answered: !/^0x0*$/.test(answered),
      },
    )
    if (decision.action === 'skip') {
      if (decision.retry) this.#retry.set(id, e)
      const before = this.#records.get(id)
      if (before && before.status !== 'skipped') return
      if (before?.reason !== decision.reason)
        d.log.info({ request: id, reason: decision.reason }, 'oracle request skipped')
      this.#record({ id, modelHash, status: 'skipped', reason: decision.reason })
      return
    }
    try {
      const inputs = decodeTensors(hexToBytes(e.input), { maxTensors: 16, maxTotalBytes: 64 * 1024 })
      const outputs = await d.executor.run({ kind: 'onnx-inference', modelHash, inputs })
      const { values, encoded } = quantiseOutputs(outputs, e.decimals)
      const signature = await signOracleAnswer(
        d.account,
        { taskId: d.oracle.taskIdOf(e.id), specHash: request.specHash, output: encoded },
        d.resolver,
        d.chainId,
      )
      const tx = await d.oracle.answer(e.id, encoded, signature, request)
      this.#record({
        id,
        modelHash,
        status: 'answered',
        outputHash: keccak256(encoded),
        values: values.map(String),
        tx,
      })
      d.log.info({ request: id, values: values.map(String), tx }, 'oracle request answered')
    } catch (err) {
      const name = err instanceof LedgerRevertError ? err.errorName : undefined
      // another answer finalised it first, or the deadline passed while the model ran
      const late = name === 'WrongStatus' || name === 'OutsideWindow'
      const tries = (this.#tries.get(id) ?? 0) + 1
      this.#tries.set(id, tries)
      // any other failure (a reverted or dropped transaction, a busy RPC) is tried again on the next polls
      const again = !late && tries < MAX_ANSWER_TRIES
      if (again) this.#retry.set(id, e)
      const reason = `${(err as Error).message}${again ? ` (try ${tries} of ${MAX_ANSWER_TRIES}; trying again)` : ''}`
      this.#record({ id, modelHash, status: late ? 'late' : 'failed', reason })
      d.log[late ? 'info' : 'warn']({ request: id, err: (err as Error).message }, 'oracle answer not taken')
    }
  }

  /** A request was finalised: note whether this provider was paid, and accuse the minority if it is first. */
  async #settled(id: bigint): Promise<void> {
    const d = this.#d
    const record = this.#records.get(id.toString())
    if (!record?.outputHash) return
    const request = await d.oracle.requestOf(id)
    if (record.outputHash !== request.answer) {
      this.#record({
        ...record,
        status: 'outvoted',
        reason: `the quorum answered ${request.answer.slice(0, 10)}…`,
      })
      return
    }
    const paid = {
      ...record,
      status: 'paid' as const,
      earned: (request.fee / BigInt(request.quorum)).toString(),
    }
    this.#record(paid)
    if (!d.disputes) return
    const answers = await d.oracle.answeredEvents(id, d.fromBlock)
    const disputes: string[] = []
    for (const { accused, quorum } of accusationsToFile(answers, request.answer, d.account.address)) {
      try {
        const disputeId = await d.disputes.accuseBytes32(
          d.oracle.taskIdOf(id),
          request.specHash,
          accused,
          quorum,
        )
        disputes.push(disputeId.toString())
        d.log.info(
          { request: id.toString(), accused: accused.provider, dispute: String(disputeId) },
          'minority answer accused',
        )
      } catch (err) {
        d.log.warn(
          { request: id.toString(), accused: accused.provider, err: (err as Error).message },
          'accusation failed',
        )
      }
    }
    if (disputes.length) this.#record({ ...paid, disputes })
  }
}
