import { describe, expect, it } from 'vitest'
import { parsePrice } from '../market/price.js'
import { DemandLog, type DemandSeen, explainProvider, type ProviderFacts } from './explain.js'

const now = 1_000_000
const facts = (over: Partial<ProviderFacts> = {}): ProviderFacts => ({
  now,
  accepting: true,
  ask: parsePrice('0.002'),
  kinds: ['onnx-inference'],
  executionProvider: 'cpu',
  peers: 3,
  tasks: { running: 0, completed: 0, failed: 0 },
  demands: [],
  otherAsks: [],
  ...over,
})
const demand = (decision: DemandSeen['decision'], over: Partial<DemandSeen> = {}): DemandSeen => ({
  demandId: `d${Math.random()}`,
  at: now - 1000,
  kind: 'onnx-inference',
  maxPricePerUnit: parsePrice('0.001'),
  decision,
  ...over,
})

describe('explainProvider', () => {
  it('no peers, or peers but no demand: says which, and what to do', () => {
    expect(explainProvider(facts({ peers: 0 })).reasons.map((r) => r.code)).toEqual(['no-peers'])
    expect(explainProvider(facts()).reasons).toEqual([
      {
        code: 'no-demand',
        message: 'no job demand seen in the last hour (connected to 3 peers): nobody asked for work',
      },
    ])
  })

  it('peers on another network: says so beside the missing demand', () => {
    const elsewhere = "1 connected peer(s) speak another network (1 on 'testnet'), not 'local'"
    expect(explainProvider(facts({ elsewhere })).reasons.map((r) => [r.code, r.message])).toEqual([
      ['no-demand', 'no job demand seen in the last hour (connected to 3 peers): nobody asked for work'],
      ['other-network', elsewhere],
    ])
  })

  it('an ask above every max price: names the best max price and the --price that would have offered', () => {
    const e = explainProvider(
      facts({ demands: [demand('price'), demand('price', { maxPricePerUnit: parsePrice('0.0015') })] }),
    )
    expect(e.state).toBe('waiting')
    expect(e.reasons).toEqual([
      {
        code: 'declined',
        message:
          'declined 2 demands paying at most 0.0015 MUT per 1,000 units, below your ask of 0.002 MUT per 1,000 units: --price 0.0015 or less would have offered',
      },
    ])
  })

  it('kinds, GPU demands, idle-only pause and offers not taken, each with its reason', () => {
    const e = explainProvider(
      facts({
        accepting: false,
        demands: [
          demand('kind', { kind: 'wasm' }),
          demand('hardware'),
          demand('paused', { detail: 'idle-only: the owner is using the machine' }),
          demand('offered'),
          demand('offered', { agreed: true }),
        ],
        otherAsks: [parsePrice('0.001'), parsePrice('0.001'), parsePrice('0.003')],
        tasks: { running: 0, completed: 4, failed: 1 },
      }),
    )
    expect(e.state).toBe('paused')
    expect(e.reasons.map((r) => r.message)).toEqual([
      'idle-only mode: the owner is using this machine, so it offers nothing until the machine is idle again',
      'declined 1 demand for job kinds you do not run (wasm; you run onnx-inference)',
      'declined 1 demand that needs a GPU (you run models on the cpu; --gpu webgpu with a usable adapter takes them)',
      'declined 1 demand: paused (idle-only: the owner is using the machine)',
      'requesters chose other providers for 1 of your 2 offers (they rank by price and reputation; other providers ask 0.001 MUT per 1,000 units (median of 3), you ask 0.002 MUT per 1,000 units)',
      'chosen for 1 job in the last hour; 4 tasks completed, 1 failed since start',
    ])
  })

  it('demands whose offer sample left this provider out are counted apart from declines', () => {
    const e = explainProvider(
      facts({ demands: [demand('not-sampled'), demand('not-sampled'), demand('price')] }),
    )
    expect(e.reasons.map((r) => r.code)).toEqual(['not-sampled', 'declined'])
    expect(e.reasons[0].message).toMatch(/^2 demands asked a sample of the network's providers/)
  })

  it('a working provider says so first', () => {
    const e = explainProvider(
      facts({
        tasks: { running: 2, completed: 0, failed: 0 },
        demands: [demand('offered', { agreed: true })],
      }),
    )
    expect(e.state).toBe('working')
    expect(e.reasons[0]).toEqual({ code: 'working', message: 'running 2 tasks now' })
  })
})

describe('explainProvider: reputation', () => {
  it('says how staked requesters rate the machine, and what a low score costs; nothing when none attested', () => {
    const counts = { valid: 3, invalid: 4, timeout: 1 }
    const low = explainProvider(
      facts({ seenByOthers: { score: 0.3, attesters: 2, counts, attestedStake: '1', latest: 1 } }),
    )
    expect(low.reasons.at(-1)).toEqual({
      code: 'reputation',
      message:
        '2 staked requesters rate it 0.30 of 1 (3 valid, 4 invalid, 1 timeout): below the 0.5 of a newcomer, so requesters who have not met you rank you behind others',
    })
    const good = explainProvider(
      facts({ seenByOthers: { score: 0.9, attesters: 1, counts, attestedStake: '1', latest: 1 } }),
    )
    expect(good.reasons.at(-1)?.message).toBe(
      '1 staked requester rates it 0.90 of 1 (3 valid, 4 invalid, 1 timeout)',
    )
    const none = explainProvider(
      facts({ seenByOthers: { score: null, attesters: 0, counts, attestedStake: '0', latest: null } }),
    )
    expect(none.reasons.map((r) => r.code)).not.toContain('reputation')
  })
})

describe('DemandLog', () => {
  it('keeps the last 500 demands and marks the ones that became agreements', () => {
    const log = new DemandLog()
    for (let i = 0; i < 510; i++) log.record(demand('offered', { demandId: `d${i}`, at: i }))
    log.agreed('d509')
    log.agreed('d3') // dropped already
    const all = log.since(0)
    expect(all).toHaveLength(500)
    expect(all[0].demandId).toBe('d10')
    expect(all.filter((d) => d.agreed).map((d) => d.demandId)).toEqual(['d509'])
    expect(log.since(505)).toHaveLength(5)
  })
})
