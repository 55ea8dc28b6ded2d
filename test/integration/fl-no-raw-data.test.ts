import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCsv } from '../../src/data/load.js'
import { dirichletPartition } from '../../src/data/partition.js'
import { applyPreprocessing, fitPreprocessing } from '../../src/data/preprocess.js'
import type { Dataset } from '../../src/data/schema.js'
import { trainTestSplit } from '../../src/data/split.js'
import { encodeFrame } from '../../src/net/framing.js'
import { startFlTestNetwork } from '../helpers/fl-network.js'

const text = readFileSync(new URL('../../data/wdbc-breast-cancer.csv', import.meta.url), 'utf8')
const ds = loadCsv(text, { target: 'diagnosis' })
const { train } = trainTestSplit(ds, { seed: 3, testFraction: 0.25 })
const parts = dirichletPartition(train, { holders: 3, alpha: 0.5, seed: 3, minRows: 20 })

/** Byte patterns that would betray rows of `data`: pairs of adjacent feature values in float32/float64 (raw and standardized), and as CSV/JSON text. */
function rowPatterns(data: Dataset, rows: number): Buffer[] {
  const pre = fitPreprocessing(data)
  const std = applyPreprocessing(pre, data.x)
  const out: Buffer[] = []
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j + 1 < data.d; j += 3) {
      const a = data.x[r * data.d + j]
      const b = data.x[r * data.d + j + 1]
      out.push(Buffer.from(new Float32Array([a, b]).buffer), Buffer.from(new Float64Array([a, b]).buffer))
      out.push(
        Buffer.from(new Float32Array([std[r * pre.outputDim + j], std[r * pre.outputDim + j + 1]]).buffer),
      )
      const t = (v: number) => String(Number(v.toPrecision(7)))
      out.push(Buffer.from(`${t(a)},${t(b)}`), Buffer.from(`${t(a)}, ${t(b)}`))
    }
  }
  return out
}

describe('no raw data on the wire', () => {
  it('every byte a holder sends over a whole job contains none of its rows (plain updates, the worst case)', async () => {
    const sent: Uint8Array[] = []
    const net = await startFlTestNetwork({
      spec: {
        id: 'wire-capture',
        model: { kind: 'mlp', hidden: [8] },
        schema: ds.schema,
        rounds: 5,
        minParticipants: 3,
        roundDeadlineMs: 20_000,
        local: { epochs: 1, batchSize: 32, lr: 0.1 },
        seed: 3,
      },
      holders: parts,
      holder: (i) => (i === 0 ? { onSend: (frame) => sent.push(frame) } : {}),
    })
    try {
      await net.coordinator.run()
      await net.holderRuns[0]
    } finally {
      await net.stop()
    }
    const wire = Buffer.concat(sent)
    expect(sent.length).toBeGreaterThanOrEqual(1 + 1 + 5) // join, stats, one update per round
    const mine = rowPatterns(parts[0], 25)
    expect(mine.length).toBeGreaterThan(500)
    const leaked = mine.filter((p) => wire.includes(p))
    expect(leaked.map(String)).toEqual([])

    // Positive control: the same search finds a row if a frame ever carried one.
    const row = parts[0].x.slice(0, parts[0].d)
    const leaky = Buffer.concat([wire, encodeFrame({ t: 'oops' }, new Uint8Array(row.buffer))])
    expect(mine.filter((p) => leaky.includes(p)).length).toBeGreaterThan(0)
    const csvLine = text.split('\n')[1]
    expect(rowPatterns(ds, 1).some((p) => Buffer.from(csvLine).includes(p))).toBe(true)
  }, 60_000)
})
