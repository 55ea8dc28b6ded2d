#!/usr/bin/env node
// The CLI as one bundle (scripts/build-cli.mjs): a node starts in about half the CPU of loading dist/ file by file.
import { main } from '../dist/cli-bundle/main.js'

main(process.argv).catch((err) => {
  console.error(err?.stack ?? err)
  process.exit(70)
})
