import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type LocalChain,
  type LocalNode,
  runCli,
  startChainProcess,
  startNodeProcess,
} from '../../src/demo/local-network.js'
import { readNpyFile } from '../../src/exec/npy-file.js'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import type { ConnectionView } from '../../src/net/connections.js'
import type { HolePunchStats, PortMappingStats } from '../../src/net/nat-text.js'
import type { JobProgress } from '../../src/requester/job-spec.js'
import { type BoxHost, boxUnavailable, createWanBox, type Home, type WanBox } from './box.js'

const EXAMPLE = resolve(import.meta.dirname, '../../examples/wdbc-inference')
const P2P_PORT = 4001
const unavailable = boxUnavailable()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The last JSON value of a command's output (JSON lines, or events followed by one pretty-printed object). */
function lastJson<T>(stdout: string): T {
  const text = stdout.trim()
  const start = Math.max(text.lastIndexOf('\n{'), text.lastIndexOf('\n['))
  try {
    return JSON.parse(start < 0 ? text : text.slice(start + 1)) as T
  } catch {
    return JSON.parse(text.split('\n').at(-1)!) as T
  }
}

/** `mutirao <args> --json` inside `netns`, parsed; fails the test with stderr when it exits non-zero. */
async function cliJson<T>(netns: string, args: string[], timeoutMs = 60_000): Promise<T> {
  const res = await runCli([...args, '--json'], { netns, timeoutMs })
  expect(res.code, `mutirao ${args.join(' ')}:\n${res.stderr.slice(-3000)}`).toBe(0)
  return lastJson<T>(res.stdout)
}

describe.skipIf(unavailable)(
  'internet in a box: homes behind NATs, two relays and one chain on a public segment',
  () => {
    let box: WanBox
    let root = ''
    let chain: LocalChain | undefined
    const nodes: LocalNode[] = []
    const where = new Map<LocalNode, BoxHost>()
    let relays: LocalNode[]
    let requester: LocalNode
    let providers: { b: LocalNode; c: LocalNode; p: LocalNode }
    let mapped: LocalNode
    let homes: { a: Home; b: Home; c: Home; d: Home }
    let local: Awaited<ReturnType<typeof runOnnxLocally>>

    const start = async (name: string, host: BoxHost, args: string[]) => {
      const node = await startNodeProcess(
        name,
        join(root, name),
        ['--listen', `/ip4/${host.ip}/tcp/${P2P_PORT}`, ...chain!.args, ...args],
        {},
        host.netns,
      )
      nodes.push(node)
      where.set(node, host)
      return node
    }
    const status = (node: LocalNode) =>
      cliJson<{ multiaddrs: string[]; connections: ConnectionView[]; holePunch: HolePunchStats | null }>(
        where.get(node)!.netns,
        ['status', '--data-dir', node.dataDir],
      )
    const balance = async (node: LocalNode) =>
      BigInt(
        (await cliJson<{ balance: string }>(where.get(node)!.netns, ['wallet', '--data-dir', node.dataDir]))
          .balance,
      )

    /** Submit the WDBC job from home A (waits until it ends); resolves with the job's final progress. */
    const submit = async (
      name: string,
      shardSize: number,
      min: number,
      verification?: { policy: string },
    ) => {
      const file = join(root, `${name}.json`)
      await writeFile(
        file,
        JSON.stringify({
          kind: 'onnx-inference',
          name,
          model: join(EXAMPLE, 'model.onnx'),
          inputs: { features: { npy: join(EXAMPLE, 'features.npy') } },
          shardSize,
          maxPrice: '0.01',
          timeoutSeconds: 400,
          providers: { min, max: min, waitSeconds: 90 },
          ...(verification ? { verification } : {}),
        }),
      )
      const res = await runCli(['submit', file, '--data-dir', requester.dataDir, '--json'], {
        netns: homes.a.netns,
        timeoutMs: 420_000,
      })
      const logs = requester.logs.slice(-30).join('\n')
      expect(res.code, `${res.stdout.slice(-1500)}\n${res.stderr.slice(-3000)}\n--- requester\n${logs}`).toBe(
        0,
      )
      const job = lastJson<JobProgress>(res.stdout)
      expect(job.status).toBe('done')
      return job
    }
    /** The job's outputs, fetched with `mutirao result`, equal the model run locally. */
    const expectLocalOutputs = async (jobId: string) => {
      const out = join(root, `out-${jobId}`)
      const res = await runCli(['result', jobId, '--out', `${out}/`, '--data-dir', requester.dataDir], {
        netns: homes.a.netns,
      })
      expect(res.code, res.stderr).toBe(0)
      const names = (await readdir(out)).map((f) => f.replace(/\.npy$/, ''))
      expect(names.sort()).toEqual(Object.keys(local).sort())
      for (const name of names)
        expect(maxAbsDiff(await readNpyFile(join(out, `${name}.npy`)), local[name])).toBeLessThanOrEqual(1e-6)
    }

    beforeAll(async () => {
      local = await runOnnxLocally(new Uint8Array(await readFile(join(EXAMPLE, 'model.onnx'))), {
        features: await readNpyFile(join(EXAMPLE, 'features.npy')),
      })
      box = createWanBox()
      root = await mkdtemp(join(tmpdir(), 'mutirao-wan-'))
      const chainHost = box.publicHost('chain')
      chain = await startChainProcess(join(root, 'chain'), { host: chainHost.ip, netns: chainHost.netns })
      const r1 = await start('relay-1', box.publicHost('relay-1'), ['--relay'])
      const r2 = await start('relay-2', box.publicHost('relay-2'), [
        '--relay',
        '--bootstrap',
        r1.multiaddrs[0],
      ])
      relays = [r1, r2]
      const boot = ['--bootstrap', r1.multiaddrs[0], '--bootstrap', r2.multiaddrs[0]]
      homes = {
        a: await box.home('home-a', 'eim'),
        b: await box.home('home-b', 'eim'),
        c: await box.home('home-c', 'symmetric'),
        d: await box.home('home-d', 'eim', { natPmp: true }),
      }
      // providers redeem their vouchers at once (threshold 1 base unit), so payment shows on the chain
      const provide = ['--provide', '--redeem-threshold', '1', ...boot]
      const [a, b, c, p, d] = await Promise.all([
        start('requester-a', homes.a, boot),
        start('provider-b', homes.b, provide),
        start('provider-c', homes.c, provide),
        start('provider-p', box.publicHost('provider-p'), provide),
        // behind a router that forwards ports on request (NAT-PMP); not a provider, so jobs keep their three
        start('node-d', homes.d, ['--nat-pmp', ...boot]),
      ])
      mapped = d
      requester = a
      providers = { b, c, p }
    }, 120_000)

    afterAll(async () => {
      await Promise.all(nodes.map((n) => n.stop()))
      await chain?.stop()
      box?.destroy()
      if (root) await rm(root, { recursive: true, force: true })
    })

    it('NATed nodes hold reservations on both relays and advertise the relayed addresses', async () => {
      for (const node of [requester, providers.b, providers.c]) {
        const deadline = Date.now() + 30_000
        let circuits: string[] = []
        while (Date.now() < deadline) {
          circuits = (await status(node)).multiaddrs.filter((a) => a.includes('/p2p-circuit'))
          if (relays.every((r) => circuits.some((a) => a.includes(r.peerId)))) break
          await sleep(500)
        }
        for (const r of relays)
          expect(
            circuits.some((a) => a.includes(r.peerId)),
            `${node.name}: ${circuits}`,
          ).toBe(true)
      }
    })

    it('a requester at home A gets a job done by providers at home B (port-preserving NAT), home C (symmetric NAT) and on the public segment; outputs equal local onnxruntime; every provider is paid on the shared chain', async () => {
      const all = [providers.b, providers.c, providers.p]
      const before = new Map(await Promise.all(all.map(async (p) => [p, await balance(p)] as const)))
      const job = await submit('wdbc-over-the-box', 16, 3)
      // every provider did accepted (paid) work: kept shards, or replicas that checked another's — a
      // provider reached through a relay answers later, so its replicas may all lose the race to be kept
      expect(
        new Set(job.providers.filter((w) => w.units > 0).map((w) => w.provider)),
        JSON.stringify(job.providers),
      ).toEqual(new Set(all.map((p) => p.peerId)))
      await expectLocalOutputs(job.jobId)
      // the job's events say which provider was reachable only through a relay
      expect(
        job.notices?.some((n) => n.code === 'relayed' && n.message.includes(providers.c.peerId)),
        JSON.stringify(job.notices),
      ).toBe(true)
      // and the job's task stream to home B waited for the punch instead of riding the relay
      expect(
        job.notices?.some((n) => n.code === 'relayed' && n.message.includes(providers.b.peerId)),
        JSON.stringify(job.notices),
      ).toBe(false)

      // how the requester reached each provider: home B (port-preserving NAT) through a punched hole —
      // a direct connection between two NATed homes exists only if the punch made it —, the symmetric
      // NAT of home C leaves only the relay
      // A punched connection outlives the punch: CI saw punched sockets destroyed when the punch's 5 s timeout
      // fired (the TCP transport had been handed that signal), B relayed again by the time the test looked.
      // So look at least 6 s after the last punch; holePunch.recent says what happened (punches won and failed,
      // punched connections that closed)
      let { connections, holePunch } = await status(requester)
      const lastPunch = Math.max(0, ...(holePunch?.recent ?? []).map((e) => e.at))
      if (Date.now() - lastPunch < 6000) {
        await sleep(6000 - (Date.now() - lastPunch))
        ;({ connections, holePunch } = await status(requester))
      }
      const pathTo = (peer: string) => connections.filter((c) => c.peer === peer).map((c) => c.path)
      expect(
        holePunch?.recent?.filter((e) => e.event === 'closed'),
        JSON.stringify(holePunch),
      ).toEqual([])
      expect(pathTo(providers.b.peerId), JSON.stringify(holePunch)).toContain('direct')
      expect(holePunch?.direct, JSON.stringify(holePunch)).toBeGreaterThanOrEqual(1)
      expect(pathTo(providers.c.peerId)).toContain('relayed')
      expect(pathTo(providers.c.peerId)).not.toContain('direct')
      expect(pathTo(providers.p.peerId)).toContain('direct')
      console.log(
        `[wan] paths from home A: B ${pathTo(providers.b.peerId)}, C ${pathTo(providers.c.peerId)}, public ${pathTo(providers.p.peerId)}; hole punching ${JSON.stringify(holePunch)}`,
      )

      // every provider is paid on the one chain
      for (const p of all) {
        const deadline = Date.now() + 60_000
        let now = await balance(p)
        while (now <= before.get(p)! && Date.now() < deadline) {
          await sleep(1000)
          now = await balance(p)
        }
        expect(now, `${p.name} was not paid`).toBeGreaterThan(before.get(p)!)
      }
    }, 300_000)

    it('from the public segment only the libp2p port answers on a node; its API does not, and a home answers nothing', async () => {
      const probeFrom = where.get(relays[0])!.netns
      const pub = where.get(providers.p)!
      expect(box.probeTcp(probeFrom, pub.ip, P2P_PORT)).toBe('open')
      expect(box.probeTcp(probeFrom, pub.ip, Number(new URL(providers.p.apiUrl).port))).not.toBe('open')
      expect(box.probeTcp(probeFrom, homes.b.router.ip, P2P_PORT)).toBe('timeout')
    })

    it('a node whose home router offers NAT-PMP gets its port forwarded, announces the public address and is reachable from the internet; the forward goes when it stops', async () => {
      const router = homes.d.router.ip
      const s = await cliJson<{ multiaddrs: string[]; portMapping: PortMappingStats | null }>(homes.d.netns, [
        'status',
        '--data-dir',
        mapped.dataDir,
      ])
      expect(s.portMapping, JSON.stringify(s)).toEqual({
        gateway: homes.d.ip.replace(/\.2$/, '.1'),
        mapped: [`/ip4/${router}/tcp/${P2P_PORT}`],
      })
      expect(s.multiaddrs).toContain(`/ip4/${router}/tcp/${P2P_PORT}/p2p/${mapped.peerId}`)
      const probeFrom = box.publicHost('probe-d').netns
      expect(box.probeTcp(probeFrom, router, P2P_PORT)).toBe('open')
      await mapped.stop()
      expect(box.probeTcp(probeFrom, router, P2P_PORT)).toBe('timeout')
    }, 60_000)

    it('with 80 ms delay each way and 2 % loss on every home link, the job completes with correct outputs', async () => {
      for (const home of Object.values(homes)) box.shape(home, { delayMs: 80, lossPercent: 2 })
      try {
        const job = await submit('wdbc-lossy-links', 16, 3)
        await expectLocalOutputs(job.jobId)
      } finally {
        for (const home of Object.values(homes)) box.shape(home, { delayMs: 0, lossPercent: 0 })
      }
    }, 420_000)

    it('the relay carrying the requester to a home provider is killed mid-job: the job completes through the other relay', async () => {
      // only the home providers take part, so every task crosses a relay; one sample per task and 40 ms
      // each way on the home links keep the job running for seconds
      await providers.p.stop()
      for (const home of Object.values(homes)) box.shape(home, { delayMs: 40, lossPercent: 0 })
      // Verification off: the kill drops both providers at once, and one of them may take longer than the
      // 20 s a verified job waits for a second opinion to come back through the other relay (measured: 30 s).
      const running = submit('wdbc-relay-killed', 1, 2, { policy: 'none' })
      // once results flow, find the relay carrying home A ↔ home C and kill it
      let killed: LocalNode | undefined
      const deadline = Date.now() + 120_000
      while (!killed && Date.now() < deadline) {
        const jobs = await cliJson<JobProgress[]>(homes.a.netns, ['jobs', '--data-dir', requester.dataDir])
        const job = jobs.find((j) => j.name === 'wdbc-relay-killed')
        if (job && job.samplesDone > 0) {
          const { connections } = await status(requester)
          const via = connections.find((c) => c.peer === providers.c.peerId && c.path === 'relayed')?.addr
          killed = relays.find((r) => via?.includes(r.peerId))
        } else await sleep(200)
      }
      expect(killed, 'no relayed connection to home C while the job ran').toBeDefined()
      await killed!.kill9()
      const job = await running.finally(() => {
        for (const home of Object.values(homes)) box.shape(home, { delayMs: 0, lossPercent: 0 })
      })
      expect(job.samplesDone).toBe(job.samplesTotal)
      await expectLocalOutputs(job.jobId)
      const { connections } = await status(requester)
      const survivor = relays.find((r) => r !== killed)!
      expect(
        connections.some((c) => c.peer === providers.c.peerId && c.addr.includes(survivor.peerId)),
        JSON.stringify(connections),
      ).toBe(true)
    }, 420_000)
  },
)

if (unavailable)
  describe('internet in a box', () => {
    it.skip(`skipped: ${unavailable}`, () => {})
  })
