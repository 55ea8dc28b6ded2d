import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCsv } from '../../src/data/load.js'
import { dirichletPartition } from '../../src/data/partition.js'
import { chainAnchor } from '../../src/fl/lineage/chain-anchor.js'
import { appendRound, type Lineage, startLineage } from '../../src/fl/lineage/record.js'
import { createLedger } from '../../src/ledger/ledger.js'
import { startTestChain, TEST_KEYS } from '../../src/ledger/test-utils.js'
import { startFlTestNetwork } from '../helpers/fl-network.js'

const ROOT = new URL('../..', import.meta.url).pathname
const ds = loadCsv(readFileSync(join(ROOT, 'data/wdbc-breast-cancer.csv'), 'utf8'), { target: 'diagnosis' })

/** `mutirao fl lineage …` from source in its own process; resolves with the exit code and stdout. */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'examples/fl-hospitals/fl-cli.ts'), ...args],
      {
        cwd: ROOT,
      },
    )
    let out = ''
    p.stdout.on('data', (d) => {
      out += d
    })
    p.stderr.on('data', (d) => {
      out += d
    })
    p.on('exit', (code) => resolve({ code, out }))
  })
}

describe('mutirao fl lineage verifies against the LineageRegistry on-chain', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  let dir: string
  let lineage: Lineage
  beforeAll(async () => {
    env = await startTestChain()
    dir = await mkdtemp(join(tmpdir(), 'mutirao-fl-lin-'))
    const owner = await createLedger({
      rpcUrl: env.chain.rpcUrl,
      privateKey: TEST_KEYS[0]!,
      deployments: env.deployments,
    })
    const net = await startFlTestNetwork({
      spec: {
        id: 'lin-chain',
        model: { kind: 'logreg' },
        schema: ds.schema,
        rounds: 3,
        minParticipants: 3,
        roundDeadlineMs: 20_000,
        local: { epochs: 1, batchSize: 32, lr: 0.1 },
        seed: 2,
      },
      holders: dirichletPartition(ds, { holders: 3, alpha: 0.5, seed: 2, minRows: 20 }),
      coordinator: { anchor: chainAnchor(owner) },
    })
    try {
      lineage = (await net.coordinator.run()).lineage!
      await Promise.all(net.holderRuns)
    } finally {
      await net.stop()
    }
  }, 60_000)
  afterAll(() => env?.cleanup())

  const verify = async (l: unknown, name: string) => {
    const file = join(dir, name)
    await writeFile(file, JSON.stringify(l))
    const chain = ['--rpc-url', env.chain.rpcUrl, '--deployments', join(env.dir, 'deployments.json')]
    return cli([
      'lineage',
      lineage.modelHash!,
      '--file',
      file,
      ...chain,
      '--data-dir',
      join(dir, 'node'),
      '--json',
    ])
  }

  it('exit 0 for the anchored lineage; exit 1 when a round is changed or another history claims the model', async () => {
    const ok = await verify(lineage, 'ok.json')
    expect(ok.code, ok.out).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, anchored: true, rounds: 3 })

    // A recorded round changed (accuracy rewritten), hashes left as they were.
    const edited = structuredClone(lineage)
    edited.rounds[1]!.testAccuracy = 0.999
    const bad = await verify(edited, 'edited.json')
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.out).problems.join()).toMatch(/round 2: hash does not match/)

    // A consistent rewrite (every hash recomputed, signatures kept): only the chain root catches it.
    let forged = startLineage(lineage.genesis)
    for (const r of lineage.rounds) {
      const { prevHash: _p, hash: _h, ...fields } = r
      forged = appendRound(
        forged,
        r.round === 1 ? { ...fields, shares: fields.shares, testAccuracy: 1 } : fields,
      )
    }
    expect(forged.modelHash).toBe(lineage.modelHash)
    const rewritten = await verify(forged, 'rewritten.json')
    expect(rewritten.code).toBe(1)
    expect(JSON.parse(rewritten.out)).toMatchObject({ ok: false, anchored: false })
  }, 60_000)
})
