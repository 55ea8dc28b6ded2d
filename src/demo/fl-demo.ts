import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { type Hex, parseUnits } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { type LoadOptions, loadCsv } from '../data/load.js'
import { dirichletPartition } from '../data/partition.js'
import type { Dataset } from '../data/schema.js'
import { trainTestSplit } from '../data/split.js'
import { chainAnchor } from '../fl/lineage/chain-anchor.js'
import { verifyLineage } from '../fl/lineage/verify.js'
import { createFlCoordinator, type FlCoordinatorOptions, payoutsOf } from '../fl/network/coordinator.js'
import type { FlJobSpecInput } from '../fl/network/protocol.js'
import type { FlJobState } from '../fl/network/store.js'
import { openFlStore } from '../fl/network/store.js'
import { startFlTestNetwork } from '../fl/network/test-harness.js'
import { initDataDir } from '../identity/init.js'
import { readDeployments } from '../ledger/deployments.js'
import { createLedger, type Ledger } from '../ledger/ledger.js'
import { logger } from '../log.js'
import { createHost } from '../net/host.js'
import { fundIfLocal } from '../node/chain-setup.js'
import { evaluate } from '../train/classifier.js'
import { trainClassifier } from '../train/train-classifier.js'
import {
  FlDemoError,
  type FlDemoJob,
  type FlDemoOptions,
  type FlDemoReport,
  fmtMut,
  pct,
  printJob,
} from './fl-demo-report.js'
import { serve, toOnnx } from './fl-demo-serve.js'
import { CLI, type LocalChain, startNetwork } from './local-network.js'
import { DATA_DIR } from './run-demo.js'

export {
  FlDemoError,
  type FlDemoHolder,
  type FlDemoJob,
  type FlDemoOptions,
  type FlDemoReport,
  type FlDemoServe,
} from './fl-demo-report.js'

const log = logger('fl-demo')

const load = async (file: string, o: LoadOptions) => loadCsv(await readFile(join(DATA_DIR, file), 'utf8'), o)

interface JobSetup {
  job: string
  dataset: string
  names: string[]
  train: Dataset
  test: Dataset
  parts: Dataset[]
  validation?: Dataset
  seed: number
  secure: boolean
}

type CoordinatorExtras = Partial<Omit<FlCoordinatorOptions, 'host' | 'key' | 'store' | 'spec'>>

/** Holders as in-process libp2p hosts (one per holder, each with its own ledger account). */
async function runInProcess(
  s: JobSetup,
  spec: FlJobSpecInput,
  coordinator: CoordinatorExtras,
  holders: Ledger[],
): Promise<{ state: FlJobState; peers: string[] }> {
  const net = await startFlTestNetwork({
    spec,
    holders: s.parts,
    coordinator,
    holder: (i) => ({ payments: holders[i] }),
  })
  try {
    const state = await net.coordinator.run()
    const results = await Promise.all(net.holderRuns) // each holder redeemed its own voucher
    for (const [i, r] of results.entries())
      if (r.payment?.error) throw new FlDemoError(`${s.names[i]} could not redeem: ${r.payment.error}`)
    return { state, peers: net.holderHosts.map((h) => h.peerId.toString()) }
  } finally {
    await net.stop()
  }
}

/**
 * Holders as separate `mutirao fl join` processes, each with its own data dir (identity, ledger key) and
 * its own CSV file; the coordinator runs in this process. Each holder redeems its voucher and exits 0.
 */
async function runWithProcesses(
  s: JobSetup,
  spec: FlJobSpecInput,
  coordinator: CoordinatorExtras,
  chain: LocalChain,
  dirs: string[],
  peers: string[],
): Promise<{ state: FlJobState; peers: string[] }> {
  const key = await generateKeyPair('Ed25519')
  const host = await createHost({ privateKey: key })
  await host.start()
  const store = openFlStore(join(dirname(dirs[0]!), 'owner', 'fl.db'))
  const c = createFlCoordinator({ host, key, store, spec, ...coordinator })
  const procs: ChildProcess[] = []
  try {
    await c.start()
    const addr = host.getMultiaddrs()[0]!.toString()
    const exits = s.parts.map(async (part, i) => {
      const csv = join(dirs[i]!, 'data.csv')
      const text = datasetToCsv(part)
      const back = loadCsv(text, { schema: spec.schema })
      if (back.x.some((v, k) => !Object.is(v, part.x[k])) || back.y.some((v, k) => v !== part.y[k]))
        throw new FlDemoError(`${s.names[i]}'s rows do not survive the CSV round trip`)
      await writeFile(csv, text)
      const args = ['fl', 'join', '--coordinator', addr, '--job', spec.id, '--data', csv]
      const proc = spawn(process.execPath, [CLI, ...args, '--data-dir', dirs[i]!, ...chain.args, '--json'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, MUTIRAO_LOG: 'warn' },
      })
      procs.push(proc)
      const stderr: string[] = []
      createInterface({ input: proc.stderr! }).on('line', (l) => stderr.push(l))
      const code = await new Promise<number | null>((done) => proc.on('exit', done))
      if (code !== 0)
        throw new FlDemoError(`${s.names[i]} (mutirao fl join) exited with ${code}`, {
          details: stderr.slice(-10).join('\n'),
          metaMessages: ['Is dist/ built (npm run build)? The holder processes run bin/mutirao.js.'],
        })
    })
    // A holder that exits early (bad file, no dist/) fails the job at once instead of at the join timeout.
    const holderFailed = Promise.all(exits).then(() => new Promise<never>(() => {}))
    const state = await Promise.race([c.run(), holderFailed])
    await Promise.all(exits) // each holder redeemed its own voucher
    return { state, peers }
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    await c.stop()
    await host.stop()
    store.close()
  }
}

/** Writes encoded rows back as CSV (schema column names, categories by name, missing values empty). */
export function datasetToCsv(ds: Dataset): string {
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
  const f = ds.schema.features
  const lines = [[...f.map((c) => c.name), ds.schema.target.name].map(q).join(',')]
  for (let i = 0; i < ds.n; i++) {
    const row = f.map((c, j) => {
      const v = ds.x[i * ds.d + j]!
      if (Number.isNaN(v)) return ''
      return c.kind === 'categorical' ? q(c.categories[v]!) : String(v)
    })
    row.push(q(ds.schema.target.classes[ds.y[i]!]!))
    lines.push(row.join(','))
  }
  return `${lines.join('\n')}\n`
}

/**
 * Runs one co-training job: an owner (coordinator, in this process) that escrows the data budget on the
 * chain, N holders (processes or in-process hosts) with their own ledger accounts that redeem their
 * vouchers; compares with the same model trained centrally and verifies the lineage against the anchor.
 */
async function coTrain(
  s: JobSetup,
  chain: LocalChain,
  o: Required<Pick<FlDemoOptions, 'rounds' | 'every' | 'budgetMut'>> & { workDir?: string },
  say: (line: string) => void,
): Promise<{ report: FlDemoJob; state: FlJobState }> {
  const t0 = Date.now()
  const budget = parseUnits(o.budgetMut, 18)
  const deployments = await readDeployments(chain.deploymentsFile)
  const ledger = (key: Hex = generatePrivateKey()) =>
    createLedger({ rpcUrl: chain.rpcUrl, privateKey: key, deployments })
  const owner = await ledger()
  await fundIfLocal(owner, budget, log)
  // Holder processes: their data dirs (identity and ledger key) are created here first.
  const ids =
    o.workDir === undefined
      ? undefined
      : await Promise.all(s.names.map((n) => initDataDir(join(o.workDir!, s.job, n))))
  const holders = await Promise.all(s.parts.map((_, i) => ledger(ids?.[i]?.identity.ethPrivateKey)))
  for (const h of holders) await fundIfLocal(h, 1n, log) // gas to redeem its voucher
  const central = await trainClassifier({
    data: s.train,
    model: { kind: 'logreg' },
    epochs: o.rounds,
    seed: s.seed,
    batchSize: 32,
    learningRate: 0.1,
    optimizer: 'sgd',
  })
  const centralAccuracy = evaluate(central, s.test).accuracy
  central.net.dispose()
  say(
    `${s.job}: ${s.parts.length} holders${ids ? ' (mutirao fl join processes)' : ''}: ${s.parts.map((p, i) => `${s.names[i]} ${p.n} rows`).join(', ')}; ` +
      `${s.test.n} held-out rows; ${s.secure ? 'secure aggregation ON' : 'plain FedAvg, GTG-Shapley on the owner’s validation rows'}`,
  )
  const ownerBefore = await owner.balance()
  const before = await Promise.all(holders.map((h) => h.balance()))
  const spec: FlJobSpecInput = {
    id: s.job,
    model: { kind: 'logreg' },
    schema: s.train.schema,
    rounds: o.rounds,
    minParticipants: s.parts.length,
    roundDeadlineMs: 30_000,
    local: { epochs: 1, batchSize: 32, lr: 0.1 },
    seed: s.seed,
    dataBudget: budget.toString(),
    ...(s.secure ? { secureAggregation: {} } : {}),
  }
  const coordinator: CoordinatorExtras = {
    test: s.test,
    validation: s.validation,
    payments: owner,
    anchor: chainAnchor(owner),
    joinTimeoutMs: 60_000,
    onEvent: (e) => {
      if (e.type === 'round' && (e.round % o.every === 0 || e.round === o.rounds))
        say(`  round ${String(e.round).padStart(3)}  accuracy ${pct(e.testAccuracy ?? 0)}`)
      if (e.type === 'escrow-opened')
        say(`  data budget ${fmtMut(budget)} locked in escrow job ${e.escrowJobId}`)
    },
  }
  const { state, peers } = ids
    ? await runWithProcesses(
        s,
        spec,
        coordinator,
        chain,
        ids.map((r) => r.layout.root),
        ids.map((r) => r.identity.peerId),
      )
    : await runInProcess(s, spec, coordinator, holders)
  const lineage = state.lineage
  const payouts = payoutsOf(state)
  if (state.status !== 'done' || !lineage || !payouts || !state.payments)
    throw new FlDemoError(`Job ${s.job} ended ${state.status}: ${state.error ?? 'no lineage or payouts'}`)
  const after = await Promise.all(holders.map((h) => h.balance()))
  const accuracy = lineage.rounds.map((r) => r.testAccuracy ?? 0)
  const auditor = await ledger() // anyone can verify: a fresh account with no tokens
  const check = await verifyLineage(lineage, { modelHash: lineage.modelHash, anchor: chainAnchor(auditor) })
  const recorded = await auditor.contributions({ jobId: BigInt(state.payments.escrowJobId) })
  const report: FlDemoJob = {
    job: s.job,
    dataset: s.dataset,
    secureAggregation: s.secure,
    valuation: lineage.rounds.at(-1)?.valuation ?? 'samples',
    rounds: lineage.rounds.length,
    accuracy,
    federatedAccuracy: accuracy.at(-1) ?? 0,
    centralAccuracy,
    holders: peers.map((peer, i) => ({
      name: s.names[i]!,
      peer,
      address: holders[i]!.address,
      rows: s.parts[i]!.n,
      share: Number(BigInt(payouts[peer] ?? '0')) / Number(budget),
      payout: payouts[peer] ?? '0',
      balanceChange: (after[i]! - before[i]!).toString(),
    })),
    budget: budget.toString(),
    ownerBalanceChange: ((await owner.balance()) - ownerBefore).toString(),
    escrowJobId: state.payments.escrowJobId,
    contributionsOnChain: recorded.filter((c) => c.receiptsRoot === `0x${lineage.root}`).length,
    modelHash: lineage.modelHash ?? '',
    lineageRoot: lineage.root,
    lineageVerified: check.ok,
    anchoredOnChain: check.anchored === true,
    problems: check.problems,
    seconds: (Date.now() - t0) / 1000,
  }
  printJob(report, say)
  return { report, state }
}

/**
 * "Co-train, then serve", on one machine: starts a local chain and a compute market (a requester and N
 * providers, separate processes); three hospitals with non-IID WDBC splits co-train a diagnostic model under
 * secure aggregation, four farms with non-IID soybean splits co-train a crop-disease classifier (valued by
 * GTG-Shapley), each paid its share of the data budget on-chain with the lineage anchored; then the WDBC
 * model runs as an inference job on the market.
 * @example
 * const r = await runFlDemo({ rounds: 40, say: console.log })
 */
export async function runFlDemo(options: FlDemoOptions = {}): Promise<FlDemoReport> {
  const t0 = Date.now()
  const say = options.say ?? (() => {})
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'mutirao-fl-demo-')))
  const o = {
    rounds: options.rounds ?? 40,
    every: options.every ?? 5,
    budgetMut: options.budgetMut ?? '1000',
    workDir: options.holderProcesses === false ? undefined : join(workDir, 'holders'),
  }
  say('Starting a local chain, a requester and providers (separate processes on 127.0.0.1)…')
  const net = await startNetwork({ providers: options.providers ?? 2, root: join(workDir, 'nodes') })
  try {
    const wdbc = await load('wdbc-breast-cancer.csv', { target: 'diagnosis' })
    const w = trainTestSplit(wdbc, { seed: 1, testFraction: 0.25 })
    const hospitals = await coTrain(
      {
        job: 'wdbc-hospitals',
        dataset: 'wdbc-breast-cancer.csv',
        names: ['hospital-a', 'hospital-b', 'hospital-c'],
        ...w,
        parts: dirichletPartition(w.train, { holders: 3, alpha: 0.5, seed: 1, minRows: 20 }),
        seed: 1,
        secure: true,
      },
      net.chain,
      o,
      say,
    )
    const soy = await load('soybean-disease.csv', { target: 'Class', categorical: 'all' })
    const f = trainTestSplit(soy, { seed: 2, testFraction: 0.25 })
    const fv = trainTestSplit(f.test, { seed: 2, testFraction: 0.5 })
    const farms = await coTrain(
      {
        job: 'soybean-farms',
        dataset: 'soybean-disease.csv',
        names: ['farm-1', 'farm-2', 'farm-3', 'farm-4'],
        train: f.train,
        test: fv.train,
        validation: fv.test,
        parts: dirichletPartition(f.train, { holders: 4, alpha: 0.5, seed: 2, minRows: 20 }),
        seed: 2,
        secure: false,
      },
      net.chain,
      o,
      say,
    )
    const served =
      options.serve === false ? undefined : await serve(toOnnx(hospitals.state), w.test, net, say)
    const jobOk = (j: FlDemoJob) =>
      Math.abs(j.federatedAccuracy - j.centralAccuracy) <= 0.02 &&
      j.lineageVerified &&
      j.anchoredOnChain &&
      j.holders.every((h) => h.balanceChange === h.payout) &&
      j.holders.reduce((a, h) => a + BigInt(h.payout), 0n) === BigInt(j.budget) &&
      BigInt(j.ownerBalanceChange) === -BigInt(j.budget)
    const ok =
      jobOk(hospitals.report) &&
      jobOk(farms.report) &&
      (served === undefined || (served.labelsEqualLocal && served.maxAbsDiffVsLocal <= 1e-6))
    return {
      hospitals: hospitals.report,
      farms: farms.report,
      serve: served,
      ok,
      seconds: (Date.now() - t0) / 1000,
    }
  } finally {
    await net.stop()
    if (!options.workDir) await rm(workDir, { recursive: true, force: true })
  }
}
