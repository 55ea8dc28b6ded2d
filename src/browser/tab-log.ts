import { pino } from 'pino'
import type { Logger } from '../log.js'
import type { TabLogLine } from './tab-state.js'

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}

/**
 * A logger factory for the tab: pino's browser build, each line handed to `onLine` (the page's log pane)
 * and the console.
 */
export function tabLoggers(
  onLine: (line: TabLogLine) => void,
  level = 'info',
): (component: string) => Logger {
  const root = pino({
    level,
    browser: {
      asObject: true,
      write: (o) => {
        const obj = o as { level: number; time: number; msg?: string; c?: string; err?: string }
        const line = {
          at: obj.time,
          level: LEVELS[obj.level] ?? String(obj.level),
          component: obj.c ?? '',
          msg: `${obj.msg ?? ''}${obj.err ? `: ${obj.err}` : ''}`,
        }
        onLine(line)
        console.log(`[${line.level}] ${line.component}: ${line.msg}`)
      },
    },
  })
  return (component) => root.child({ c: component }) as unknown as Logger
}
