import { randomBytes } from 'node:crypto'
import { InvalidInputError } from '../errors.js'
import { batchSizeAlong } from '../exec/batch-axes.js'
import { inferBatchAxes } from '../exec/infer-batch-axes.js'
import type { ModelInfo } from '../exec/model-info.js'
import { decodeTensors } from '../exec/tensor-codec.js'
import type { Logger } from '../log.js'
import type { Db } from '../store/db.js'
import type { JobMaterial, JobRunComponents } from './job-context.js'
import { checkJob, checkOnnxInputs } from './job-kind.js'
import { JobRun } from './job-run.js'
import { type JobProgress, type JobSpecInput, JobSpecSchema } from './job-spec.js'
import { JobStore } from './job-store.js'
import { ModelInfos } from './model-infos.js'
import { type ShardMap, shardMap } from './shard-map.js'
import { planShards } from './shard-plan.js'
import { TrustBook } from './trust-book.js'

/** Components of the requester service. */
export type RequesterComponents = Omit<JobRunComponents, 'store'> & { db: Db; log: Logger }

/** Thrown when a job id is unknown. */
export class JobNotFoundError extends InvalidInputError {
  override name = 'JobNotFoundError'
}

/**
 * The requester role: accepts jobs, runs each with a JobRun, persists everything in SQLite, and resumes
 * unfinished jobs after a restart.
 */
export class Requester {
  readonly store: JobStore
  /** Dispatches `change` whenever a running job's progress changes (the dashboard's live view). */
  readonly changes = new EventTarget()
  readonly #runs = new Map<string, { run: JobRun; abort: AbortController; done: Promise<JobProgress> }>()
  /** Shard maps of jobs not running here (read from the store once; dropped when the job runs again). */
  readonly #maps = new Map<string, ShardMap>()
  readonly #models = new ModelInfos((hash) => this.c.blobs.get(hash))

  readonly trust: TrustBook

  constructor(private readonly c: RequesterComponents) {
    this.store = new JobStore(c.db)
    this.trust = c.trust ?? new TrustBook(c.db)
  }

  /**
   * Validate and start a job. The model (or wasm module) and inputs must already be in the blob store.
   * @throws InvalidInputError naming what is wrong (spec field, model, input name/dtype/shape).
   */
  async submit(specInput: JobSpecInput): Promise<JobProgress> {
    const parsed = JobSpecSchema.safeParse(specInput)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new InvalidInputError(`Invalid job spec: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
    }
    const spec = parsed.data
    for (const [what, hash] of [
      ['model', spec.modelHash],
      ['inputs', spec.inputsHash],
    ] as const) {
      if (!this.c.blobs.has(hash))
        throw new InvalidInputError(`The job's ${what} blob ${hash} is not on this node`, {
          metaMessages: ['Upload it first (POST /v1/blobs).'],
        })
    }
    const inputs = decodeTensors(await this.c.blobs.get(spec.inputsHash))
    const info =
      spec.kind === 'onnx-inference'
        ? checkOnnxInputs(await this.#models.get(spec.modelHash), inputs)
        : await checkJob(spec, await this.c.blobs.get(spec.modelHash), inputs)
    if (spec.kind === 'onnx-inference') spec.batchAxes = inferBatchAxes(info as ModelInfo, spec.batchAxes)
    const samples = batchSizeAlong(
      inputs,
      spec.kind === 'onnx-inference' ? spec.batchAxes?.inputs : undefined,
    )
    if (samples < 1) throw new InvalidInputError('The inputs hold no samples (their batch axis is 0 long)')
    const id = `job-${randomBytes(6).toString('hex')}`
    const shards = planShards(samples, spec.shardSize, info.cost)
    this.store.create({ id, spec, status: 'running', createdAt: Date.now() }, shards)
    return this.#start(id, { info, inputs })
  }

  /** Resume every job left running by a previous process. */
  resumeAll(): string[] {
    const ids = this.store.unfinished().map((j) => j.id)
    for (const id of ids) this.#start(id)
    return ids
  }

  #start(id: string, loaded?: JobMaterial): JobProgress {
    const job = this.store.get(id)!
    this.#maps.delete(id)
    const run = new JobRun({ ...this.c, store: this.store, trust: this.trust }, job, loaded)
    const abort = new AbortController()
    run.on('progress', () => this.changes.dispatchEvent(new Event('change')))
    const done = run.run(abort.signal)
    this.#runs.set(id, { run, abort, done })
    return run.progress
  }

  /**
   * The job's progress (live or from the store). Live progress counts the results of this event-loop turn,
   * whose writes commit when the turn ends: they are committed first, so that what a client is shown
   * survives a crash (a restarted node resumes from at least that).
   */
  get(id: string): JobProgress {
    const live = this.#runs.get(id)
    if (live) {
      this.store.commitTurn()
      return live.run.progress
    }
    const job = this.store.get(id)
    if (!job)
      throw new JobNotFoundError(`No job ${id} on this node`, {
        metaMessages: ['List jobs with `mutirao jobs`.'],
      })
    const shards = this.store.shards(id)
    const providers = this.store.providerWork(id)
    return {
      jobId: id,
      kind: job.spec.kind,
      name: job.spec.name,
      status: job.status,
      error: job.error,
      samplesTotal: shards.at(-1)?.end ?? 0,
      samplesDone: shards.filter((s) => s.status === 'done').reduce((a, s) => a + s.end - s.start, 0),
      shardsTotal: shards.length,
      shardsDone: shards.filter((s) => s.status === 'done').length,
      unitsDone: providers.reduce((a, p) => a + p.units, 0),
      costPerSample: shards[0] ? shards[0].units / (shards[0].end - shards[0].start) : 0,
      providers,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      ...job.summary,
      version: 0,
    }
  }

  /** Recent jobs, newest first. */
  /** Who computed, or computes, each of the job's shards (live, or as stored). */
  shardMap(id: string): ShardMap {
    const live = this.#runs.get(id)
    if (live) return live.run.shardMap()
    let map = this.#maps.get(id)
    if (!map) {
      this.get(id)
      map = shardMap(this.store.shards(id))
      if (this.#maps.size >= 32) this.#maps.delete(this.#maps.keys().next().value as string)
      this.#maps.set(id, map)
    }
    return map
  }

  list(): JobProgress[] {
    return this.store.list().map((j) => this.get(j.id))
  }

  /** Wait until the job's progress version passes `version`, or `timeoutMs`. */
  async waitForChange(id: string, version: number, timeoutMs: number): Promise<JobProgress> {
    const live = this.#runs.get(id)
    if (!live || live.run.progress.version > version || live.run.progress.status !== 'running')
      return this.get(id)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      function done() {
        clearTimeout(timer)
        live!.run.off('progress', done)
        resolve()
      }
      live.run.on('progress', done)
    })
    return this.get(id)
  }

  /** Wait for the job to finish. */
  async wait(id: string): Promise<JobProgress> {
    const live = this.#runs.get(id)
    return live ? live.done : this.get(id)
  }

  /** The encoded output tensors of a finished job. */
  async result(id: string): Promise<Uint8Array> {
    const job = this.store.get(id)
    if (!job) throw new JobNotFoundError(`No job ${id} on this node`)
    if (job.status !== 'done' || !job.resultHash) {
      throw new InvalidInputError(`Job ${id} is ${job.status}; results exist only for finished jobs`)
    }
    return this.c.blobs.get(job.resultHash)
  }

  /** Whether `hash` is the model of a job this node is running (providers may fetch it). */
  servesModel(hash: string): boolean {
    for (const { run } of this.#runs.values())
      if (run.progress.status === 'running' && run.modelHash === hash) return true
    return false
  }

  cancel(id: string): void {
    this.#runs.get(id)?.abort.abort()
  }

  /** Stop every run (they stay `running` in the store and resume on the next start). */
  async stop(): Promise<void> {
    const runs = [...this.#runs.values()]
    this.#runs.clear()
    for (const r of runs) r.run.detach()
    for (const r of runs) r.abort.abort()
    await Promise.allSettled(runs.map((r) => r.done))
  }
}
