import { createRng, normal } from '../../src/data/rng.js'

/** The market features the risk model reads, in CSV column order. */
export const FEATURES = [
  'utilisation',
  'volatility',
  'concentration',
  'price_deviation',
  'log_depth',
] as const

/** One week of a lending market: features, and whether it became insolvent the next week. */
export type MarketWeek = Record<(typeof FEATURES)[number], number> & { insolvent: boolean }

/**
 * Synthetic lending-market history (seeded): utilisation, 30-day volatility, collateral concentration,
 * oracle price deviation and log10 liquidity depth, with insolvency drawn from a logistic law of them plus
 * noise — stressed, concentrated, shallow markets fail more often.
 */
export function marketHistory(rows: number, seed: number): MarketWeek[] {
  const rng = createRng(seed)
  return Array.from({ length: rows }, () => {
    const w = {
      utilisation: rng(),
      volatility: 0.1 + 1.2 * rng() ** 2,
      concentration: rng(),
      price_deviation: 0.12 * rng() ** 3,
      log_depth: 4 + 4 * rng(),
    }
    const logit =
      -3 +
      3 * w.utilisation +
      2.5 * w.volatility +
      1.5 * w.concentration +
      25 * w.price_deviation -
      0.8 * (w.log_depth - 6) +
      0.5 * normal(rng)
    return { ...w, insolvent: rng() < 1 / (1 + Math.exp(-logit)) }
  })
}

/** The history as CSV, target column `insolvent` (`no`/`yes`, so `yes` is the model's last class). */
export function toCsv(weeks: MarketWeek[]): string {
  const lines = weeks.map((w) =>
    [...FEATURES.map((f) => w[f].toFixed(6)), w.insolvent ? 'yes' : 'no'].join(','),
  )
  return `${[...FEATURES, 'insolvent'].join(',')}\n${lines.join('\n')}\n`
}

/** Two market states the example asks the oracle about. */
export const STATES: Record<'calm' | 'stressed', Omit<MarketWeek, 'insolvent'>> = {
  calm: { utilisation: 0.35, volatility: 0.2, concentration: 0.2, price_deviation: 0.002, log_depth: 7.5 },
  stressed: {
    utilisation: 0.95,
    volatility: 1.1,
    concentration: 0.85,
    price_deviation: 0.08,
    log_depth: 4.4,
  },
}
