// Builds every AssemblyScript WASM example (`npm run build:examples`). The built .wasm files are
// committed, so tests never need the compiler. Flags: optimised, no runtime GC (`stub`: programs are
// short-lived), aborts go to our WASI stderr + proc_exit instead of an `env.abort` import.
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const examples = dirname(dirname(fileURLToPath(import.meta.url)))
const targets = [
  ['wasm-montecarlo', 'var'],
  ['wasm-hostile', 'loop'],
  ['wasm-hostile', 'membomb'],
  ['wasm-hostile', 'snoop'],
  ['wasm-hostile', 'flood'],
  ['wasm-hostile', 'echo'],
  ['audit-bot', 'audit'],
]
for (const [dir, name] of targets) {
  const cwd = join(examples, dir)
  execFileSync(
    'npx',
    [
      'asc',
      `assembly/${name}.ts`,
      '-o',
      `${name}.wasm`,
      '-O3',
      '--noAssert',
      '--runtime',
      'stub',
      '--use',
      'abort=../wasm-wasi/assembly/wasi/wasiAbort',
    ],
    { cwd, stdio: 'inherit' },
  )
  process.stdout.write(`built examples/${dir}/${name}.wasm\n`)
}
