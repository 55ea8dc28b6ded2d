#!/usr/bin/env node
/**
 * A `solc` executable for forge, backed by npm `solc` (solc-js), so that forge works offline.
 * Answers `--version` in the native format forge parses and `--standard-json` (JSON on stdin, JSON on
 * stdout). Every other flag (`--allow-paths`, `--base-path`, ...) is accepted and ignored.
 * Usage: forge build --use scripts/solc-shim.cjs --offline
 */
const fs = require('node:fs')
const path = require('node:path')
const solc = require('solc')

const args = process.argv.slice(2)

if (args.includes('--version') || args.includes('-v')) {
  const v = solc.version().replace('.Emscripten.clang', '.Linux.g++')
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}\n`)
  process.exit(0)
}

if (!args.includes('--standard-json')) {
  process.stderr.write('solc-shim: only --version and --standard-json are supported\n')
  process.exit(1)
}

/** Roots that imports not included in the input may be read from (forge normally sends every source). */
const roots = [process.cwd()]
for (let i = 0; i < args.length; i++) {
  if ((args[i] === '--base-path' || args[i] === '--include-path') && args[i + 1]) roots.push(args[i + 1])
}

function findImports(importPath) {
  for (const root of roots) {
    const file = path.resolve(root, importPath)
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') }
  }
  return { error: `File not found: ${importPath}` }
}

const chunks = []
process.stdin.on('data', (c) => chunks.push(c))
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8')
  const output = solc.compile(input, { import: findImports })
  process.stdout.write(output)
})
