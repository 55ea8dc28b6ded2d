import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { inOfferSample, offerSampleRate } from '../market/offer-sample.js'
import { signPayload, verifyPayload } from '../net/signing.js'
import { DOMAINS } from '../protocols/ids.js'
import { signedPart } from '../protocols/market-messages.js'
import { HEARTBEAT_TIMEOUT_MS } from '../protocols/task-messages.js'
import { offerGraceMs } from '../requester/market-client.js'
import { rankCandidates } from '../requester/select-offers.js'
import { sha256Hex } from '../store/sha256.js'
import { adaptive } from '../verify/policy/adaptive.js'
import { decideQuorum } from '../verify/quorum.js'
import { createRng } from '../verify/random.js'
import { EventQueue, logNormal } from './events.js'
import {
  type Job,
  type MarketSimOptions,
  type MarketSimResult,
  makeProviders,
  newStats,
  oneWay,
  type Prov,
  type Req,
  report,
  type SimEvent,
  type Task,
  type Work,
} from './market-model.js'

export type { MarketSimOptions, MarketSimResult } from './market-model.js'

/** The requesters' max price: three times the median ask, so price weighs in the ranking. */
const MAX_PRICE = 3n * 10n ** 12n
/** Tasks in flight per provider and job: the task stream's slots of a one-thread provider, pipelined. */
const PIPELINE = 2
/** Mean online spell of a provider; the offline spell follows from the churn share. */
const ONLINE_SPELL_MS = 20 * 60_000
const encoder = new TextEncoder()

/**
 * A discrete-event simulation of the compute market that runs the real requester code on simulated
 * traffic: offer sampling (`offerSampleRate`, `inOfferSample`), a real Ed25519 check of every offer and
 * every result, the offer window (`offerGraceMs`), ranking (`rankCandidates`), adaptive verification
 * (`adaptive`, `decideQuorum`) with its verdicts and exclusions, and the heartbeat timeout that declares a
 * provider gone. The network is simulated: gossip reach in hops of the median latency, pair latencies (`oneWay`),
 * and compute time per provider, churn (providers going offline lose their queued work), and cheaters.
 * Providers serve every job that hires them from one queue, as a one-thread provider does.
 */
export async function simulateMarket(o: MarketSimOptions): Promise<MarketSimResult> {
  const t0 = performance.now()
  const rng = createRng(o.seed)
  const want = o.want ?? 4
  const churn = o.churn ?? 0.05
  const latencyMs = o.latencyMs ?? 40
  const maxSimMs = (o.maxSimSeconds ?? 3600) * 1000
  const q = new EventQueue<SimEvent>()
  // real keys, a few shared by many simulated providers (key generation is not what is measured)
  const keys = await Promise.all(Array.from({ length: 16 }, () => generateKeyPair('Ed25519')))
  const keyIds = keys.map((k) => peerIdFromPrivateKey(k).toString())
  const provs = makeProviders(o, rng, keys.length)
  const spell = (p: Prov) =>
    -Math.log(Math.max(rng.next(), 1e-9)) *
    (p.online ? ONLINE_SPELL_MS : (ONLINE_SPELL_MS * churn) / (1 - churn))
  if (churn > 0) for (const p of provs) q.after(spell(p), { t: 'flip', prov: p })
  // gossipsub reaches n peers in about log_6(n) hops (mesh degree 6)
  const gossipMs = Math.ceil(Math.log(Math.max(2, o.providers)) / Math.log(6)) * latencyMs
  const stats = newStats()
  let offerCpu = 0
  let taskCpu = 0
  const jobTimes: number[] = []
  const timed = <T>(f: () => T): T => {
    const s = performance.now()
    try {
      return f()
    } finally {
      taskCpu += performance.now() - s
    }
  }
  const windows = new Map<string, { job: Job; offers: (SimEvent & { t: 'offer' })[] }>()

  /** Replicas that no provider of the job can run: every one of them answered the task already. */
  const stuck = (job: Job) =>
    job.replicaNeeds.some((t) => !t.done && job.providers.every((x) => t.used.has(x.id)))
  const needsMore = (job: Job) => job.remaining > 0 && (job.providers.length < want || stuck(job))

  const demand = (job: Job) => {
    if (job.asking || !needsMore(job)) return
    job.asking = true
    const id = `${job.id}.d${job.demands++}`
    stats.demands++
    const known = provs.length - job.req.excluded.size
    const rate = offerSampleRate(known, want)
    windows.set(id, { job, offers: [] })
    for (const p of provs) {
      // the real requester leaves its working providers and those it excluded out of a new demand
      if (!p.online || job.providers.includes(p) || job.req.excluded.has(p.id)) continue
      if (!inOfferSample(id, p.id, rate)) continue
      const offer = {
        v: 1 as const,
        demandId: id,
        provider: keyIds[p.signer],
        ethAddress: `0x${'1'.repeat(40)}`,
        pricePerUnit: p.ask.toString(),
        threads: 1,
        expires: Date.now() + 3_600_000,
        signature: '',
      }
      stats.sent++
      q.after(gossipMs + 2 * oneWay(p, job.req) + 5, {
        t: 'offer',
        job,
        demand: id,
        offer,
        prov: p,
        sentAt: q.now,
      })
    }
    q.after(5000, { t: 'close', demand: id })
  }

  const closeWindow = (demandId: string) => {
    const w = windows.get(demandId)
    if (!w) return
    windows.delete(demandId)
    const { job } = w
    job.asking = false
    if (!needsMore(job)) return
    const s = performance.now()
    const reputation = (id: string) => {
      const b = job.req.book.get(id)
      return b ? (b.valid + 1) / (b.valid + b.invalid + 2) : 0.5
    }
    const live = w.offers.filter((x) => x.prov.online && !job.req.excluded.has(x.prov.id))
    const chosen = rankCandidates(
      live.map((x) => ({
        offer: x.offer,
        latencyMs: 2 * oneWay(x.prov, job.req),
        reputation: reputation(x.prov.id),
      })),
      MAX_PRICE,
    ).slice(0, Math.max(1, want - job.providers.length))
    offerCpu += performance.now() - s
    const byOffer = new Map(live.map((x) => [x.offer, x.prov]))
    const fresh = chosen.map((c) => byOffer.get(c.offer)!)
    if (!fresh.length) return void q.after(1000, { t: 'redemand', job })
    for (const p of fresh) {
      job.providers.push(p)
      p.jobs.add(job)
      feed(job, p, 2 * oneWay(p, job.req)) // the agreement: one round trip
    }
  }

  const send = (task: Task, p: Prov, canary: boolean, delay = 0) => {
    const work: Work = { task, prov: p, canary, answered: false }
    task.used.add(p.id)
    task.open++
    task.job.outstanding.add(work)
    if (!canary) stats.executions++
    q.after(delay + oneWay(p, task.job.req), { t: 'deliver', work })
  }

  const inFlight = (job: Job, p: Prov) => {
    let n = 0
    for (const w of job.outstanding) if (w.prov === p) n++
    return n
  }

  /** Keep `p` busy with the job's replicas first, then new tasks, up to the pipeline depth. */
  const feed = (job: Job, p: Prov, delay = 0) => {
    while (job.providers.includes(p) && inFlight(job, p) < PIPELINE) {
      const ri = job.replicaNeeds.findIndex((t) => !t.used.has(p.id) && !t.done)
      if (ri >= 0) {
        send(job.replicaNeeds.splice(ri, 1)[0], p, false, delay)
        continue
      }
      const task = job.unassigned.shift()
      if (!task) return
      const plan = timed(() => job.req.policy.plan({ id: task.id }, p.id))
      task.plan = plan
      task.primary = p
      send(task, p, false, delay)
      for (let i = 1; i < plan.replicas; i++) job.replicaNeeds.push(task)
      if (plan.canary) send(task, p, true, delay)
      if (plan.replicas > 1) for (const other of job.providers) if (other !== p) feed(job, other)
    }
    if (stuck(job)) demand(job)
  }

  /** The job stops working with `p` (gone or excluded): its unanswered tasks are sent to the others. */
  const release = (job: Job, p: Prov) => {
    if (!job.providers.includes(p)) return
    job.providers = job.providers.filter((x) => x !== p)
    p.jobs.delete(job)
    for (const w of [...job.outstanding]) {
      if (w.prov !== p) continue
      job.outstanding.delete(w)
      w.answered = true
      w.task.open--
      if (w.canary || w.task.done) continue
      stats.resent++
      if (w.task.results.length === 0 && w.prov === w.task.primary) job.unassigned.unshift(w.task)
      else job.replicaNeeds.push(w.task)
    }
    demand(job)
    for (const other of job.providers) feed(job, other)
  }

  const runNext = (p: Prov) => {
    if (p.running || !p.online) return
    const work = p.queue.shift()
    if (!work) return
    p.running = work
    q.after(p.shardMs, { t: 'computed', work })
  }

  const judge = (req: Req, provider: Prov, task: string, verdict: 'valid' | 'invalid', canary = false) => {
    const b = req.book.get(provider.id) ?? { valid: 0, invalid: 0 }
    b[verdict]++
    req.book.set(provider.id, b)
    req.policy.record({ provider: provider.id, task, verdict, canary })
    if (verdict === 'invalid' && req.policy.isExcluded(provider.id) && !req.excluded.has(provider.id)) {
      req.excluded.add(provider.id)
      if (provider.cheat) stats.excluded++
    }
  }

  const finishTask = (task: Task) => {
    task.done = true
    const job = task.job
    if (--job.remaining > 0) return
    jobTimes.push(q.now - job.startedAt)
    for (const p of job.providers) p.jobs.delete(job)
    job.providers = []
    if (job.req.jobsLeft > 0) q.after(0, { t: 'start', req: job.req })
  }

  const onResult = async (ev: SimEvent & { t: 'result' }) => {
    const { work, output } = ev
    const { task, prov } = work
    const job = task.job
    const req = job.req
    // the requester checks every answer as the real one does: the output's hash (the stream is authenticated)
    const s = performance.now()
    if (sha256Hex(encoder.encode(output)) !== ev.outputHash) throw new Error('simulated result hash mismatch')
    taskCpu += performance.now() - s
    const ok = output === `out:${task.id}`
    if (work.canary) {
      timed(() => judge(req, prov, `${task.id}.canary`, ok ? 'valid' : 'invalid', true))
    } else if (!task.done) {
      task.results.push({ provider: prov.id, output })
      const plan = task.plan!
      if (task.results.length >= plan.replicas || task.open === 0) {
        const byId = new Map(job.providers.concat(prov).map((p) => [p.id, p]))
        const d = timed(() =>
          decideQuorum(task.results, {
            quorum: plan.quorum,
            maxReplicas: plan.maxReplicas,
            equal: (a, b) => a === b,
          }),
        )
        if (d.status === 'pending') {
          if (task.open === 0) job.replicaNeeds.push(task)
        } else {
          stats.tasks++
          if (d.status === 'accepted') {
            if (d.output !== `out:${task.id}`) stats.wrong++
            timed(() => {
              if (task.results.length === 1)
                req.policy.record({ provider: prov.id, task: task.id, verdict: 'unchecked' })
              for (const id of task.results.length > 1 ? d.agreeing : []) {
                const p = byId.get(id)
                if (p) judge(req, p, task.id, 'valid')
              }
              for (const id of d.outvoted) {
                const p = byId.get(id) ?? provs[Number(id.slice(1))]
                judge(req, p, task.id, 'invalid')
              }
            })
          } else stats.failed++
          finishTask(task)
        }
      }
    }
    for (const p of [...job.providers]) if (req.excluded.has(p.id)) release(job, p)
    if (!req.excluded.has(prov.id)) feed(job, prov)
  }

  const start = (req: Req) => {
    req.jobsLeft--
    const job: Job = {
      id: `${req.id}.j${req.jobsLeft}`,
      req,
      startedAt: q.now,
      providers: [],
      unassigned: [],
      replicaNeeds: [],
      outstanding: new Set(),
      remaining: o.shardsPerJob,
      demands: 0,
      asking: false,
    }
    for (let s = 0; s < o.shardsPerJob; s++)
      job.unassigned.push({ id: `${job.id}.s${s}`, job, results: [], used: new Set(), open: 0, done: false })
    demand(job)
  }
  for (let r = 0; r < o.requesters; r++) {
    const policy = adaptive({ seed: o.seed * 1000 + r })
    const req: Req = {
      id: `r${r}`,
      latency: logNormal(rng, latencyMs, 0.7),
      policy,
      book: new Map(),
      jobsLeft: o.jobsPerRequester,
      excluded: new Set(),
    }
    q.after(rng.next() * 1000, { t: 'start', req })
  }

  let events = 0
  const total = o.requesters * o.jobsPerRequester
  for (let ev = q.pop(); ev && jobTimes.length < total && q.now <= maxSimMs; ev = q.pop()) {
    events++
    switch (ev.t) {
      case 'start':
        start(ev.req)
        break
      case 'offer': {
        const w = windows.get(ev.demand)
        if (!w || !ev.prov.online) break
        // the provider signs (its CPU, not counted); the requester checks the signature (counted)
        ev.offer.signature = await signPayload(keys[ev.prov.signer], DOMAINS.offer, signedPart(ev.offer))
        const s = performance.now()
        await verifyPayload(ev.offer.provider, DOMAINS.offer, signedPart(ev.offer), ev.offer.signature)
        offerCpu += performance.now() - s
        stats.offers++
        w.offers.push(ev)
        const expected = Math.max(want, Math.min(provs.length, 2 * want))
        if (w.offers.length >= expected) closeWindow(ev.demand)
        else if (w.offers.length === 1)
          q.after(offerGraceMs(q.now - ev.sentAt), { t: 'close', demand: ev.demand })
        break
      }
      case 'close':
        closeWindow(ev.demand)
        break
      case 'redemand':
        demand(ev.job)
        break
      case 'deliver':
        if (ev.work.prov.online && !ev.work.answered) {
          ev.work.prov.queue.push(ev.work)
          runNext(ev.work.prov)
        }
        break
      case 'computed': {
        const { work } = ev
        const p = work.prov
        if (p.running !== work) break
        p.running = undefined
        runNext(p)
        if (work.answered) break
        const output = p.cheat && rng.next() < (o.cheatRate ?? 0.3) ? `wrong:${p.id}` : `out:${work.task.id}`
        const outputHash = sha256Hex(encoder.encode(output))
        q.after(oneWay(p, work.task.job.req), { t: 'result', work, output, outputHash })
        break
      }
      case 'result':
        if (ev.work.answered || !ev.work.prov.online) break
        ev.work.answered = true
        ev.work.task.open--
        ev.work.task.job.outstanding.delete(ev.work)
        await onResult(ev)
        break
      case 'dead':
        stats.lost++
        release(ev.job, ev.prov)
        break
      case 'flip': {
        const p = ev.prov
        p.online = !p.online
        if (!p.online) {
          // its queue is lost; each requester notices the missed heartbeats and sends the tasks again
          p.queue = []
          p.running = undefined
          for (const job of p.jobs) q.after(HEARTBEAT_TIMEOUT_MS, { t: 'dead', job, prov: p })
          p.jobs.clear()
        }
        q.after(spell(p), { t: 'flip', prov: p })
        break
      }
    }
  }
  return report(o, stats, { jobTimes, offerCpu, taskCpu, events, wallMs: performance.now() - t0 })
}
