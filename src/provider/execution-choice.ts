import { type ProbeResult, probeExecutionProvider } from '../exec/ep-probe.js'
import type { ExecutionProvider } from '../exec/onnx-session.js'
import type { Logger } from '../log.js'

/** Where a provider runs ONNX models, and why. */
export interface Execution {
  /** What the owner asked for. */
  preferred: ExecutionProvider
  /** What runs: the preferred provider when its probe passed, else the CPU. */
  active: ExecutionProvider
  /** The start-up probe of the preferred provider (absent for the CPU). */
  probe?: ProbeResult
}

/**
 * Probe the preferred execution provider and choose: a GPU whose probe fails (no adapter, no driver, wrong
 * outputs) is not used, and the node says so — in its log, `status` and capacity adverts — and runs on the CPU.
 */
export async function chooseExecutionProvider(preferred: ExecutionProvider, log: Logger): Promise<Execution> {
  if (preferred === 'cpu') return { preferred, active: 'cpu' }
  const probe = await probeExecutionProvider(preferred)
  if (!probe.ok) {
    log.warn({ ep: preferred, reason: probe.error }, `${preferred} unavailable: running models on the CPU`)
    return { preferred, active: 'cpu', probe }
  }
  log.info(
    { ep: preferred, runMs: probe.runMs, cpuRunMs: probe.cpuRunMs, maxAbsDiff: probe.maxAbsDiff },
    `running models on ${preferred}`,
  )
  return { preferred, active: preferred, probe }
}
