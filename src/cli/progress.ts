import cliProgress from 'cli-progress'
import type { JobProgress } from '../requester/job-spec.js'

/** Renders job progress: a bar on a TTY, a line every few seconds otherwise (stderr, so stdout stays clean). */
export function progressRenderer(enabled: boolean): { update(p: JobProgress): void; stop(): void } {
  if (!enabled) return { update() {}, stop() {} }
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format:
          '{bar} {percentage}% | {value}/{total} samples | {providers} providers | {eta_formatted} left',
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    )
    let started = false
    let told = 0
    return {
      update(p) {
        for (const n of (p.notices ?? []).slice(told))
          process.stderr.write(`\r\x1b[Knotice ${n.code}: ${n.message}\n`)
        told = p.notices?.length ?? 0
        if (!started) {
          bar.start(p.samplesTotal, p.samplesDone, { providers: p.providers.length })
          started = true
        }
        bar.update(p.samplesDone, { providers: p.providers.length })
      },
      stop() {
        if (started) bar.stop()
      },
    }
  }
  let last = 0
  let told = 0
  return {
    update(p) {
      for (const n of (p.notices ?? []).slice(told)) process.stderr.write(`notice ${n.code}: ${n.message}\n`)
      told = p.notices?.length ?? 0
      if (Date.now() - last < 2000 && p.samplesDone < p.samplesTotal) return
      last = Date.now()
      process.stderr.write(
        `progress ${p.samplesDone}/${p.samplesTotal} samples, ${p.providers.length} providers\n`,
      )
    },
    stop() {},
  }
}
