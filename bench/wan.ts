// npm run bench:wan — the same job over loopback and over the internet in a box (test/wan/box.ts), in one run.
// Needs root, iproute2, nftables and the built CLI (`npm run build`).
//   loopback: a requester and two providers on 127.0.0.1 (real `mutirao` processes, one local chain);
//   wan: the requester at home A (port-preserving NAT), one provider at home B (port-preserving NAT), one on
//        the public segment, two relays and the chain on the public segment; home links shaped with
//        --delay-ms (each way, default 20) and --loss (percent, default 0);
//   both: 20,000 WDBC-shaped rows, shards of 500, verification none; time to the first result and samples/s,
//        measured by an SDK client next to the requester (bench/wan/client.ts);
//   relayedBytesShare: bytes the relays forwarded (half of what their interfaces carried) ÷ bytes on home A's
//        link, during the wan job;
//   holePunch: --trials (default 20) dials from home A to a peer at home B (eim) and one at home C
//        (symmetric) through a relay, each waiting --punch-wait-ms (default 6000) for DCUtR to add a direct
//        connection (bench/wan/punch-peer.ts).
// --json prints one JSON object.
import '../src/polyfill.js'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import {
  type LocalNode,
  startChainProcess,
  startNetwork,
  startNodeProcess,
} from '../src/demo/local-network.js'
import { writeNpy } from '../src/exec/npy.js'
import { readNpyFile } from '../src/exec/npy-file.js'
import { tensorFromValues, tensorToValues } from '../src/exec/tensor-values.js'
import { type BoxHost, boxUnavailable, createWanBox } from '../test/wan/box.js'

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    trials: { type: 'string', default: '20' },
    'punch-wait-ms': { type: 'string', default: '6000' },
    'delay-ms': { type: 'string', default: '20' },
    loss: { type: 'string', default: '0' },
    rows: { type: 'string', default: '20000' },
  },
})
const say = (...a: unknown[]) => {
  if (!opts.json) console.log(...a)
}
const unavailable = boxUnavailable()
if (unavailable) {
  console.error(`bench:wan: ${unavailable}`)
  process.exit(2)
}

const ROOT = resolve(import.meta.dirname, '..')
const MODEL = join(ROOT, 'examples/wdbc-inference/model.onnx')
const TSX = join(ROOT, 'node_modules/.bin/tsx')
const SHARD = 500
const work = await mkdtemp(join(tmpdir(), 'mutirao-bench-wan-'))

/** The rows of the job: the WDBC features repeated with a small perturbation, `rows` of them. */
async function writeRows(rows: number): Promise<string> {
  const base = await readNpyFile(join(ROOT, 'examples/wdbc-inference/features.npy'))
  const src = tensorToValues(base) as number[]
  const n = base.dims[0]
  const values = Array.from(
    { length: rows * 30 },
    (_, i) => src[(Math.floor(i / 30) % n) * 30 + (i % 30)] * (1 + ((i % 7) - 3) * 1e-3),
  )
  const file = join(work, 'rows.npy')
  await writeFile(file, writeNpy(tensorFromValues('float32', [rows, 30], values)))
  return file
}

/** Run `args` (a tsx script), inside `netns` when given; resolves with its last stdout line parsed. */
function runJson<T>(args: string[], netns?: string): Promise<T> {
  const [cmd, argv] = netns ? ['ip', ['netns', 'exec', netns, TSX, ...args]] : [TSX, args]
  return new Promise((ok, fail) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)))
    child.on('exit', (code) =>
      code === 0
        ? ok(JSON.parse(out.trim().split('\n').at(-1)!) as T)
        : fail(new Error(`${args[0]}: ${code}\n${err}`)),
    )
  })
}

interface JobTiming {
  firstResultMs: number
  samplesPerSecond: number
  samples: number
  ms: number
}

/** rx + tx bytes of interface `dev` in `netns`. */
function linkBytes(netns: string, dev: string): number {
  const [s] = JSON.parse(
    execFileSync('ip', ['-n', netns, '-s', '-j', 'link', 'show', dev], { encoding: 'utf8' }),
  )
  return s.stats64.rx.bytes + s.stats64.tx.bytes
}

const rowsFile = await writeRows(Number(opts.rows))

// ── loopback ───────────────────────────────────────────────────────────────────────────────────────────────
say(`loopback: requester + 2 providers on 127.0.0.1, ${opts.rows} rows in shards of ${SHARD}`)
const net = await startNetwork({ providers: 2, providerArgs: [] })
let loopback: JobTiming
try {
  loopback = await runJson<JobTiming>([
    'bench/wan/client.ts',
    net.requester.dataDir,
    MODEL,
    rowsFile,
    String(SHARD),
    '2',
  ])
} finally {
  await net.stop()
}
say(`  first result ${loopback.firstResultMs} ms, ${loopback.samplesPerSecond} samples/s`)

// ── the box ───────────────────────────────────────────────────────────────────────────────────────────────
const box = createWanBox()
const nodes: LocalNode[] = []
let result: Record<string, unknown> | undefined
let chain: Awaited<ReturnType<typeof startChainProcess>> | undefined
try {
  const chainHost = box.publicHost('chain')
  chain = await startChainProcess(join(work, 'chain'), { host: chainHost.ip, netns: chainHost.netns })
  const start = async (name: string, host: BoxHost, args: string[]) => {
    const node = await startNodeProcess(
      name,
      join(work, name),
      ['--listen', `/ip4/${host.ip}/tcp/4001`, ...chain!.args, ...args],
      {},
      host.netns,
    )
    nodes.push(node)
    return node
  }
  const relayHosts = [box.publicHost('relay-1'), box.publicHost('relay-2')]
  const r1 = await start('relay-1', relayHosts[0], ['--relay'])
  const r2 = await start('relay-2', relayHosts[1], ['--relay', '--bootstrap', r1.multiaddrs[0]])
  const boot = ['--bootstrap', r1.multiaddrs[0], '--bootstrap', r2.multiaddrs[0]]
  const homeA = await box.home('home-a', 'eim')
  const homeB = await box.home('home-b', 'eim')
  const homeC = await box.home('home-c', 'symmetric')
  for (const h of [homeA, homeB, homeC])
    box.shape(h, { delayMs: Number(opts['delay-ms']), lossPercent: Number(opts.loss) })
  const requester = await start('requester-a', homeA, boot)
  await start('provider-b', homeB, ['--provide', ...boot])
  await start('provider-p', box.publicHost('provider-p'), ['--provide', ...boot])
  // let the NATed nodes take their relay reservations
  await new Promise((r) => setTimeout(r, 5000))

  say(
    `wan: requester at home A, providers at home B and on the public segment; ${opts['delay-ms']} ms each way, ${opts.loss} % loss on home links`,
  )
  const relayBefore = relayHosts.reduce((a, h) => a + linkBytes(h.netns, 'eth0'), 0)
  const homeBefore = linkBytes(homeA.netns, 'eth0')
  const wan = await runJson<JobTiming>(
    ['bench/wan/client.ts', requester.dataDir, MODEL, rowsFile, String(SHARD), '2'],
    homeA.netns,
  )
  const relayed = (relayHosts.reduce((a, h) => a + linkBytes(h.netns, 'eth0'), 0) - relayBefore) / 2
  const homeTotal = linkBytes(homeA.netns, 'eth0') - homeBefore
  const relayedBytesShare = Math.min(1, relayed / homeTotal)
  say(
    `  first result ${wan.firstResultMs} ms, ${wan.samplesPerSecond} samples/s; relays carried ${(relayedBytesShare * 100).toFixed(1)} % of home A's bytes`,
  )

  // ── hole punching ─────────────────────────────────────────────────────────────────────────────────────
  const trials = Number(opts.trials)
  const punch = async (home: BoxHost, port: number) => {
    const target = spawn(
      'ip',
      [
        'netns',
        'exec',
        home.netns,
        TSX,
        'bench/wan/punch-peer.ts',
        'target',
        `/ip4/${home.ip}/tcp/${port}`,
        r1.multiaddrs[0],
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    )
    try {
      const { circuit } = await new Promise<{ circuit: string }>((ok, fail) => {
        createInterface({ input: target.stdout! }).once('line', (l) => ok(JSON.parse(l)))
        target.once('exit', (code) => fail(new Error(`punch target exited with ${code}`)))
      })
      return await runJson<{ trials: number; direct: number }>(
        [
          'bench/wan/punch-peer.ts',
          'dialer',
          `/ip4/${homeA.ip}/tcp/${port + 100}`,
          r1.multiaddrs[0],
          circuit,
          String(trials),
          opts['punch-wait-ms']!,
        ],
        homeA.netns,
      )
    } finally {
      target.kill('SIGKILL')
    }
  }
  say(`hole punching: ${trials} trials per NAT type, ${opts['punch-wait-ms']} ms each for DCUtR`)
  const [eim, symmetric] = await Promise.all([punch(homeB, 4101), punch(homeC, 4102)])
  say(
    `  port-preserving NAT: ${eim.direct}/${eim.trials} direct; symmetric NAT: ${symmetric.direct}/${symmetric.trials} direct`,
  )

  result = {
    holePunch: { eim, symmetric },
    relayedBytesShare: Number(relayedBytesShare.toFixed(4)),
    loopback: { firstResultMs: loopback.firstResultMs, samplesPerSecond: loopback.samplesPerSecond },
    wan: { firstResultMs: wan.firstResultMs, samplesPerSecond: wan.samplesPerSecond },
    ratios: {
      firstResult: Number((wan.firstResultMs / loopback.firstResultMs).toFixed(2)),
      throughput: Number((wan.samplesPerSecond / loopback.samplesPerSecond).toFixed(3)),
    },
    shaping: { delayMsEachWay: Number(opts['delay-ms']), lossPercent: Number(opts.loss) },
    rows: Number(opts.rows),
    shardSize: SHARD,
  }
} finally {
  await Promise.all(nodes.map((n) => n.stop()))
  await chain?.stop().catch(() => {})
  box.destroy()
  await rm(work, { recursive: true, force: true })
}
if (opts.json) console.log(JSON.stringify(result))
else
  say(
    `ratios wan/loopback: first result ${result!.ratios && (result!.ratios as { firstResult: number }).firstResult}×, throughput ${(result!.ratios as { throughput: number }).throughput}×`,
  )
process.exit(0)
