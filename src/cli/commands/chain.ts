import { join } from 'node:path'
import { Command } from 'commander'
import { dataDirLayout } from '../../identity/data-dir.js'
import { ANVIL_FAUCET_KEY, ensureDeployed, startEmbeddedChain } from '../../ledger/index.js'
import { EMBEDDED_DISPUTE_PARAMS, EMBEDDED_REDEEM_WINDOW } from '../../node/chain-setup.js'
import { printJson, runCommand } from '../output.js'

/** `mutirao chain`: run a local development chain (anvil) with the contracts deployed, for several nodes to share. */
export function chainCommand(): Command {
  return new Command('chain')
    .description(
      'run a local EVM chain (anvil, state kept in the data dir) with the Mutirão contracts, until Ctrl-C',
    )
    .option('--data-dir <dir>', 'data dir (default ~/.mutirao); the chain lives in <data-dir>/chain')
    .option('--port <port>', 'RPC port (default: any free port)', Number.parseInt)
    .option(
      '--host <ip>',
      'interface to serve RPC on (default 127.0.0.1; give an address others can reach to share the chain)',
    )
    .option('--json', 'print events as JSON lines')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const layout = dataDirLayout(opts.dataDir)
        const chain = await startEmbeddedChain({ dataDir: layout.chain, port: opts.port, host: opts.host })
        const deploymentsFile = join(layout.chain, 'deployments.json')
        const d = await ensureDeployed({
          rpcUrl: chain.rpcUrl,
          privateKey: ANVIL_FAUCET_KEY,
          file: deploymentsFile,
          redeemWindow: EMBEDDED_REDEEM_WINDOW,
          disputes: EMBEDDED_DISPUTE_PARAMS,
        })
        const ready = {
          event: 'ready',
          rpcUrl: chain.rpcUrl,
          chainId: chain.chainId,
          deploymentsFile,
          token: d.token,
          escrow: d.escrow,
          registry: d.registry,
          disputeResolver: d.disputeResolver,
        }
        if (opts.json) console.log(JSON.stringify(ready))
        else {
          console.log(`Local chain ${chain.chainId} at ${chain.rpcUrl}`)
          console.log(`  deployments  ${deploymentsFile}`)
          console.log(`Start nodes with: --rpc-url ${chain.rpcUrl} --deployments ${deploymentsFile}`)
        }
        await new Promise<void>((resolve) => {
          const stop = () => void chain.stop().finally(resolve)
          process.once('SIGINT', stop)
          process.once('SIGTERM', stop)
        })
        if (opts.json) printJson({ event: 'stopped' })
      }),
    )
}
