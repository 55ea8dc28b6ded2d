import { existsSync, readFileSync, writeFileSync } from 'node:fs'

/**
 * Replace the `## <title>` section of BENCHMARKS.md with `section` (which starts with that heading), or
 * append it when the file has none yet.
 */
export function writeBenchmarkSection(title: string, section: string, file = 'BENCHMARKS.md'): void {
  const heading = `## ${title}`
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n'
  const start = old.indexOf(heading)
  let next: string
  if (start < 0) next = `${old.trimEnd()}\n\n${section}`
  else {
    const end = old.indexOf('\n## ', start + 1)
    next = old.slice(0, start) + section + (end < 0 ? '' : `\n${old.slice(end + 1)}`)
  }
  writeFileSync(file, next)
  process.stderr.write(`wrote ${file}\n`)
}
