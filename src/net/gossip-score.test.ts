import { createPeerScoreParams, defaultPeerScoreThresholds, PeerScore } from '@libp2p/gossipsub/score'
import { defaultLogger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'
import { GOSSIP_SCORE_PARAMS } from './gossip-score.js'

/** Scores of `n` peers that all come from `ip`, under `params` (gossipsub's own scoring code). */
function scoresFrom(ip: string, n: number, params = GOSSIP_SCORE_PARAMS): number[] {
  const score = new PeerScore(createPeerScoreParams(params), null, defaultLogger(), {
    scoreCacheValidityMs: 0,
  })
  const ids = Array.from({ length: n }, (_, i) => `peer-${i}`)
  for (const id of ids) {
    score.addPeer(id)
    score.addIP(id, ip)
  }
  return ids.map((id) => score.score(id))
}

describe('gossipsub scoring of many peers behind one address', () => {
  const graylist = defaultPeerScoreThresholds.graylistThreshold

  it('gossipsub’s default silences 20 peers on one address (why this exists)', () => {
    expect(Math.max(...scoresFrom('198.18.0.7', 20, {}))).toBeLessThan(graylist)
  })

  it('ours hears 50 machines behind one office NAT and any number on loopback; cuts off a flood of 100', () => {
    expect(Math.min(...scoresFrom('198.18.0.7', 50))).toBe(0)
    expect(Math.min(...scoresFrom('127.0.0.1', 200))).toBe(0)
    expect(Math.max(...scoresFrom('198.18.0.7', 100))).toBeLessThan(graylist)
  })
})
