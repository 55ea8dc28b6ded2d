/**
 * Splits data/wdbc-breast-cancer.csv into three hospitals with skewed label mixes (non-IID) and the
 * owner's held-out test rows, as CSV files next to this script. Deterministic.
 *
 *   npx tsx examples/fl-hospitals/split.ts
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { createRng, shuffleInPlace } from '../../src/data/rng.js'

const here = new URL('.', import.meta.url)
const [header, ...rows] = readFileSync(new URL('../../data/wdbc-breast-cancer.csv', import.meta.url), 'utf8')
  .trim()
  .split(/\r?\n/)
const target = header.split(',').indexOf('diagnosis')
const rng = createRng(7)
shuffleInPlace(rows, rng)
const test = rows.splice(0, Math.round(rows.length * 0.25))
// Share of each class each hospital gets: A sees mostly malignant cases, C mostly benign ones.
const mix: Record<string, number[]> = { malignant: [0.6, 0.3, 0.1], benign: [0.1, 0.3, 0.6] }
const hospitals: string[][] = [[], [], []]
for (const cls of Object.keys(mix)) {
  const mine = rows.filter((r) => r.split(',')[target] === cls)
  let start = 0
  mix[cls].forEach((p, h) => {
    const end = h === 2 ? mine.length : start + Math.round(p * mine.length)
    hospitals[h].push(...mine.slice(start, end))
    start = end
  })
}
const write = (name: string, lines: string[]) => {
  writeFileSync(new URL(name, here), `${[header, ...lines].join('\n')}\n`)
  console.log(`${name}: ${lines.length} rows`)
}
for (const [i, h] of hospitals.entries())
  write(`hospital-${'abc'[i]}.csv`, shuffleInPlace(h, rng) as string[])
write('owner-test.csv', test)
