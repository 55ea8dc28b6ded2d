import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Hex, parseUnits } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { type LoadOptions, loadCsv } from '../data/load.js'
import { dirichletPartition } from '../data/partition.js'
import type { Dataset } from '../data/schema.js'
import { trainTestSplit } from '../data/split.js'
import { chainAnchor } from '../fl/lineage/chain-anchor.js'
import { verifyLineage } from '../fl/lineage/verify.js'
import { payoutsOf } from '../fl/network/coordinator.js'
import type { FlJobSpecInput } from '../fl/network/protocol.js'
import type { FlJobState } from '../fl/network/store.js'
import { initDataDir } from '../identity/init.js'
import { readDeployments } from '../ledger/deployments.js'
import { createLedger, type Ledger } from '../ledger/ledger.js'
import { logger } from '../log.js'
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
import { datasetToCsv, runOnNodes } from './fl-on-nodes.js'
import { type LocalNetwork, type LocalNode, startNetwork, startNodeProcess } from './local-network.js'
import { DATA_DIR } from './run-demo.js'

export {
  FlDemoError,
  type FlDemoHolder,
  type FlDemoJob,
  type FlDemoOptions,
  type FlDemoReport,
  type FlDemoServe,
} from './fl-demo-report.js'
export { datasetToCsv } from './fl-on-nodes.js'

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

/**
 * Runs one co-training job on nodes: the owner's node coordinates it and escrows the data budget on the chain;
 * N holder nodes (separate processes, their own ledger accounts) train on their own files and redeem their
 * vouchers; compares with the same model trained centrally and verifies the lineage against the anchor with a
 * fresh account, as any auditor could.
 */
async function coTrain(
  s: JobSetup,
  net: LocalNetwork,
  o: Required<Pick<FlDemoOptions, 'rounds' | 'every' | 'budgetMut'>> & { workDir: string },
  say: (line: string) => void,
): Promise<{ report: FlDemoJob; state: FlJobState }> {
  const t0 = Date.now()
  const { chain } = net
  const budget = parseUnits(o.budgetMut, 18)
  const deployments = await readDeployments(chain.deploymentsFile)
  const ledger = (key: Hex = generatePrivateKey()) =>
    createLedger({ rpcUrl: chain.rpcUrl, privateKey: key, deployments })
  // the owner is the network's requester node: it co-trains the model, then serves it on the market
  const ownerNode = net.requester
  const owner = await ledger((await initDataDir(ownerNode.dataDir)).identity.ethPrivateKey)
  await fundIfLocal(owner, budget, log)
  const dir = join(o.workDir, s.job)
  const holderNodes = await Promise.all(
    s.names.map((n) => startNodeProcess(n, join(dir, n), chain.args, { MUTIRAO_LOG: 'warn' })),
  )
  try {
    return await coTrainOn(s, { ownerNode, owner, holderNodes, ledger, budget, dir }, o, say, t0)
  } finally {
    await Promise.all(holderNodes.map((h) => h.stop()))
  }
}

async function coTrainOn(
  s: JobSetup,
  n: {
    ownerNode: LocalNode
    owner: Ledger
    holderNodes: LocalNode[]
    ledger: (key?: Hex) => Promise<Ledger>
    budget: bigint
    dir: string
  },
  o: Required<Pick<FlDemoOptions, 'rounds' | 'every' | 'budgetMut'>>,
  say: (line: string) => void,
  t0: number,
): Promise<{ report: FlDemoJob; state: FlJobState }> {
  const { owner, budget, ledger } = n
  const ids = await Promise.all(n.holderNodes.map((h) => initDataDir(h.dataDir)))
  const holders = await Promise.all(ids.map((r) => ledger(r.identity.ethPrivateKey)))
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
    `${s.job}: ${s.parts.length} holder nodes: ${s.parts.map((p, i) => `${s.names[i]} ${p.n} rows`).join(', ')}; ` +
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
  const files = {
    test: join(n.dir, 'owner-test.csv'),
    ...(s.validation ? { validation: join(n.dir, 'owner-validation.csv') } : {}),
  }
  await writeFile(files.test, datasetToCsv(s.test))
  if (s.validation && files.validation) await writeFile(files.validation, datasetToCsv(s.validation))
  const state = await runOnNodes(s, spec, n.ownerNode, n.holderNodes, files, (e) => {
    const round = e.round as number
    if (e.event === 'round' && (round % o.every === 0 || round === o.rounds))
      say(`  round ${String(round).padStart(3)}  accuracy ${pct((e.testAccuracy as number) ?? 0)}`)
    if (e.event === 'escrow-opened')
      say(`  data budget ${fmtMut(budget)} locked in escrow job ${e.escrowJobId}`)
  })
  const peers = ids.map((r) => r.identity.peerId)
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
    workDir: join(workDir, 'holders'),
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
      net,
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
      net,
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
