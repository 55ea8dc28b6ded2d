import type { Dataset } from '../data/schema.js'
import { runOnnxLocally } from '../exec/onnx-executor.js'
import { maxAbsDiff } from '../exec/tensor-codec.js'
import { tensorFromValues, tensorToValues } from '../exec/tensor-values.js'
import type { FlJobState } from '../fl/network/store.js'
import { connect } from '../sdk/client.js'
import { createModel } from '../train/create-model.js'
import { exportToOnnx } from '../train/export-onnx.js'
import { setFlatWeights } from '../train/weights.js'
import { FlDemoError, type FlDemoServe, pct } from './fl-demo-report.js'
import type { startNetwork } from './local-network.js'

/** The co-built WDBC model as ONNX (preprocessing included; input `features` = raw rows). */
export function toOnnx(state: FlJobState): Uint8Array {
  const { spec, preprocessing, global } = state
  if (!preprocessing || !global) throw new FlDemoError(`Job ${spec.id} has no trained model`)
  const net = createModel(spec.model, preprocessing.outputDim, spec.schema.target.classes.length, spec.seed)
  setFlatWeights(net, global)
  const onnx = exportToOnnx(net, preprocessing, { classes: spec.schema.target.classes })
  net.dispose()
  return onnx
}

/** Runs the co-built model over the test rows as an inference job on the local compute market. */
export async function serve(
  onnx: Uint8Array,
  test: Dataset,
  net: Awaited<ReturnType<typeof startNetwork>>,
  say: (line: string) => void,
): Promise<FlDemoServe> {
  const t0 = Date.now()
  const inputs = { features: tensorFromValues('float32', [test.n, test.d], Array.from(test.x)) }
  say(
    `Serving the co-built WDBC model (ONNX, ${onnx.length} bytes) over ${test.n} held-out rows on the market…`,
  )
  const client = await connect({ dataDir: net.requester.dataDir })
  const accepted = await client.submit({ model: onnx, inputs, name: 'wdbc-federated', shardSize: 16 })
  const job = await client.wait(accepted.jobId)
  const outputs = await client.result(job.jobId)
  const local = await runOnnxLocally(onnx, inputs)
  const labels = tensorToValues(outputs.label).map(Number)
  const r: FlDemoServe = {
    jobId: job.jobId,
    samples: test.n,
    accuracy: labels.filter((l, i) => l === test.y[i]).length / test.n,
    labelsEqualLocal: tensorToValues(local.label).every((v, i) => Number(v) === labels[i]),
    maxAbsDiffVsLocal: maxAbsDiff(outputs.probabilities, local.probabilities),
    providers: net.providers.map((p) => ({
      name: p.name,
      units: job.providers.find((w) => w.provider === p.peerId)?.units ?? 0,
    })),
    seconds: (Date.now() - t0) / 1000,
  }
  say(
    `  job ${r.jobId}: ${r.providers.map((p) => `${p.name} ${p.units} units`).join(', ')}; network accuracy ${pct(r.accuracy)}; ` +
      `labels ${r.labelsEqualLocal ? 'equal' : 'DIFFER from'} local onnxruntime, max |Δp| ${r.maxAbsDiffVsLocal.toExponential(2)}`,
  )
  return r
}
