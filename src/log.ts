import { type Logger, pino } from 'pino'

export type { Logger }

const root = pino(
  {
    level: process.env.MUTIRAO_LOG ?? 'warn',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  pino.destination(2),
)

/**
 * A namespaced logger (`mutirao:<component>`), writing JSON lines to stderr.
 * Level from `MUTIRAO_LOG` (default `warn`). Library code logs only through this; the CLI alone prints.
 */
export function logger(component: string): Logger {
  return root.child({ c: component })
}
