import { randomBytes } from 'node:crypto'
import { sliceAlong } from '../exec/batch-axes.js'
import { encodeTensorParts, encodeTensors } from '../exec/tensor-codec.js'
import { sha256Hex } from '../store/blob-store.js'
import { ProviderExcludedError } from '../verify/index.js'
import { type JobContext, shardCounts } from './job-context.js'
import { runJobLocally } from './job-kind.js'
import { tasksToSend } from './pipeline.js'
import type { ProviderSession } from './provider-session.js'
import type { VoteScheduler } from './vote-scheduler.js'

/** Shards the requester computes itself as canaries when the policy uses them. */
const CANARY_SHARDS = 3

/**
 * Sends one job's tasks: keeps every live session's pipeline full (replicas first, canaries mixed in), and
 * prepares the canaries — shards computed here whose answers are known.
 */
export class JobDispatch {
  /** sha256 of each shard's encoded inputs, computed once (replicas, retries and canaries resend them). */
  readonly #inputHashes = new Map<number, string>()
  /** Sessions that said "busy" rest until then (idle-only owner at work, credit limit). */
  readonly pausedUntil = new WeakMap<ProviderSession, number>()

  constructor(
    private readonly x: JobContext,
    /** Called when the scheduler says the policy excluded a provider. */
    private readonly exclude: (provider: string) => void,
  ) {}

  /** Keep every live session's pipeline full (depth and batches: pipeline.ts). */
  fill(): void {
    const { x } = this
    const now = Date.now()
    for (const session of x.sessions.values()) {
      if ((this.pausedUntil.get(session) ?? 0) > now) continue
      const target =
        session.inFlight.size + tasksToSend(session.slots, session.inFlight.size, session.pace.quick)
      while (!session.dead && session.inFlight.size < target) {
        let taken: ReturnType<VoteScheduler['take']>
        try {
          taken = x.sched.take(session.provider)
        } catch (err) {
          if (!(err instanceof ProviderExcludedError)) throw err
          this.exclude(session.provider)
          break
        }
        if (!taken) break
        if (taken.replica) x.progress.verification!.replicaTasks++
        this.#send(session, taken.shard.idx, false)
        if (taken.plan.canary && x.canaries.size > 0) {
          const pool = [...x.canaries.keys()]
          x.progress.verification!.canaryTasks++
          this.#send(session, pool[Math.floor(Math.random() * pool.length)], true)
        }
      }
    }
  }

  #send(session: ProviderSession, idx: number, canary: boolean): void {
    const { x } = this
    const shard = x.sched.shards[idx]
    // parts: the slice's rows go straight from the job's inputs into the frame (one copy, one hash pass)
    const inputs = encodeTensorParts(sliceAlong(x.inputs(), shard.start, shard.end, x.axes()?.inputs))
    const taskId = `${x.job.id}.${randomBytes(8).toString('hex')}`
    let inputHash = this.#inputHashes.get(idx)
    if (!inputHash) {
      inputHash = sha256Hex(inputs)
      this.#inputHashes.set(idx, inputHash)
    }
    x.tasks.set(taskId, { idx, canary, inputHash })
    session.send({
      taskId,
      samples: shard.end - shard.start,
      units: shard.units,
      inputHash,
      deadline: x.job.createdAt + x.job.spec.timeoutSeconds * 1000,
      body: inputs,
    })
  }

  /**
   * Compute a few shards here (known answers) when the policy uses canaries. They count as done shards of
   * the job and are re-sent as canaries: same inputs distribution, same message shape, opaque task ids.
   * The model is read only when a canary is made.
   */
  async prepareCanaries(readModel: () => Promise<Uint8Array>): Promise<void> {
    const { x } = this
    const v = x.verification
    if (!(v.policy === 'spot' || v.policy === 'adaptive+spot' || v.canaryRate)) return
    const pending = x.sched.shards.filter((s) => s.status !== 'done')
    const me = x.c.host.peerId.toString()
    let model: Uint8Array | undefined
    for (let i = 0; i < Math.min(CANARY_SHARDS, pending.length - 1); i++) {
      const shard = pending[Math.floor((i + 0.5) * (pending.length / CANARY_SHARDS)) % pending.length]
      if (x.canaries.has(shard.idx)) continue
      const slice = sliceAlong(x.inputs(), shard.start, shard.end, x.axes()?.inputs)
      model ??= await readModel()
      const out = encodeTensors(await runJobLocally(x.job.spec, model, slice, x.c.maxResultBytes))
      const hash = sha256Hex(out)
      x.canaries.set(shard.idx, { provider: me, taskId: 'local', hash, body: out })
      x.c.store.saveResult(x.job.id, shard.idx, me, out, hash)
      x.sched.markLocal(shard.idx)
      shardCounts(x.progress).local++
      x.progress.shardsDone++
      x.progress.samplesDone += shard.end - shard.start
    }
  }
}
