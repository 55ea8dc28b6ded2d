import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { AnvilNotFoundError } from './errors.js'

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }

/**
 * Path of the native anvil binary shipped by npm `@foundry-rs/anvil-<platform>-<arch>`
 * (or `$MUTIRAO_ANVIL` when set). Running the binary directly, not the npm wrapper script,
 * lets SIGTERM reach anvil so that it dumps its state on stop.
 */
export function anvilBinary(): string {
  const fromEnv = process.env.MUTIRAO_ANVIL
  if (fromEnv) return fromEnv
  const pkg = `@foundry-rs/anvil-${process.platform}-${ARCH[process.arch] ?? process.arch}`
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  try {
    const dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`))
    const file = join(dir, 'bin', exe)
    if (existsSync(file)) return file
  } catch {
    // fall through to the error below
  }
  throw new AnvilNotFoundError(`anvil binary not found (looked for npm package ${pkg})`, {
    metaMessages: [
      'Run `npm ci` so that @foundry-rs/anvil installs its platform package,',
      'or set MUTIRAO_ANVIL to the path of an anvil binary, or pass --rpc-url to use another chain.',
    ],
  })
}
