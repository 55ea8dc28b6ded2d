import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { CLI } from '../../src/demo/local-network.js'

/** `mutirao <args> --json` (inside `netns` when given): its JSON-line events as they come, and its exit. */
export function cliEvents(args: string[], netns?: string) {
  const command = [process.execPath, CLI, ...args, '--json']
  const proc = netns
    ? spawn('ip', ['netns', 'exec', netns, ...command], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, MUTIRAO_LOG: 'warn' },
      })
    : spawn(command[0], command.slice(1), {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, MUTIRAO_LOG: 'warn' },
      })
  const events: Record<string, unknown>[] = []
  const stderr: string[] = []
  /** Lines of stdout that are not one JSON event (an error printed whole, say): kept for failure messages. */
  const stdout: string[] = []
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    try {
      events.push(JSON.parse(l))
    } catch {
      if (stdout.length < 200) stdout.push(l)
    }
  })
  createInterface({ input: proc.stderr! }).on('line', (l) => stderr.push(l))
  const exit = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)))
  /** Resolves with the first event named `name` (fails after `ms`, with the command's stderr). */
  const first = async (name: string, ms = 60_000) => {
    const deadline = Date.now() + ms
    for (;;) {
      const e = events.find((x) => x.event === name)
      if (e) return e
      if (Date.now() > deadline)
        throw new Error(
          `no ${name} event in ${ms} ms:\n${events
            .slice(-5)
            .map((x) => JSON.stringify(x))
            .join('\n')}\n${[...stdout, ...stderr].slice(-40).join('\n')}`,
        )
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return { proc, events, stdout, stderr, exit, first }
}
