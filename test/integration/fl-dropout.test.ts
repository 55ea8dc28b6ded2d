import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCsv } from '../../src/data/load.js'
import { dirichletPartition } from '../../src/data/partition.js'
import { trainTestSplit } from '../../src/data/split.js'
import { AbortedError } from '../../src/errors.js'
import { verifyLineage } from '../../src/fl/lineage/verify.js'
import type { FlJobSpecInput } from '../../src/fl/network/protocol.js'
import type { Host } from '../../src/net/host.js'
import { startFlTestNetwork } from '../helpers/fl-network.js'

const ds = loadCsv(readFileSync(new URL('../../data/wdbc-breast-cancer.csv', import.meta.url), 'utf8'), {
  target: 'diagnosis',
})
const { train, test } = trainTestSplit(ds, { seed: 2, testFraction: 0.25 })
const parts = dirichletPartition(train, { holders: 3, alpha: 0.5, seed: 2, minRows: 20 })
const DEADLINE = 2000

const spec = (id: string, extra: Partial<FlJobSpecInput> = {}): FlJobSpecInput => ({
  id,
  model: { kind: 'logreg' },
  schema: ds.schema,
  rounds: 8,
  minParticipants: 2,
  roundDeadlineMs: DEADLINE,
  local: { epochs: 1, batchSize: 32, lr: 0.1 },
  seed: 2,
  ...extra,
})

/** Holder 2 is killed (its libp2p host stopped) just before it sends `type` in round 3. */
const killAt = (type: string) => (i: number, host: () => Host) =>
  i !== 2
    ? {}
    : {
        beforeSend: async (round: number, t: string) => {
          if (round === 3 && t === type) {
            await host().stop()
            throw new AbortedError('holder killed by the test')
          }
        },
      }

describe('fl-train dropouts', () => {
  it('plain: a holder killed mid-round and a late holder do not stop training; late updates are ignored', async () => {
    const kill = killAt('update')
    const net = await startFlTestNetwork({
      spec: spec('drop-plain'),
      holders: parts,
      coordinator: { test },
      holder: (i, host) =>
        i === 1
          ? {
              beforeSend: async (round, t) =>
                void (
                  round === 2 &&
                  t === 'update' &&
                  (await new Promise((r) => setTimeout(r, DEADLINE + 500)))
                ),
            }
          : kill(i, host),
    })
    const peers = net.holderHosts.map((h) => h.peerId.toString())
    try {
      const state = await net.coordinator.run()
      const rounds = state.lineage!.rounds
      const who = (r: number) => rounds[r - 1].participants.map((p) => p.peer).sort()
      expect(state.status).toBe('done')
      expect(rounds).toHaveLength(8)
      expect(who(1)).toEqual([...peers].sort())
      expect(who(2)).toEqual([peers[0], peers[2]].sort()) // holder 1 was late: ignored
      for (let r = 3; r <= 8; r++) expect(who(r)).toEqual([peers[0], peers[1]].sort()) // holder 2 is dead
      expect(rounds.at(-1)!.testAccuracy).toBeGreaterThan(0.9)
      expect((await verifyLineage(state.lineage)).ok).toBe(true)
      await expect(net.holderRuns[2]).rejects.toThrow(/killed/)
      expect((await net.holderRuns[0]).modelHash).toBe(state.lineage!.modelHash)
    } finally {
      await net.stop()
    }
  }, 60_000)

  it('SecAgg: a holder killed after sharing its keys is recovered from the Shamir shares; training completes', async () => {
    const net = await startFlTestNetwork({
      spec: spec('drop-secagg', { secureAggregation: { stepTimeoutMs: 3000 } }),
      holders: parts,
      coordinator: { test },
      holder: killAt('sa-masked'),
    })
    const peers = net.holderHosts.map((h) => h.peerId.toString())
    try {
      const state = await net.coordinator.run()
      const rounds = state.lineage!.rounds
      expect(state.status).toBe('done')
      expect(rounds).toHaveLength(8)
      expect(rounds[1].participants).toHaveLength(3)
      expect(rounds[2].dropped).toEqual([peers[2]]) // shared keys in round 3, then died: masks recovered
      for (let r = 3; r <= 8; r++)
        expect(rounds[r - 1].participants.map((p) => p.peer).sort()).toEqual([peers[0], peers[1]].sort())
      expect(rounds.at(-1)!.testAccuracy).toBeGreaterThan(0.9)
      expect((await verifyLineage(state.lineage)).ok).toBe(true)
    } finally {
      await net.stop()
    }
  }, 60_000)

  it('SecAgg+: six holders, each paired with only 2 neighbours; one killed after sharing is recovered by them', async () => {
    const six = dirichletPartition(train, { holders: 6, alpha: 5, seed: 2, minRows: 30 })
    const envelopesSent: number[] = [] // per sa-shares frame: envelopes it carried
    const kill = killAt('sa-masked')
    let joined = 0
    const net = await startFlTestNetwork({
      spec: spec('drop-secagg-plus', {
        rounds: 5,
        secureAggregation: { stepTimeoutMs: 3000, degree: 2 },
      }),
      holders: six,
      coordinator: { test, onEvent: (e) => void (e.type === 'holder-joined' && joined++) },
      holder: (i, host) => ({
        ...kill(i, host),
        onSend: (frame) => {
          const text = Buffer.from(frame).toString('latin1')
          if (text.includes('"t":"sa-shares"')) envelopesSent.push(text.split('"nonce":').length - 1)
        },
      }),
    })
    const peers = net.holderHosts.map((h) => h.peerId.toString())
    try {
      // holders join over a second or two: start once all six are in, so that round 3 has all six
      for (let i = 0; joined < 6 && i < 300; i++) await new Promise((r) => setTimeout(r, 50))
      expect(joined).toBe(6)
      const state = await net.coordinator.run()
      const rounds = state.lineage!.rounds
      expect(state.status).toBe('done')
      expect(rounds).toHaveLength(5)
      expect(rounds[1].participants).toHaveLength(6)
      expect(rounds[2].dropped).toEqual([peers[2]]) // its 2 neighbours revealed its mask key's shares
      expect(rounds.at(-1)!.participants).toHaveLength(5)
      // every holder sealed shares for its 2 neighbours, never for all 5 others
      expect(envelopesSent.length).toBeGreaterThanOrEqual(6 * 3)
      expect(new Set(envelopesSent)).toEqual(new Set([2]))
      expect(rounds.at(-1)!.testAccuracy).toBeGreaterThan(0.9)
      expect((await verifyLineage(state.lineage)).ok).toBe(true)
    } finally {
      await net.stop()
    }
  }, 60_000)
})
