import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import { loadCsvFile } from '../../data/load.js'
import { runFlDemo } from '../../demo/fl-demo.js'
import { InvalidInputError } from '../../errors.js'
import { chainAnchor } from '../../fl/lineage/chain-anchor.js'
import { verifyLineage } from '../../fl/lineage/verify.js'
import { createFlCoordinator, type FlEvent, payoutsOf } from '../../fl/network/coordinator.js'
import { writeTrainedOnnx } from '../../fl/network/export-model.js'
import { createFlHolder } from '../../fl/network/holder.js'
import { FlJobSpec } from '../../fl/network/protocol.js'
import { openFlStore } from '../../fl/network/store.js'
import type { DataDirLayout } from '../../identity/data-dir.js'
import { initDataDir } from '../../identity/init.js'
import type { Identity } from '../../identity/keys.js'
import { logger } from '../../log.js'
import { createHost } from '../../net/host.js'
import { type ChainConnection, connectChain, fundIfLocal } from '../../node/chain-setup.js'
import { followRun, forNode, runningNode, warnIgnored } from '../fl-client.js'
import { bold, green, printJson, red, runCommand, shortPeer } from '../output.js'

const log = logger('cli:fl')

/** The chain given by --rpc-url/--deployments (e.g. from `mutirao chain`), or undefined without one. */
async function flChain(
  layout: DataDirLayout,
  identity: Identity,
  o: { rpcUrl?: string; deployments?: string },
): Promise<ChainConnection | undefined> {
  if (!o.rpcUrl) return undefined
  return connectChain(
    layout,
    { rpcUrl: o.rpcUrl, deploymentsFile: o.deployments },
    identity.ethPrivateKey,
    log,
  )
}

const line = (json: boolean, value: Record<string, unknown>, text: string) =>
  json ? process.stdout.write(`${JSON.stringify(value)}\n`) : console.log(text)

async function readSpec(file: string, schemaFrom?: string, target?: string) {
  if ((await stat(file)).size > 1024 * 1024) throw new InvalidInputError(`Job file ${file} is over 1 MiB`)
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new InvalidInputError(`Job file ${file} is not JSON`, { cause: err })
  }
  if (!raw.schema) {
    if (!schemaFrom || !target) {
      throw new InvalidInputError('The job has no data schema', {
        metaMessages: ['Add "schema" to the job file, or pass --schema-from <csv> --target <column>.'],
      })
    }
    raw.schema = (await loadCsvFile(schemaFrom, { target })).schema
  }
  const parsed = FlJobSpec.safeParse(raw)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    throw new InvalidInputError(`Invalid job file: ${i.path.join('.')}: ${i.message}`)
  }
  return parsed.data
}

function describe(e: FlEvent): string {
  switch (e.type) {
    case 'holder-joined':
    case 'holder-left':
      return `${e.type === 'holder-joined' ? green('+') : red('-')} holder ${shortPeer(e.peer)}`
    case 'preprocessing':
      return `preprocessing fitted from ${e.holders} holders' column statistics (${e.rows} rows)`
    case 'round': {
      const acc = e.testAccuracy === undefined ? '' : `  accuracy ${(100 * e.testAccuracy).toFixed(2)}%`
      const shares = Object.entries(e.shares)
        .map(([p, s]) => `${shortPeer(p)} ${(100 * s).toFixed(1)}%`)
        .join(', ')
      return `round ${e.round}: ${e.participants.length} holders  loss ${e.meanLoss.toFixed(4)}${acc}  shares ${shares}`
    }
    case 'escrow-opened':
      return `data budget ${e.budget} locked in escrow job ${e.escrowJobId}`
    case 'round-failed':
      return red(`round ${e.round} attempt ${e.attempt + 1} failed: ${e.reason}`)
    case 'done':
      return `${bold('done')} model ${e.modelHash}\nlineage root ${e.root}`
  }
}

/** A coordinator run's event from the node (`event` names it), in words. */
function describeRun(e: { event: string } & Record<string, unknown>): string {
  if (e.event === 'payouts')
    return `payouts ${Object.entries(e.payouts as Record<string, string>)
      .map(([p, a]) => `${shortPeer(p)} ${a}`)
      .join(', ')}`
  if (e.event === 'onnx') return `model written to ${e.file}`
  return describe({ ...e, type: e.event } as unknown as FlEvent)
}

/** A holder's event (`event` names it), in words. */
function describeHolding(e: { event: string } & Record<string, unknown>): string {
  const n = (k: string) => Number(e[k])
  switch (e.event) {
    case 'paid':
      return `paid ${e.amount} (redeemed in ${e.txHash})`
    case 'update-sent':
      return `round ${e.round}: update sent (${e.secure ? 'masked' : 'plain'}), local loss ${n('loss').toFixed(4)}${e.epsilon === undefined ? '' : `, ε ${n('epsilon').toFixed(3)}`}`
    case 'result':
      return `done: model ${e.modelHash}, ${e.updatesSent} updates sent over ${e.rounds} rounds`
    default: {
      const { event, seq: _s, at: _a, ...rest } = e
      return `${event} ${JSON.stringify(rest)}`
    }
  }
}

/** `mutirao fl`: federated training jobs (start as the model owner, join as a data holder, status, lineage). */
export function flCommand(): Command {
  const fl = new Command('fl').description('federated learning: co-train a model without sharing data')
  fl.command('start')
    .description('start an fl-train job as its coordinator (model owner) and run it to the end')
    .requiredOption(
      '--job <file>',
      'job spec (JSON: id, model, rounds, minParticipants, roundDeadlineMs, local, seed, …)',
    )
    .option('--schema-from <csv>', 'infer the data schema from this file when the job has none')
    .option('--target <column>', 'target column for --schema-from')
    .option('--test <csv>', "owner's held-out rows: accuracy after every round")
    .option('--validation <csv>', "owner's validation rows: GTG-Shapley contribution values (plain rounds)")
    .option('--port <n>', 'TCP port to listen on', '0')
    .option('--host <ip>', 'interface to bind', '127.0.0.1')
    .option('--onnx <file>', 'write the trained model as ONNX')
    .option('--rpc-url <url>', 'EVM chain (e.g. from `mutirao chain`): data-budget escrow and lineage anchor')
    .option('--deployments <file>', 'contract addresses for --rpc-url')
    .option('--data-dir <dir>', 'data dir (identity, fl.db)')
    .option('--json', 'JSON lines')
    .action((o) =>
      runCommand(o.json, async () => {
        const spec = await readSpec(o.job, o.schemaFrom, o.target)
        const node = await runningNode(o.dataDir)
        if (node) {
          warnIgnored(o, ['host', 'port', 'rpcUrl', 'deployments'])
          const files = { test: forNode(o.test), validation: forNode(o.validation), onnx: forNode(o.onnx) }
          const run = await node.fl.coordinate({ spec, ...files })
          const addr = run.multiaddrs?.[0]
          line(
            o.json,
            { event: 'listening', job: spec.id, multiaddrs: run.multiaddrs },
            `job ${bold(spec.id)}: coordinated by the running node at ${addr}\njoin with: mutirao fl join --coordinator ${addr} --job ${spec.id} --data <your.csv>`,
          )
          return followRun(node, run.id, (e) => line(o.json, e, describeRun(e)), o.json)
        }
        const { layout, identity, config } = await initDataDir(o.dataDir)
        const load = (f?: string) => (f ? loadCsvFile(f, { schema: spec.schema }) : undefined)
        const [test, validation] = await Promise.all([load(o.test), load(o.validation)])
        const chain = await flChain(layout, identity, o)
        if (chain && spec.dataBudget) await fundIfLocal(chain.ledger, BigInt(spec.dataBudget), log)
        const host = await createHost({
          privateKey: identity.peerKey,
          network: config.network,
          host: o.host,
          tcpPort: Number(o.port),
        })
        await host.start()
        const store = openFlStore(join(layout.root, 'fl.db'))
        const c = createFlCoordinator({
          host,
          key: identity.peerKey,
          store,
          spec,
          test,
          validation,
          ...(chain ? { payments: chain.ledger, anchor: chainAnchor(chain.ledger) } : {}),
          onEvent: (e) => line(o.json, { event: e.type, ...e }, describe(e)),
        })
        await c.start()
        const addr = host.getMultiaddrs()[0].toString()
        line(
          o.json,
          { event: 'listening', job: spec.id, multiaddrs: host.getMultiaddrs().map(String) },
          `job ${bold(spec.id)}: coordinator at ${addr}\njoin with: mutirao fl join --coordinator ${addr} --job ${spec.id} --data <your.csv>`,
        )
        const stopper = new AbortController()
        process.once('SIGINT', () => stopper.abort(new Error('interrupted')))
        try {
          const state = await c.run(stopper.signal)
          const payouts = payoutsOf(state)
          if (payouts)
            line(
              o.json,
              { event: 'payouts', payouts },
              `payouts ${Object.entries(payouts)
                .map(([p, a]) => `${shortPeer(p)} ${a}`)
                .join(', ')}`,
            )
          if (o.onnx && (await writeTrainedOnnx(spec, state, o.onnx)))
            line(o.json, { event: 'onnx', file: o.onnx }, `model written to ${o.onnx}`)
        } finally {
          await c.stop()
          await host.stop()
          store.close()
          await chain?.stop()
        }
      }),
    )
  fl.command('join')
    .description('join an fl-train job as a data holder: train on your own rows, send only model updates')
    .requiredOption('--coordinator <multiaddr>', "the coordinator's address (…/p2p/<peer id>)")
    .requiredOption('--job <id>', 'job id')
    .requiredOption('--data <csv>', 'your data (never leaves this machine)')
    .option('--epsilon <n>', 'most ε you will spend on a DP job', '8')
    .option('--delta <n>', 'δ of your privacy budget', '1e-5')
    .option('--rpc-url <url>', 'EVM chain (e.g. from `mutirao chain`): data-budget escrow and lineage anchor')
    .option('--deployments <file>', 'contract addresses for --rpc-url')
    .option('--data-dir <dir>', 'data dir (identity)')
    .option('--json', 'JSON lines')
    .action((o) =>
      runCommand(o.json, async () => {
        const node = await runningNode(o.dataDir)
        if (node) {
          warnIgnored(o, ['rpcUrl', 'deployments'])
          const run = await node.fl.join({
            coordinator: o.coordinator,
            job: o.job,
            data: forNode(o.data)!,
            epsilon: Number(o.epsilon),
            delta: Number(o.delta),
          })
          return followRun(node, run.id, (e) => line(o.json, e, describeHolding(e)), o.json)
        }
        const { layout, identity, config } = await initDataDir(o.dataDir)
        const chain = await flChain(layout, identity, o)
        if (chain) await fundIfLocal(chain.ledger, 1n, log) // gas to redeem on a local chain
        const host = await createHost({ privateKey: identity.peerKey, network: config.network })
        await host.start()
        const stopper = new AbortController()
        process.once('SIGINT', () => stopper.abort(new Error('interrupted')))
        try {
          const holder = createFlHolder({
            host,
            key: identity.peerKey,
            coordinator: o.coordinator,
            jobId: o.job,
            data: o.data,
            privacyBudget: { epsilon: Number(o.epsilon), delta: Number(o.delta) },
            ...(chain ? { payments: chain.ledger } : {}),
            onEvent: (e) => line(o.json, { event: e.type, ...e }, describeHolding({ event: e.type, ...e })),
          })
          const r = await holder.run(stopper.signal)
          line(o.json, { event: 'done', ...r }, describeHolding({ event: 'result', ...r }))
          if (r.payment?.error) return 1
        } finally {
          await host.stop()
          await chain?.stop()
        }
      }),
    )
  fl.command('status')
    .description("list this coordinator's fl-train jobs")
    .option('--data-dir <dir>', 'data dir')
    .option('--json', 'machine-readable output')
    .action((o) =>
      runCommand(o.json, async () => {
        const { layout } = await initDataDir(o.dataDir)
        const store = openFlStore(join(layout.root, 'fl.db'))
        const jobs = store.list()
        store.close()
        if (o.json) return printJson(jobs)
        if (jobs.length === 0) console.log('no fl jobs')
        for (const j of jobs)
          console.log(`${j.id}  ${j.status}  round ${j.round}/${j.rounds}  ${j.modelHash ?? ''}`)
      }),
    )
  fl.command('lineage')
    .description("print a model's round-by-round lineage and verify it (exit 1 when it does not verify)")
    .argument('<model-hash>', 'sha256 of the model weights')
    .option('--file <json>', 'verify a lineage file instead of the local store')
    .option('--export <json>', 'write the lineage to a file')
    .option('--rpc-url <url>', 'EVM chain (e.g. from `mutirao chain`): data-budget escrow and lineage anchor')
    .option('--deployments <file>', 'contract addresses for --rpc-url')
    .option('--data-dir <dir>', 'data dir')
    .option('--json', 'machine-readable output')
    .action((modelHash: string, o) =>
      runCommand(o.json, async () => {
        let lineage: unknown
        if (o.file) {
          if ((await stat(o.file)).size > 256 * 1024 * 1024)
            throw new InvalidInputError(`${o.file} is over 256 MiB`)
          lineage = JSON.parse(await readFile(o.file, 'utf8'))
        } else {
          const { layout } = await initDataDir(o.dataDir)
          const store = openFlStore(join(layout.root, 'fl.db'))
          lineage = store.findByModelHash(modelHash)?.lineage
          store.close()
          if (!lineage)
            throw new InvalidInputError(`No lineage of model ${modelHash} in ${layout.root}`, {
              metaMessages: ['Pass --file <lineage.json> to verify a lineage you received.'],
            })
        }
        if (o.export) await writeFile(o.export, JSON.stringify(lineage, null, 1))
        const { layout, identity } = await initDataDir(o.dataDir)
        const chain = await flChain(layout, identity, o)
        const anchor = chain && chainAnchor(chain.ledger)
        const report = await verifyLineage(lineage, { modelHash, ...(anchor ? { anchor } : {}) })
        if (chain) {
          if (report.anchored === undefined) {
            report.ok = false
            report.problems.push(`model ${modelHash} has no lineage anchored on-chain`)
          }
          await chain.stop()
        }
        if (o.json) printJson({ ...report, lineage })
        else {
          const l = lineage as {
            genesis: { job: string; coordinator: string }
            rounds: {
              round: number
              participants: { peer: string }[]
              shares: Record<string, number>
              testAccuracy?: number
              maxEpsilon?: number
              secureAggregation: boolean
              hash: string
            }[]
          }
          console.log(`job ${l.genesis?.job} coordinator ${shortPeer(String(l.genesis?.coordinator))}`)
          for (const r of l.rounds ?? []) {
            const shares = Object.entries(r.shares)
              .map(([p, s]) => `${shortPeer(p)} ${(100 * s).toFixed(1)}%`)
              .join(', ')
            const acc = r.testAccuracy === undefined ? '' : ` acc ${(100 * r.testAccuracy).toFixed(2)}%`
            const eps = r.maxEpsilon === undefined ? '' : ` ε≤${r.maxEpsilon.toFixed(2)}`
            console.log(
              `round ${r.round}${r.secureAggregation ? ' [secagg]' : ''}: ${r.participants.length} holders${acc}${eps}  ${shares}  ${r.hash.slice(0, 12)}`,
            )
          }
          console.log(
            report.ok
              ? green(`verified: ${report.rounds} rounds, root ${report.root}`)
              : red(`NOT VERIFIED:\n  ${report.problems.join('\n  ')}`),
          )
          console.log(
            !chain
              ? 'anchor: not checked (pass --rpc-url and --deployments to verify the root on-chain)'
              : report.anchored
                ? green(`anchor: the root matches LineageRegistry ${chain.ledger.deployments.lineage}`)
                : red('anchor: the on-chain root is missing or differs'),
          )
        }
        return report.ok ? 0 : 1
      }),
    )
  fl.command('demo')
    .description(
      'co-train, then serve: 3 hospitals (WDBC, SecAgg) and 4 farms (soybean) co-train on a local chain, are paid their shares, and the WDBC model runs on the compute market',
    )
    .option('--rounds <n>', 'federated rounds per job', (v) => Number.parseInt(v, 10), 40)
    .option('--every <n>', 'print the accuracy every n rounds', (v) => Number.parseInt(v, 10), 5)
    .option('--providers <n>', 'provider processes serving the model', (v) => Number.parseInt(v, 10), 2)
    .option('--no-serve', 'skip serving the WDBC model on the compute market')
    .option('--keep <dir>', 'keep the data dirs of the demo in this directory')
    .option('--json', 'machine-readable report')
    .action((o) =>
      runCommand(o.json, async () => {
        if (!(o.rounds >= 1 && o.rounds <= 1000)) throw new InvalidInputError('--rounds must be 1…1000')
        const r = await runFlDemo({
          rounds: o.rounds,
          every: o.every,
          providers: o.providers,
          serve: o.serve,
          workDir: o.keep,
          say: o.json ? undefined : (l) => console.log(l),
        })
        if (o.json) printJson(r)
        else
          console.log(
            r.ok
              ? green(`\nAll checks passed in ${r.seconds.toFixed(1)} s.`)
              : red(`\nSome checks FAILED (${r.seconds.toFixed(1)} s): see the lines marked ✗ / NOT above.`),
          )
        return r.ok ? 0 : 1
      }),
    )
  return fl
}
