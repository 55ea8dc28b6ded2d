import { resolve } from 'node:path'
import { Command } from 'commander'
import type { NodeConfig } from '../../config/schema.js'
import { InvalidInputError } from '../../errors.js'
import { parseMut, parsePrice } from '../../market/price.js'
import { parseMultiaddr } from '../../net/addresses.js'
import { tuneHeapForNode } from '../../node/heap-tuning.js'
import { startNode } from '../../node/start-node.js'
import { runCommand } from '../output.js'

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** `mutirao node`: run a node until SIGINT/SIGTERM. */
export function nodeCommand(): Command {
  return new Command('node')
    .description('run a Mutirão node (requester always; provider with --provide) until Ctrl-C')
    .option('--data-dir <dir>', 'data dir (default ~/.mutirao)')
    .option('--provide', 'contribute this machine: run tasks for others')
    .option('--bootstrap <multiaddr>', 'peer to dial at start-up (repeatable)', collect)
    .option('--host <ip>', 'interface to listen on (default 0.0.0.0, all; 127.0.0.1 = this machine only)')
    .option('--tcp-port <port>', 'libp2p TCP port (0 = any)', Number.parseInt)
    .option('--ws-port <port>', 'libp2p WebSocket port (0 = any)', Number.parseInt)
    .option('--api-port <port>', 'local HTTP API port on 127.0.0.1 (0 = any)', Number.parseInt)
    .option(
      '--listen <multiaddr>',
      'libp2p listen address (repeatable; replaces --host/--tcp-port/--ws-port), e.g. /ip4/0.0.0.0/tcp/4001',
      collect,
    )
    .option(
      '--announce <multiaddr>',
      'address to advertise instead of the listen addresses (repeatable)',
      collect,
    )
    .option('--relay', 'serve as a circuit relay for peers behind NATs (for publicly reachable nodes)')
    .option('--nat-pmp', 'ask the home router to forward the libp2p TCP port (NAT-PMP, RFC 6886)')
    .option('--no-mdns', 'do not discover peers on the LAN')
    .option(
      '--price <mut>',
      'ask, in MUT per 1,000 work units (a work unit ≈ 1,000 multiply-accumulates per sample); default 0.001',
    )
    .option('--cpu-share <share>', 'share of CPU cores for tasks (0-1]', Number.parseFloat)
    .option(
      '--serve-streams',
      'provider: serve streaming inference sessions (mutirao stream --where peer:…), paid at --price (free at 0)',
    )
    .option(
      '--gpu <webgpu|off>',
      'provider: run ONNX models on the GPU (onnxruntime WebGPU), probed at start; the CPU where it cannot',
    )
    .option('--idle-only', 'take new work only while the machine is otherwise idle')
    .option(
      '--busy-threshold <share>',
      'foreign CPU load (share of all cores) that counts as in use',
      Number.parseFloat,
    )
    .option('--idle-after <seconds>', 'quiet time before taking work again', Number.parseFloat)
    .option('--idle-sample-ms <ms>', 'CPU sampling period of idle-only mode', Number.parseInt)
    .option('--rpc-url <url>', 'JSON-RPC URL of the EVM chain (default: an embedded anvil in the data dir)')
    .option(
      '--deployments <file>',
      'contract addresses for --rpc-url (written by `mutirao chain` or the forge deploy script)',
    )
    .option(
      '--redeem-threshold <units>',
      'provider: redeem vouchers once this many token base units are unredeemed',
      (v) => BigInt(v),
    )
    .option('--oracle', 'provider: answer InferenceOracle requests on-chain for models held here')
    .option('--oracle-min-fee <MUT>', 'provider: least fee share per oracle answer, in MUT')
    .option(
      '--oracle-model <file>',
      'provider: an ONNX model to answer oracle requests for (repeatable)',
      collect,
    )
    .option('--json', 'print events as JSON lines')
    .action((opts) =>
      runCommand(opts.json, async () => {
        tuneHeapForNode()
        const idleOnly = {
          ...(opts.idleOnly ? { enabled: true } : {}),
          ...(opts.busyThreshold !== undefined ? { busyThreshold: opts.busyThreshold } : {}),
          ...(opts.idleAfter !== undefined ? { idleAfterSeconds: opts.idleAfter } : {}),
          ...(opts.idleSampleMs !== undefined ? { sampleMs: opts.idleSampleMs } : {}),
        }
        const overrides: Partial<NodeConfig> = {
          ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
          ...(opts.mdns === false ? { mdns: false } : {}),
          ...(opts.rpcUrl ? { chain: { rpcUrl: opts.rpcUrl, deploymentsFile: opts.deployments } } : {}),
          ...(opts.relay ? { relay: { enabled: true } as NodeConfig['relay'] } : {}),
          ...(opts.natPmp ? { nat: { portMapping: true } as NodeConfig['nat'] } : {}),
          ...(opts.oracle || opts.oracleMinFee || opts.oracleModel
            ? { oracle: oracleOverrides(opts, Boolean(opts.provide)) }
            : {}),
          listen: {
            ...(opts.listen
              ? { addresses: opts.listen.map((a: string) => parseMultiaddr(a, '--listen')) }
              : {}),
            ...(opts.announce
              ? { announce: opts.announce.map((a: string) => parseMultiaddr(a, '--announce')) }
              : {}),
            ...(opts.host ? { host: opts.host } : {}),
            ...(opts.tcpPort !== undefined ? { tcpPort: opts.tcpPort } : {}),
            ...(opts.wsPort !== undefined ? { wsPort: opts.wsPort } : {}),
            ...(opts.apiPort !== undefined ? { apiPort: opts.apiPort } : {}),
          } as NodeConfig['listen'],
        }
        const provider = {
          ...(opts.price ? { pricePerUnit: parsePrice(opts.price).toString() } : {}),
          ...(opts.cpuShare ? { cpuShare: opts.cpuShare } : {}),
          ...(opts.serveStreams ? { streams: true } : {}),
          ...(opts.gpu ? { gpu: opts.gpu } : {}),
          ...(Object.keys(idleOnly).length ? { idleOnly } : {}),
        }
        const node = await startNode({
          dataDir: opts.dataDir,
          provide: opts.provide,
          overrides,
          providerOverrides: provider as never,
          redeemThreshold: opts.redeemThreshold,
        })
        if (opts.json) console.log(JSON.stringify({ event: 'ready', ...node.info }))
        else {
          console.log(
            `Mutirão node ${node.info.peerId} ${opts.provide ? '(provider + requester)' : '(requester)'}`,
          )
          for (const a of node.info.multiaddrs) console.log(`  listening  ${a}`)
          console.log(`  api        ${node.info.apiUrl}`)
          console.log('Press Ctrl-C to stop.')
        }
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            process.off('SIGINT', onInt)
            process.off('SIGTERM', onTerm)
            if (!opts.json) console.log(`\n${signal}: stopping…`)
            void node.stop().finally(resolve)
          }
          const onInt = () => stop('SIGINT')
          const onTerm = () => stop('SIGTERM')
          process.on('SIGINT', onInt)
          process.on('SIGTERM', onTerm)
        })
        if (opts.json) console.log(JSON.stringify({ event: 'stopped' }))
      }),
    )
}

/** The `oracle` config of `--oracle`, `--oracle-min-fee` and `--oracle-model`. */
function oracleOverrides(
  opts: { oracle?: boolean; oracleMinFee?: string; oracleModel?: string[] },
  provide: boolean,
): NodeConfig['oracle'] {
  if (!provide)
    throw new InvalidInputError('--oracle needs --provide', {
      metaMessages: ['Oracle answers are computed by this machine as a provider: add --provide.'],
    })
  return {
    enabled: true,
    minFeePerAnswer: parseMut(opts.oracleMinFee ?? '0', '--oracle-min-fee').toString(),
    models: (opts.oracleModel ?? []).map((f) => resolve(f)),
  }
}
