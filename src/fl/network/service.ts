import type { PrivateKey } from '@libp2p/interface'
import { z } from 'zod'
import { loadCsvFile } from '../../data/load.js'
import { firstLine, InvalidInputError } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { Host } from '../../net/host.js'
import { chainAnchor, type LineageLedger } from '../lineage/chain-anchor.js'
import { verifyLineage } from '../lineage/verify.js'
import { type LineageCheck, lineageView } from '../lineage/view.js'
import type { FlCoordinator, FlEvent } from './coordinator.js'
import type { FlHolderEvent } from './holder.js'
import type { FlHolderLedger, FlOwnerLedger } from './payments.js'
import { FlJobSpec } from './protocol.js'
import type { FlJobState, FlStore } from './store.js'

const Path = z.string().min(1).max(4096)

/** `POST /v1/fl/coordinations`: run an fl-train job as its coordinator on this node. */
export const CoordinateRequest = z.strictObject({
  /** The job spec (validated as FlJobSpec), with its data schema. */
  spec: z.unknown(),
  /** Files on the node's machine (the API is local): held-out rows, validation rows, where to write ONNX. */
  test: Path.optional(),
  validation: Path.optional(),
  onnx: Path.optional(),
})

/** `POST /v1/fl/holdings`: join an fl-train job as a data holder with rows from a file on this machine. */
export const JoinRequest = z.strictObject({
  coordinator: z.string().min(1).max(1000),
  job: z.string().min(1).max(200),
  data: Path,
  epsilon: z.number().positive().max(1000).default(8),
  delta: z.number().positive().max(0.1).default(1e-5),
})

/** One event of a run as the API gives it: its number, when, and the coordinator's or holder's event. */
export type FlRunEvent = { seq: number; at: number; event: string } & Record<string, unknown>

/** A federated run of this node (as coordinator or holder), as `GET /v1/fl/runs/:id` shows it. */
export interface FlRunView {
  id: string
  role: 'coordinator' | 'holder'
  job: string
  status: 'running' | 'done' | 'failed'
  error?: string
  startedAt: number
  finishedAt?: number
  /** Coordinator: addresses holders join at. */
  multiaddrs?: string[]
  events: FlRunEvent[]
  /** Coordinator: every round's accuracy on the owner's test rows and mean loss (`runs()` keeps all of them). */
  curve?: { round: number; testAccuracy?: number; meanLoss: number }[]
}

/** Most events a run keeps (rounds, joins, payments). */
const MAX_EVENTS = 2000

/** What the service needs from the node. */
export interface FlServiceComponents {
  host: Host
  key: PrivateKey
  store: FlStore
  /** The node's ledger: data-budget escrow and lineage anchor (coordinator), payee and redemption (holder). */
  ledger?: FlOwnerLedger & FlHolderLedger & LineageLedger
  log: Logger
}

/**
 * Federated learning inside the node: coordinators and holders run on the node's host, with its keys, its
 * chain and its `fl.db`, driven through the API (`mutirao fl start|join` against a running node, the
 * dashboard). Each run keeps its events, so clients follow it by sequence number. The training code (tfjs;
 * ~30 MB of an idle node's RSS, 15 MB of its heap) is imported with a node's first run, not at its start.
 */
export class FlService {
  readonly #runs = new Map<string, FlRunView>()
  readonly #coordinators = new Map<string, FlCoordinator>()
  readonly #stop = new AbortController()
  readonly #running = new Set<Promise<unknown>>()

  constructor(private readonly c: FlServiceComponents) {}

  /** Every run, newest first, with its last 50 events and (coordinators) the whole accuracy curve. */
  runs(): FlRunView[] {
    return [...this.#runs.values()].reverse().map((r) => ({
      ...r,
      events: r.events.slice(-50),
      ...(r.role === 'coordinator'
        ? {
            curve: r.events
              .filter((e) => e.event === 'round')
              .map((e) => ({
                round: e.round as number,
                meanLoss: e.meanLoss as number,
                ...(e.testAccuracy === undefined ? {} : { testAccuracy: e.testAccuracy as number }),
              })),
          }
        : {}),
    }))
  }

  /** A run with its events after `after` (sequence number), or undefined. */
  run(id: string, after = -1): FlRunView | undefined {
    const r = this.#runs.get(id)
    return r && { ...r, events: r.events.filter((e) => e.seq > after) }
  }

  /**
   * A coordinated run's lineage and its verification (every hash and link, the holders' signatures, and the
   * root against the one anchored on the chain when the node has a ledger). Undefined for an unknown run.
   * @throws {InvalidInputError} when the run is a holding (the coordinator keeps the lineage) or has none yet.
   */
  async lineage(id: string): Promise<LineageCheck | undefined> {
    const run = this.#runs.get(id)
    if (!run) return undefined
    if (run.role !== 'coordinator')
      throw new InvalidInputError(`${id} held data for job ${run.job}: its coordinator keeps the lineage`, {
        metaMessages: ['Ask the coordinator for the lineage file and run `mutirao fl lineage --file`.'],
      })
    const lineage = this.state(run.job)?.lineage
    if (!lineage)
      throw new InvalidInputError(`job ${run.job} has no lineage yet: it starts with its first round`)
    const { ledger } = this.c
    const report = await verifyLineage(lineage, ledger ? { anchor: chainAnchor(ledger) } : {})
    if (ledger && run.status === 'done' && report.anchored === undefined) {
      report.ok = false
      report.problems.push(`model ${lineage.modelHash} has no lineage anchored on-chain`)
    }
    return { report, lineage: lineageView(lineage) }
  }

  /** The persisted state of a coordinated job (rounds done, lineage). */
  state(job: string): FlJobState | undefined {
    return this.c.store.load(job)
  }

  /**
   * Start coordinating a job. @throws {InvalidInputError} naming what is wrong with the request or spec.
   */
  async coordinate(input: unknown): Promise<FlRunView> {
    const req = parse(CoordinateRequest, input, 'coordination request')
    const spec = parse(FlJobSpec, req.spec, 'fl-train job spec')
    const id = `coordinate-${spec.id}`
    if (this.#runs.get(id)?.status === 'running')
      throw new InvalidInputError(`job ${spec.id} is already being coordinated by this node`)
    const load = (f?: string) => (f ? loadCsvFile(f, { schema: spec.schema }) : undefined)
    const [test, validation] = await Promise.all([load(req.test), load(req.validation)])
    const run = this.#open(id, 'coordinator', spec.id)
    const { ledger } = this.c
    const { createFlCoordinator, payoutsOf } = await import('./coordinator.js')
    const coordinator = createFlCoordinator({
      host: this.c.host,
      key: this.c.key,
      store: this.c.store,
      spec,
      test,
      validation,
      ...(ledger ? { payments: ledger, anchor: chainAnchor(ledger) } : {}),
      onEvent: (e: FlEvent) => this.#event(run, e.type, e),
    })
    await coordinator.start()
    this.#coordinators.set(id, coordinator)
    run.multiaddrs = this.c.host.getMultiaddrs().map(String)
    this.#track(run, async () => {
      try {
        const state = await coordinator.run(this.#stop.signal)
        const payouts = payoutsOf(state)
        if (payouts) this.#event(run, 'payouts', { payouts })
        if (req.onnx && (await (await import('./export-model.js')).writeTrainedOnnx(spec, state, req.onnx)))
          this.#event(run, 'onnx', { file: req.onnx })
      } finally {
        await coordinator.stop()
        this.#coordinators.delete(id)
      }
    })
    return { ...run }
  }

  /** Join a job as a data holder. @throws {InvalidInputError} naming what is wrong with the request. */
  async join(input: unknown): Promise<FlRunView> {
    const req = parse(JoinRequest, input, 'join request')
    const id = `hold-${req.job}-${Date.now().toString(36)}`
    const { createFlHolder } = await import('./holder.js')
    const holder = createFlHolder({
      host: this.c.host,
      key: this.c.key,
      coordinator: req.coordinator,
      jobId: req.job,
      data: req.data,
      privacyBudget: { epsilon: req.epsilon, delta: req.delta },
      ...(this.c.ledger ? { payments: this.c.ledger } : {}),
      onEvent: (e: FlHolderEvent) => this.#event(run, e.type, e),
    })
    const run = this.#open(id, 'holder', req.job)
    this.#track(run, async () => {
      const r = await holder.run(this.#stop.signal)
      this.#event(run, 'result', { ...r })
      if (r.payment?.error) throw new Error(`not paid: ${r.payment.error}`)
    })
    return { ...run }
  }

  /** Stop every run and close the store (node shutdown): coordinators' state stays, to resume when asked again. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('the node is stopping'))
    await Promise.allSettled([...this.#running])
    await Promise.allSettled([...this.#coordinators.values()].map((c) => c.stop()))
    this.c.store.close()
  }

  #open(id: string, role: FlRunView['role'], job: string): FlRunView {
    const run: FlRunView = { id, role, job, status: 'running', startedAt: Date.now(), events: [] }
    this.#runs.set(id, run)
    return run
  }

  #event(run: FlRunView, event: string, fields: object): void {
    const { type: _type, ...rest } = fields as { type?: string }
    run.events.push({ ...rest, seq: (run.events.at(-1)?.seq ?? -1) + 1, at: Date.now(), event })
    if (run.events.length > MAX_EVENTS) run.events.shift()
  }

  #track(run: FlRunView, body: () => Promise<void>): void {
    const p = body().then(
      () => {
        run.status = 'done'
      },
      (err: Error) => {
        run.status = 'failed'
        run.error = firstLine(err)
        this.c.log.warn({ run: run.id, err: run.error }, 'fl run failed')
      },
    )
    const settled = p.finally(() => {
      run.finishedAt = Date.now()
      this.#running.delete(settled)
    })
    this.#running.add(settled)
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const i = r.error.issues[0]
  throw new InvalidInputError(`invalid ${what}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
}
