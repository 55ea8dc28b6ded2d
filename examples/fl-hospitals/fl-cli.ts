/** `mutirao fl …` from source (until the command is registered in the built CLI): `npx tsx examples/fl-hospitals/fl-cli.ts start …`. */
import '../../src/polyfill.js'
import { flCommand } from '../../src/cli/commands/fl.js'

await flCommand().name('mutirao fl').parseAsync(process.argv)
