import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type LocalChain, startChainProcess } from '../../src/demo/local-network.js'
import { cliEvents } from '../helpers/cli-events.js'
import { HOSPITALS, ownerArgs, splitHospitals } from '../helpers/fl-hospitals.js'
import { boxUnavailable, createWanBox, type WanBox } from './box.js'

const EXAMPLE = HOSPITALS
const unavailable = boxUnavailable()

describe.skipIf(unavailable)('internet in a box: federated learning across homes', () => {
  let box: WanBox | undefined
  let root = ''
  let chain: LocalChain | undefined
  const procs: ChildProcess[] = []
  afterAll(async () => {
    for (const p of procs) p.kill('SIGKILL')
    await chain?.stop()
    box?.destroy()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('three hospitals in three homes (two port-preserving NATs, one symmetric) co-train under secure aggregation with a public coordinator; each is paid its share on the shared chain', async () => {
    box = createWanBox()
    root = await mkdtemp(join(tmpdir(), 'mutirao-wan-fl-'))
    const chainHost = box.publicHost('chain')
    chain = await startChainProcess(join(root, 'chain'), { host: chainHost.ip, netns: chainHost.netns })
    await splitHospitals()
    const job = JSON.parse(await readFile(join(EXAMPLE, 'job.json'), 'utf8'))
    const jobFile = join(root, 'job.json')
    await writeFile(jobFile, JSON.stringify({ ...job, rounds: 8, minParticipants: 3 }))
    expect(job.secureAggregation).toBeDefined()

    const owner = box.publicHost('owner')
    const coordinator = cliEvents(
      [
        'fl',
        ...ownerArgs(jobFile),
        '--host',
        owner.ip,
        '--port',
        '4100',
        '--data-dir',
        join(root, 'owner'),
        ...chain.args,
      ],
      owner.netns,
    )
    procs.push(coordinator.proc)
    // before it listens the coordinator funds the data budget on the chain (a few transactions, each
    // confirmed by polling): 30 s was once not enough in CI
    const deadline = Date.now() + 120_000
    while (!coordinator.events.some((e) => e.event === 'listening') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100))
    const listening = coordinator.events.find((e) => e.event === 'listening') as { multiaddrs: string[] }
    expect(listening, [...coordinator.stdout, ...coordinator.stderr].join('\n')).toBeDefined()
    const addr = listening.multiaddrs.find((a) => a.includes(owner.ip))!

    const homes = [
      await box.home('home-a', 'eim'),
      await box.home('home-b', 'eim'),
      await box.home('home-c', 'symmetric'),
    ]
    const holders = ['a', 'b', 'c'].map((h, i) =>
      cliEvents(
        [
          'fl',
          'join',
          '--coordinator',
          addr,
          '--job',
          job.id,
          '--data',
          join(EXAMPLE, `hospital-${h}.csv`),
          '--data-dir',
          join(root, `hospital-${h}`),
          ...chain!.args,
        ],
        homes[i].netns,
      ),
    )
    procs.push(...holders.map((h) => h.proc))
    const codes = await Promise.all(holders.map((h) => h.exit))
    for (const [i, h] of holders.entries()) expect(codes[i], h.stderr.slice(-10).join('\n')).toBe(0)
    expect(await coordinator.exit, coordinator.stderr.slice(-10).join('\n')).toBe(0)

    // every round aggregated all three homes' masked updates
    const rounds = coordinator.events.filter((e) => e.event === 'round') as {
      participants: string[]
      testAccuracy?: number
    }[]
    expect(rounds).toHaveLength(8)
    for (const r of rounds) expect(r.participants).toHaveLength(3)
    expect(rounds.at(-1)!.testAccuracy).toBeGreaterThan(0.9)
    for (const h of holders) {
      const sent = h.events.filter((e) => e.event === 'update-sent') as { secure: boolean }[]
      expect(sent.length).toBeGreaterThan(0)
      expect(sent.every((e) => e.secure)).toBe(true)
      expect(h.events.some((e) => e.event === 'paid')).toBe(true)
    }
    console.log(`[wan-fl] 8 rounds across 3 homes, final test accuracy ${rounds.at(-1)!.testAccuracy}`)
  }, 360_000)
})
