import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { signPayload } from '../../net/signing.js'
import { sha256Hex } from '../network/codec.js'
import { FL_DOMAIN } from '../network/protocol.js'
import { memoryAnchor } from './anchor.js'
import { appendRound, createGenesis, type Lineage, recordHash, startLineage } from './record.js'
import { assertLineage, verifyLineage } from './verify.js'

const h = (s: string) => sha256Hex(new TextEncoder().encode(s))

async function build(): Promise<Lineage> {
  const keys = await Promise.all([0, 1].map(() => generateKeyPair('Ed25519')))
  const peers = keys.map((k) => peerIdFromPrivateKey(k).toString())
  let lin = startLineage(
    createGenesis({
      job: 'j1',
      coordinator: peers[0],
      spec: { id: 'j1', rounds: 3 },
      preprocessingHash: h('pre'),
      initialHash: h('w0'),
    }),
  )
  for (let round = 1; round <= 3; round++) {
    const participants = await Promise.all(
      keys.map(async (key, i) => {
        const signed = {
          t: 'update',
          job: 'j1',
          round,
          attempt: 0,
          body: h(`u${round}${i}`),
          numSamples: 10 + i,
          loss: 0.5,
        }
        return {
          peer: peers[i],
          commitment: signed.body,
          signed,
          signature: await signPayload(key, FL_DOMAIN, signed),
          numSamples: 10 + i,
        }
      }),
    )
    lin = appendRound(lin, {
      round,
      participants,
      aggregateHash: h(`w${round}`),
      secureAggregation: false,
      shares: { [peers[0]]: 0.25, [peers[1]]: 0.75 },
      valuation: 'samples',
      testAccuracy: 0.9,
    })
  }
  return lin
}

const clone = (l: Lineage): Lineage => structuredClone(l)

describe('model lineage', () => {
  it('an untouched lineage verifies, and matches its anchor', async () => {
    const lin = await build()
    const anchor = memoryAnchor()
    await anchor.anchor(lin.modelHash!, lin.root)
    const r = await verifyLineage(lin, { anchor, modelHash: h('w3') })
    expect(r).toMatchObject({ ok: true, rounds: 3, anchored: true, problems: [] })
    expect(lin.rounds[1].prevHash).toBe(lin.rounds[0].hash)
  })

  it('any change to a recorded round fails verification', async () => {
    const lin = await build()
    const p0 = lin.rounds[0].participants[0].peer
    const tampers: [string, (l: Lineage) => void][] = [
      [
        'share',
        (l) => {
          l.rounds[1].shares[p0] = 0.3
        },
      ],
      [
        'accuracy',
        (l) => {
          l.rounds[2].testAccuracy = 0.99
        },
      ],
      [
        'aggregate',
        (l) => {
          l.rounds[0].aggregateHash = h('evil')
        },
      ],
      [
        'commitment',
        (l) => {
          l.rounds[1].participants[0].commitment = h('evil')
        },
      ],
      ['participant removed', (l) => void l.rounds[1].participants.pop()],
      ['round removed', (l) => void l.rounds.splice(1, 1)],
      ['rounds swapped', (l) => void l.rounds.reverse()],
      [
        'genesis spec',
        (l) => {
          l.genesis.spec.rounds = 4
        },
      ],
      [
        'root',
        (l) => {
          l.root = h('evil')
        },
      ],
      [
        'model hash',
        (l) => {
          l.modelHash = h('evil')
        },
      ],
    ]
    for (const [what, tamper] of tampers) {
      const bad = clone(lin)
      tamper(bad)
      const r = await verifyLineage(bad)
      expect(r.ok, what).toBe(false)
      expect(r.problems.length, what).toBeGreaterThan(0)
    }
  })

  it('a forger who rewrites a commitment and recomputes every hash is caught by the signatures and the anchor', async () => {
    const lin = await build()
    const anchor = memoryAnchor()
    await anchor.anchor(lin.modelHash!, lin.root)
    const bad = clone(lin)
    const p = bad.rounds[1].participants[0]
    p.commitment = h('forged')
    p.signed.body = p.commitment
    let prev = bad.genesis.hash
    for (const r of bad.rounds) {
      r.prevHash = prev
      r.hash = recordHash(r)
      prev = r.hash
    }
    bad.root = prev
    const r = await verifyLineage(bad, { anchor })
    expect(r.ok).toBe(false)
    expect(r.problems.some((x) => /signature does not verify/.test(x))).toBe(true)
    expect(r.anchored).toBe(false)
    await expect(assertLineage(bad)).rejects.toMatchObject({ name: 'LineageVerificationError' })
  })

  it('rejects malformed input without throwing', async () => {
    expect((await verifyLineage({ version: 1 })).ok).toBe(false)
    expect((await verifyLineage('nope')).problems[0]).toMatch(/malformed/)
  })
})
