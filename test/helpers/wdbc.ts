import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Tensor } from '../../src/exec/tensor.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'

/**
 * WDBC's 30 numeric features (scaled by 1/100) as a float32 [n, 30] tensor, cycling through the file's rows:
 * real data for inference tests. `varied` takes every 7th row and adds r·1e-4 to row r, so that no two
 * rows, and no two shards, are equal (tests that compare answers per shard need that).
 */
export async function wdbcFeatures(n: number, { varied = false } = {}): Promise<Tensor> {
  const text = await readFile(resolve(import.meta.dirname, '../../data/wdbc-breast-cancer.csv'), 'utf8')
  const [header, ...rows] = text.trim().split('\n')
  const cols = header.split(',').map((c) => c.trim())
  const numeric = cols.map((c, i) => (c === 'diagnosis' ? -1 : i)).filter((i) => i >= 0)
  const values: number[] = []
  for (let r = 0; r < n; r++) {
    const cells = rows[(varied ? r * 7 : r) % rows.length].split(',')
    for (const i of numeric) values.push(Number(cells[i]) / 100 + (varied ? r * 1e-4 : 0))
  }
  return tensorFromValues('float32', [n, numeric.length], values)
}
