import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type LocalChain,
  type LocalNode,
  runCli,
  startChainProcess,
  startNodeProcess,
} from '../../src/demo/local-network.js'
import { readNpyFile } from '../../src/exec/npy.js'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import type { ConnectionView } from '../../src/net/connections.js'
import type { JobProgress } from '../../src/requester/job-spec.js'
import { boxUnavailable, createWanBox, type WanBox } from './box.js'

const EXAMPLE = resolve(import.meta.dirname, '../../examples/wdbc-inference')
const P2P_PORT = 4001
const unavailable = boxUnavailable()

/** `mutirao <args> --json` inside `netns`, parsed; fails the test with stderr when it exits non-zero. */
async function cliJson<T>(netns: string, args: string[], timeoutMs = 60_000): Promise<T> {
  const res = await runCli([...args, '--json'], { netns, timeoutMs })
  expect(res.code, `mutirao ${args.join(' ')}:\n${res.stderr.slice(-3000)}`).toBe(0)
  try {
    return JSON.parse(res.stdout) as T // one (pretty-printed) object
  } catch {
    return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as T // JSON lines: the last one
  }
}

describe.skipIf(unavailable)(
  'internet in a box: homes behind NATs, two relays and one chain on a public segment',
  () => {
    let box: WanBox | undefined
    let root = ''
    let chain: LocalChain | undefined
    const nodes: LocalNode[] = []
    afterAll(async () => {
      await Promise.all(nodes.map((n) => n.stop()))
      await chain?.stop()
      box?.destroy()
      if (root) await rm(root, { recursive: true, force: true })
    })

    it('a requester at home A gets a job done by providers at home B (port-preserving NAT), home C (symmetric NAT) and on the public segment; outputs equal local onnxruntime; every provider is paid on the shared chain', async () => {
      box = createWanBox()
      root = await mkdtemp(join(tmpdir(), 'mutirao-wan-'))
      const chainHost = box.publicHost('chain')
      chain = await startChainProcess(join(root, 'chain'), { host: chainHost.ip, netns: chainHost.netns })

      const start = async (name: string, host: { netns: string; ip: string }, args: string[]) => {
        const node = await startNodeProcess(
          name,
          join(root, name),
          ['--listen', `/ip4/${host.ip}/tcp/${P2P_PORT}`, ...chain!.args, ...args],
          {},
          host.netns,
        )
        nodes.push(node)
        return node
      }
      const r1Host = box.publicHost('relay-1')
      const r2Host = box.publicHost('relay-2')
      const r1 = await start('relay-1', r1Host, ['--relay'])
      const r2 = await start('relay-2', r2Host, ['--relay', '--bootstrap', r1.multiaddrs[0]])
      const boot = ['--bootstrap', r1.multiaddrs[0], '--bootstrap', r2.multiaddrs[0]]
      const homeA = box.home('home-a', 'eim')
      const homeB = box.home('home-b', 'eim')
      const homeC = box.home('home-c', 'symmetric')
      const publicProvider = box.publicHost('provider-p')
      const [requester, pb, pc, pp] = await Promise.all([
        start('requester-a', homeA, boot),
        start('provider-b', homeB, ['--provide', '--redeem-threshold', '1', ...boot]),
        start('provider-c', homeC, ['--provide', '--redeem-threshold', '1', ...boot]),
        start('provider-p', publicProvider, ['--provide', '--redeem-threshold', '1', ...boot]),
      ])
      const homeOf = new Map([
        [pb.peerId, homeB],
        [pc.peerId, homeC],
        [pp.peerId, publicProvider],
      ])

      // NATed nodes hold reservations on both relays and advertise the relayed addresses
      for (const [node, home] of [
        [requester, homeA],
        [pb, homeB],
        [pc, homeC],
      ] as const) {
        const deadline = Date.now() + 30_000
        let circuits: string[] = []
        while (Date.now() < deadline) {
          const s = await cliJson<{ multiaddrs: string[] }>(home.netns, [
            'status',
            '--data-dir',
            node.dataDir,
          ])
          circuits = s.multiaddrs.filter((a) => a.includes('/p2p-circuit'))
          if (circuits.length >= 2) break
          await new Promise((r) => setTimeout(r, 500))
        }
        expect(
          circuits.some((a) => a.includes(r1.peerId)),
          `${node.name}: ${circuits}`,
        ).toBe(true)
        expect(
          circuits.some((a) => a.includes(r2.peerId)),
          `${node.name}: ${circuits}`,
        ).toBe(true)
      }

      const balance = async (node: LocalNode) =>
        BigInt(
          (
            await cliJson<{ balance: string }>(homeOf.get(node.peerId)!.netns, [
              'wallet',
              '--data-dir',
              node.dataDir,
            ])
          ).balance,
        )
      const before = new Map(
        await Promise.all([pb, pc, pp].map(async (p) => [p.peerId, await balance(p)] as const)),
      )

      const jobFile = join(root, 'job.json')
      await writeFile(
        jobFile,
        JSON.stringify({
          kind: 'onnx-inference',
          name: 'wdbc-over-the-box',
          model: join(EXAMPLE, 'model.onnx'),
          inputs: { features: { npy: join(EXAMPLE, 'features.npy') } },
          shardSize: 16,
          maxPrice: '0.01',
          timeoutSeconds: 300,
          providers: { min: 3, max: 3, waitSeconds: 90 },
        }),
      )
      const submitted = await runCli(['submit', jobFile, '--data-dir', requester.dataDir, '--json'], {
        netns: homeA.netns,
        timeoutMs: 240_000,
      })
      const requesterLogs = requester.logs.slice(-30).join('\n')
      expect(submitted.code, `${submitted.stderr.slice(-3000)}\n--- requester\n${requesterLogs}`).toBe(0)
      const jobs = await cliJson<JobProgress[]>(homeA.netns, ['jobs', '--data-dir', requester.dataDir])
      const job = jobs[0]
      expect(job.status).toBe('done')
      expect(new Set(job.providers.filter((w) => w.samples > 0).map((w) => w.provider))).toEqual(
        new Set([pb.peerId, pc.peerId, pp.peerId]),
      )

      // outputs equal the model run locally
      const out = join(root, 'out')
      const res = await runCli(['result', job.jobId, '--out', `${out}/`, '--data-dir', requester.dataDir], {
        netns: homeA.netns,
      })
      expect(res.code, res.stderr).toBe(0)
      const local = await runOnnxLocally(
        new Uint8Array(await (await import('node:fs/promises')).readFile(join(EXAMPLE, 'model.onnx'))),
        { features: await readNpyFile(join(EXAMPLE, 'features.npy')) },
      )
      const names = (await readdir(out)).map((f) => f.replace(/\.npy$/, ''))
      expect(names.sort()).toEqual(Object.keys(local).sort())
      for (const name of names)
        expect(maxAbsDiff(await readNpyFile(join(out, `${name}.npy`)), local[name])).toBeLessThanOrEqual(1e-6)

      // how the requester reached each home: the symmetric NAT leaves only the relay
      const status = await cliJson<{ connections: ConnectionView[] }>(homeA.netns, [
        'status',
        '--data-dir',
        requester.dataDir,
      ])
      const pathTo = (peer: string) => status.connections.filter((c) => c.peer === peer).map((c) => c.path)
      expect(pathTo(pc.peerId)).toContain('relayed')
      expect(pathTo(pc.peerId)).not.toContain('direct')
      expect(pathTo(pp.peerId)).toContain('direct')
      console.log(
        `[wan] paths from home A: B ${pathTo(pb.peerId)}, C ${pathTo(pc.peerId)}, public ${pathTo(pp.peerId)}`,
      )

      // every provider is paid on the one chain (vouchers redeemed at the end of the job)
      for (const p of [pb, pc, pp]) {
        const deadline = Date.now() + 60_000
        let now = await balance(p)
        while (now <= before.get(p.peerId)! && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 1000))
          now = await balance(p)
        }
        expect(now, `${p.name} was not paid`).toBeGreaterThan(before.get(p.peerId)!)
      }

      // from the public segment only the libp2p port answers on a node; its API (loopback) does not
      const apiPort = Number(new URL(pp.apiUrl).port)
      expect(box.probeTcp(r1Host.netns, publicProvider.ip, P2P_PORT)).toBe('open')
      expect(box.probeTcp(r1Host.netns, publicProvider.ip, apiPort)).not.toBe('open')
      // and nothing at all answers at a home from outside
      expect(box.probeTcp(r1Host.netns, homeB.router.ip, P2P_PORT)).toBe('timeout')
    }, 360_000)
  },
)

if (unavailable)
  describe('internet in a box', () => {
    it.skip(`skipped: ${unavailable}`, () => {})
  })
