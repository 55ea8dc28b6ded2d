import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatUnits } from 'viem'
import { loadCsvFile } from '../data/load.js'
import { InvalidInputError } from '../errors.js'
import { runOnnxLocally } from '../exec/onnx-executor.js'
import { maxAbsDiff } from '../exec/tensor-codec.js'
import { tensorFromValues, tensorToValues } from '../exec/tensor-values.js'
import { formatPrice } from '../market/price.js'
import type { JobProgress } from '../requester/job-spec.js'
import { connect, type MutiraoClient } from '../sdk/client.js'
import { trainDemoModel } from '../train/demo-model.js'
import { type LocalNetwork, startNetwork } from './local-network.js'

/** Where the vendored data sets live. */
export const DATA_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../data')

/** Options of the demo. */
export interface DemoOptions {
  providers?: number
  /** Keep the data dirs here (default: a temp dir, removed at the end). */
  workDir?: string
  /** Report each step (the CLI prints them). */
  say?: (line: string) => void
  onProgress?: (p: JobProgress) => void
}

/** The ledger part of the demo: who paid, who earned, and one receipt proven against the chain. */
export interface DemoLedgerReport {
  escrowJob: string
  pricePerUnit: string
  requester: {
    address: string
    before: string
    after: string
    /** Locked in the job's escrow when it hired providers. */
    escrowed: string
    paidToProviders: string
    /** Returned when the job ended (early close with the providers' releases); null if the escrow stayed open. */
    refunded: string | null
  }
  providers: { name: string; address: string; units: number; earned: string; expected: string }[]
  proof?: { provider: string; taskId: string; root: string; proofLength: number; verifiedOnChain: boolean }
}

/** What the demo measured. */
export interface DemoReport {
  trainAccuracy: number
  samples: number
  job: JobProgress
  maxAbsDiffVsLocal: number
  labelsEqualLocal: boolean
  accuracyAllRows: number
  ledger: DemoLedgerReport
  seconds: number
}

/**
 * The end-to-end demo: train a classifier on WDBC (breast-cancer diagnosis), export it to ONNX, start a
 * requester and N providers as separate processes on 127.0.0.1, run the model over every patient record
 * as an inference job across the providers, and compare with the same model run locally.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const say = options.say ?? (() => {})
  const started = Date.now()
  const csv = join(DATA_DIR, 'wdbc-breast-cancer.csv')
  say('Training a diagnostic classifier (MLP, tfjs) on WDBC breast-cancer records…')
  const model = await trainDemoModel(csv)
  say(
    `  held-out accuracy ${(model.accuracy * 100).toFixed(1)}%, exported to ONNX (${model.onnx.length} bytes)`,
  )
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'mutirao-demo-')))
  await writeFile(join(workDir, 'wdbc-model.onnx'), model.onnx)
  const providers = options.providers ?? 3
  say(`Starting a requester and ${providers} providers as separate processes on 127.0.0.1…`)
  const net = await startNetwork({ providers, root: join(workDir, 'nodes') })
  try {
    for (const n of [net.requester, ...net.providers]) say(`  ${n.name.padEnd(11)} ${n.peerId}`)
    const ds = await loadCsvFile(csv, { target: 'diagnosis' })
    const inputs = { features: tensorFromValues('float32', [ds.n, ds.d], Array.from(ds.x)) }
    say(`Submitting an inference job over all ${ds.n} patient records…`)
    const client = await connect({ dataDir: net.requester.dataDir })
    const providerClients = await Promise.all(net.providers.map((p) => connect({ dataDir: p.dataDir })))
    const requesterBefore = (await client.ledger.wallet()).balance
    const providersBefore = await Promise.all(
      providerClients.map(async (c) => (await c.ledger.wallet()).balance),
    )
    say(`  requester balance ${fmtMut(requesterBefore)}`)
    const accepted = await client.submit({ model: model.onnx, inputs, name: 'wdbc-screening', shardSize: 16 })
    const job = await client.wait(accepted.jobId, { onProgress: options.onProgress })
    const outputs = await client.result(job.jobId)
    const local = await runOnnxLocally(model.onnx, inputs)
    const labels = tensorToValues(outputs.label).map(Number)
    const correct = labels.filter((l, i) => l === ds.y[i]).length
    const ledger = await settle(job, net, client, providerClients, requesterBefore, providersBefore, say)
    return {
      trainAccuracy: model.accuracy,
      samples: ds.n,
      job,
      maxAbsDiffVsLocal: maxAbsDiff(outputs.probabilities, local.probabilities),
      labelsEqualLocal: tensorToValues(local.label).every((v, i) => Number(v) === labels[i]),
      accuracyAllRows: correct / ds.n,
      ledger,
      seconds: (Date.now() - started) / 1000,
    }
  } finally {
    await net.stop()
    if (!options.workDir) await rm(workDir, { recursive: true, force: true })
  }
}

const fmtMut = (baseUnits: string | bigint) => `${formatUnits(BigInt(baseUnits), 18)} MUT`

/**
 * After the job: wait until every provider has redeemed (balance grew by units × price), read the
 * requester's balance, and prove one provider's task receipt against the chain.
 */
async function settle(
  job: JobProgress,
  net: LocalNetwork,
  client: MutiraoClient,
  providerClients: MutiraoClient[],
  requesterBefore: string,
  providersBefore: string[],
  say: (line: string) => void,
): Promise<DemoLedgerReport> {
  const escrow = (
    job as JobProgress & {
      escrow?: {
        escrowJob: string
        pricePerUnit: string
        budget: string | null
        refunded: string | null
      } | null
    }
  ).escrow
  if (!escrow) throw new InvalidInputError(`job ${job.jobId} has no escrow: nothing was paid`)
  const price = BigInt(escrow.pricePerUnit)
  say(`Settlement on the chain (escrow job ${escrow.escrowJob}, ${formatPrice(price)}):`)
  const providers: DemoLedgerReport['providers'] = []
  for (const [i, p] of net.providers.entries()) {
    const units = job.providers.find((w) => w.provider === p.peerId)?.units ?? 0
    const expected = BigInt(units) * price
    const end = Date.now() + 60_000
    let w = await providerClients[i].ledger.wallet()
    while (BigInt(w.balance) - BigInt(providersBefore[i]) < expected && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500))
      w = await providerClients[i].ledger.wallet()
    }
    const earned = BigInt(w.balance) - BigInt(providersBefore[i])
    providers.push({
      name: p.name,
      address: w.address,
      units,
      earned: earned.toString(),
      expected: expected.toString(),
    })
    say(
      `  ${p.name.padEnd(11)} ${units} units × ${price} = ${expected} base units; earned ${fmtMut(earned)} ${earned === expected ? '✓' : '✗'}`,
    )
  }
  const after = (await client.ledger.wallet()).balance
  const escrowed = BigInt(escrow.budget ?? 0)
  const paid = providers.reduce((a, p) => a + BigInt(p.earned), 0n)
  say(
    `  requester   ${fmtMut(requesterBefore)} → ${fmtMut(after)}: ${fmtMut(escrowed)} locked in escrow, ${fmtMut(paid)} of it paid to providers, ${
      escrow.refunded
        ? `${fmtMut(escrow.refunded)} refunded when the job ended`
        : 'the rest reclaimable after the redeem window'
    }`,
  )
  let proof: DemoLedgerReport['proof']
  const withWork = providers.findIndex((p) => p.units > 0)
  if (withWork >= 0) {
    const [task] = await providerClients[withWork].ledger.receipts(1)
    if (task) {
      const p = await providerClients[withWork].ledger.prove(task.taskId)
      proof = {
        provider: providers[withWork].name,
        taskId: task.taskId,
        root: p.root,
        proofLength: p.proof.length,
        verifiedOnChain: p.verifiedOnChain,
      }
      say(
        `  task ${task.taskId} of ${proof.provider}: Merkle proof (${proof.proofLength} hashes) to root ${p.root.slice(0, 12)}… verified on chain: ${p.verifiedOnChain ? 'yes' : 'NO'}`,
      )
    }
  }
  return {
    escrowJob: escrow.escrowJob,
    pricePerUnit: escrow.pricePerUnit,
    requester: {
      address: (await client.ledger.wallet()).address,
      before: requesterBefore,
      after,
      escrowed: escrowed.toString(),
      paidToProviders: paid.toString(),
      refunded: escrow.refunded,
    },
    providers,
    proof,
  }
}
