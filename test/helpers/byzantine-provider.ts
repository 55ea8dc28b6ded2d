/**
 * A provider node whose executor misbehaves, for trust tests. Run as its own process:
 *   node --import tsx test/helpers/byzantine-provider.ts <mode> --data-dir D --bootstrap MA --rpc-url U --deployments F
 *     [--oracle-model M]   (also serve the InferenceOracle, answering for model file M)
 * Prints `{"event":"ready",…node info}` on stdout like `mutirao node --json`, stops on SIGTERM.
 */
import '../../src/polyfill.js'
import { startNode } from '../../src/node/start-node.js'
import { type ByzantineMode, byzantine } from './byzantine-executor.js'

const [mode, ...rest] = process.argv.slice(2) as [ByzantineMode, ...string[]]
const arg = (name: string) => {
  const i = rest.indexOf(name)
  return i >= 0 ? rest[i + 1] : undefined
}
const rpcUrl = arg('--rpc-url')
const node = await startNode({
  dataDir: arg('--data-dir'),
  provide: true,
  overrides: {
    bootstrap: arg('--bootstrap') ? [arg('--bootstrap')!] : [],
    mdns: false,
    listen: { host: '127.0.0.1' },
    ...(rpcUrl ? { chain: { rpcUrl, deploymentsFile: arg('--deployments') } } : {}),
    ...(arg('--oracle-model')
      ? { oracle: { enabled: true, minFeePerAnswer: '0', models: [arg('--oracle-model')] } }
      : {}),
  } as never,
  wrapExecutor: (e) => byzantine(mode, e),
})
process.stdout.write(`${JSON.stringify({ event: 'ready', mode, ...node.info })}\n`)
process.once('SIGTERM', () => void node.stop().finally(() => process.exit(0)))
