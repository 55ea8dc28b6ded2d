import { type ChildProcess, spawn } from 'node:child_process'
import { createCpuSampler } from '../../src/provider/cpu-sampler.js'

/** A running synthetic CPU load: child processes that spin until stopped or until their lifetime ends. */
export interface CpuLoad {
  /** Pids of the burning children. */
  readonly pids: number[]
  /** Kills every child (SIGKILL) and waits until each has exited. Safe to call twice. */
  stop(): Promise<void>
}

const running = new Set<CpuLoad>()

/**
 * Starts `processes` child processes, each spinning one core in a busy loop. Each child exits on its own
 * after `lifetimeMs` (default 30 s), so a crashed test cannot leave it burning; call {@link stopAllCpuLoads}
 * in `afterEach` anyway.
 */
export async function startCpuLoad(
  options: { processes?: number; lifetimeMs?: number } = {},
): Promise<CpuLoad> {
  const lifetimeMs = options.lifetimeMs ?? 30_000
  const script = `const end = Date.now() + ${Number(lifetimeMs)}; let x = 0; while (Date.now() < end) { x = (x + 1) % 1e9 }`
  const children: ChildProcess[] = []
  for (let i = 0; i < (options.processes ?? 1); i++) {
    children.push(spawn(process.execPath, ['-e', script], { stdio: 'ignore' }))
  }
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.once('spawn', resolve)
          child.once('error', reject)
        }),
    ),
  )
  const load: CpuLoad = {
    pids: children.map((c) => c.pid as number),
    async stop() {
      running.delete(load)
      await Promise.all(
        children.map((child) => {
          if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
          child.kill('SIGKILL')
          return exited
        }),
      )
    },
  }
  running.add(load)
  return load
}

/** Stops every load started by {@link startCpuLoad} that is still running (for `afterEach`). */
export async function stopAllCpuLoads(): Promise<void> {
  await Promise.all([...running].map((load) => load.stop()))
}

/**
 * Waits until the machine's foreign CPU load (other programs' share of all cores) has stayed below `below`
 * for `forMs`, polling every 200 ms for at most `timeoutMs`. Resolves the mean load seen over the quiet
 * stretch, or null when the machine never got that quiet (tests then skip: on a saturated shared machine a
 * synthetic load cannot be told apart from the background).
 */
export async function waitForQuietCpu(
  options: { below?: number; forMs?: number; timeoutMs?: number } = {},
): Promise<number | null> {
  const below = options.below ?? 0.5
  const need = Math.ceil((options.forMs ?? 1000) / 200)
  const deadline = Date.now() + (options.timeoutMs ?? 20_000)
  const sampler = createCpuSampler()
  let quiet: number[] = []
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const { foreign } = sampler.sample()
    quiet = foreign < below ? [...quiet, foreign] : []
    if (quiet.length >= need) return quiet.reduce((a, b) => a + b, 0) / quiet.length
  }
  return null
}
