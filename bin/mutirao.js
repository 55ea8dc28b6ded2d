#!/usr/bin/env node
import '../dist/polyfill.js'
import { main } from '../dist/cli/main.js'

main(process.argv).catch((err) => {
  console.error(err?.stack ?? err)
  process.exit(70)
})
