import { InvalidInputError } from '../errors.js'
import { logger } from '../log.js'
import { type CpuSample, type CpuSampler, createCpuSampler } from './cpu-sampler.js'

const log = logger('idle-monitor')

/** `'busy'`: the owner is using the machine, take no new work. `'idle'`: new work is welcome. */
export type IdleState = 'idle' | 'busy'

/** Options of {@link createIdleMonitor}. */
export interface IdleMonitorOptions {
  /** Foreign load (share of all cores, (0, 1]) above which the machine counts as in use. Default 0.25. */
  busyThreshold?: number
  /** How long the foreign load must stay at or below the threshold before going idle again. Default 180000. */
  idleAfterMs?: number
  /** Sampling period. Default 1000. */
  sampleMs?: number
  /** Number of recent samples averaged before comparing with the threshold. Default 3. */
  window?: number
  /** Pids of Mutirão's own child processes, whose CPU is not foreign load. */
  ownPids?: () => number[]
  /** State before the first samples. Default `'idle'`. */
  initialState?: IdleState
  /** Makes the sampler (default {@link createCpuSampler}); called on every `start()`. Tests inject scripts. */
  createSampler?: (options: { ownPids?: () => number[] }) => CpuSampler
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number
}

/** Detail of the `'busy'` and `'idle'` events. */
export interface IdleChangeDetail {
  state: IdleState
  /** The smoothed foreign load that caused the change. */
  foreignLoad: number
}

/** Detail of the `'sample'` event: the raw sample plus the smoothed foreign load and the state after it. */
export interface IdleSampleDetail extends CpuSample {
  smoothed: number
  state: IdleState
}

/**
 * Watches the machine's foreign (non-Mutirão) CPU load. Dispatches `CustomEvent<IdleChangeDetail>` named
 * `'busy'` or `'idle'` on each change and `CustomEvent<IdleSampleDetail>` `'sample'` on every sample.
 */
export interface IdleMonitor extends EventTarget {
  readonly state: IdleState
  /** The latest smoothed foreign load (0 before the first sample). */
  readonly foreignLoad: number
  readonly running: boolean
  /** Starts sampling (idempotent). The first sample comes after `sampleMs`. */
  start(): void
  /** Stops sampling (idempotent); the state is kept. */
  stop(): void
}

function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) {
    throw new InvalidInputError(`Invalid idle monitor option ${what}: ${String(value)}`, {
      metaMessages: [
        'busyThreshold is a share of all cores in (0, 1]; idleAfterMs >= 0; sampleMs >= 10; window >= 1 (integers).',
      ],
    })
  }
}

/**
 * Creates an idle monitor in the manner of BOINC's "suspend while the computer is in use, resume after N
 * minutes idle": it turns `'busy'` as soon as the mean foreign load of the last `window` samples exceeds
 * `busyThreshold`, and turns `'idle'` only once that mean has stayed at or below the threshold for
 * `idleAfterMs`.
 *
 * @example
 * const monitor = createIdleMonitor({ busyThreshold: 0.25, idleAfterMs: 180_000 })
 * monitor.addEventListener('busy', () => agent.pauseNewTasks())
 * monitor.addEventListener('idle', () => agent.resumeNewTasks())
 * monitor.start()
 */
export function createIdleMonitor(options: IdleMonitorOptions = {}): IdleMonitor {
  const busyThreshold = options.busyThreshold ?? 0.25
  const idleAfterMs = options.idleAfterMs ?? 180_000
  const sampleMs = options.sampleMs ?? 1000
  const window = options.window ?? 3
  check(
    Number.isFinite(busyThreshold) && busyThreshold > 0 && busyThreshold <= 1,
    'busyThreshold',
    busyThreshold,
  )
  check(Number.isFinite(idleAfterMs) && idleAfterMs >= 0, 'idleAfterMs', idleAfterMs)
  check(Number.isInteger(sampleMs) && sampleMs >= 10, 'sampleMs', sampleMs)
  check(Number.isInteger(window) && window >= 1, 'window', window)
  return new DefaultIdleMonitor(options, { busyThreshold, idleAfterMs, sampleMs, window })
}

class DefaultIdleMonitor extends EventTarget implements IdleMonitor {
  state: IdleState
  foreignLoad = 0
  private recent: number[] = []
  private belowSince: number | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private sampler: CpuSampler | undefined
  private failures = 0
  private readonly now: () => number

  constructor(
    private readonly options: IdleMonitorOptions,
    private readonly limits: { busyThreshold: number; idleAfterMs: number; sampleMs: number; window: number },
  ) {
    super()
    this.state = options.initialState ?? 'idle'
    this.now = options.now ?? (() => performance.now())
  }

  get running(): boolean {
    return this.timer !== undefined
  }

  start(): void {
    if (this.timer) return
    this.sampler = (this.options.createSampler ?? createCpuSampler)({ ownPids: this.options.ownPids })
    this.recent = []
    this.belowSince = undefined
    this.timer = setInterval(() => this.tick(), this.limits.sampleMs)
    this.timer.unref?.()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private tick(): void {
    let sample: CpuSample
    try {
      sample = (this.sampler as CpuSampler).sample()
    } catch (err) {
      if (this.failures++ === 0) log.warn({ err }, 'CPU sample failed; keeping the current state')
      return
    }
    if (this.failures > 0) log.info({ failures: this.failures }, 'CPU sampling recovered')
    this.failures = 0
    const { busyThreshold, idleAfterMs, window } = this.limits
    this.recent.push(sample.foreign)
    if (this.recent.length > window) this.recent.shift()
    this.foreignLoad = this.recent.reduce((a, b) => a + b, 0) / this.recent.length
    const t = this.now()
    if (this.foreignLoad > busyThreshold) {
      this.belowSince = undefined
      if (this.state === 'idle') this.change('busy')
    } else {
      this.belowSince ??= t
      if (this.state === 'busy' && t - this.belowSince >= idleAfterMs) this.change('idle')
    }
    const detail: IdleSampleDetail = { ...sample, smoothed: this.foreignLoad, state: this.state }
    this.dispatchEvent(new CustomEvent<IdleSampleDetail>('sample', { detail }))
  }

  private change(next: IdleState): void {
    this.state = next
    log.info({ state: next, foreignLoad: this.foreignLoad }, 'machine state changed')
    const detail: IdleChangeDetail = { state: next, foreignLoad: this.foreignLoad }
    this.dispatchEvent(new CustomEvent<IdleChangeDetail>(next, { detail }))
  }
}
