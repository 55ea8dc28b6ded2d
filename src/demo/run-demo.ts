import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadCsvFile } from '../data/load.js'
import { runOnnxLocally } from '../exec/onnx-executor.js'
import { maxAbsDiff } from '../exec/tensor-codec.js'
import { tensorFromValues, tensorToValues } from '../exec/tensor-values.js'
import type { JobProgress } from '../requester/job-spec.js'
import { connect } from '../sdk/client.js'
import { trainDemoModel } from '../train/demo-model.js'
import { startNetwork } from './local-network.js'

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

/** What the demo measured. */
export interface DemoReport {
  trainAccuracy: number
  samples: number
  job: JobProgress
  maxAbsDiffVsLocal: number
  labelsEqualLocal: boolean
  accuracyAllRows: number
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
    const accepted = await client.submit({ model: model.onnx, inputs, name: 'wdbc-screening', shardSize: 16 })
    const job = await client.wait(accepted.jobId, { onProgress: options.onProgress })
    const outputs = await client.result(job.jobId)
    const local = await runOnnxLocally(model.onnx, inputs)
    const labels = tensorToValues(outputs.label).map(Number)
    const correct = labels.filter((l, i) => l === ds.y[i]).length
    return {
      trainAccuracy: model.accuracy,
      samples: ds.n,
      job,
      maxAbsDiffVsLocal: maxAbsDiff(outputs.probabilities, local.probabilities),
      labelsEqualLocal: tensorToValues(local.label).every((v, i) => Number(v) === labels[i]),
      accuracyAllRows: correct / ds.n,
      seconds: (Date.now() - started) / 1000,
    }
  } finally {
    await net.stop()
    if (!options.workDir) await rm(workDir, { recursive: true, force: true })
  }
}
