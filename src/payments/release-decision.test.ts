import { describe, expect, it } from 'vitest'
import { MAX_REQUEST_VALIDITY_MS, type ReleaseState, releaseDecision } from './release-decision.js'

const ok: ReleaseState = {
  forMe: true,
  expires: 2_000,
  now: 1_000,
  signedByRequester: true,
  closed: false,
  uncovered: 0,
  running: 0,
}

describe('releaseDecision', () => {
  it('releases only when everything delivered is vouchered and nothing runs', () => {
    expect(releaseDecision(ok)).toEqual({ ok: true })
    expect(releaseDecision({ ...ok, uncovered: 3 })).toMatchObject({ ok: false, retry: true })
    expect(releaseDecision({ ...ok, running: 1 })).toMatchObject({ ok: false, retry: true })
  })

  it('refuses for good what asking again cannot fix', () => {
    for (const bad of [
      { forMe: false },
      { expires: 999 },
      { expires: 1_000 + MAX_REQUEST_VALIDITY_MS + 1 },
      { signedByRequester: false },
      { closed: true },
    ]) {
      const d = releaseDecision({ ...ok, ...bad })
      expect(d.ok).toBe(false)
      expect(d.ok === false && d.retry).toBeFalsy()
    }
  })
})
