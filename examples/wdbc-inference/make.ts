/**
 * Builds this example: trains the WDBC classifier, exports it to ONNX, and writes every record's 30 raw
 * features as features.npy.   npx tsx examples/wdbc-inference/make.ts
 */
import '../../src/polyfill.js'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadCsvFile } from '../../src/data/load.js'
import { writeNpy } from '../../src/exec/npy.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { trainDemoModel } from '../../src/train/demo-model.js'

const here = import.meta.dirname
const csv = join(here, '../../data/wdbc-breast-cancer.csv')
const model = await trainDemoModel(csv)
await writeFile(join(here, 'model.onnx'), model.onnx)
const ds = await loadCsvFile(csv, { target: 'diagnosis' })
await writeFile(
  join(here, 'features.npy'),
  writeNpy(tensorFromValues('float32', [ds.n, ds.d], Array.from(ds.x))),
)
console.log(
  `model.onnx (held-out accuracy ${(model.accuracy * 100).toFixed(1)}%), features.npy [${ds.n}, ${ds.d}]`,
)
