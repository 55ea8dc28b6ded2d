import type { Address, Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { type AnswererView, accusationsToFile, decideAnswer, type RequestView } from './decide.js'

const ME = '0x00000000000000000000000000000000000000aa' as Address
const OTHER = '0x00000000000000000000000000000000000000bb' as Address
const request: RequestView = {
  requester: OTHER,
  status: 'open',
  deadline: 2_000n,
  fee: 3n * 10n ** 18n,
  quorum: 3,
  modelHash: 'ab'.repeat(32),
}
const me: AnswererView = {
  me: ME,
  nowSeconds: 1_000,
  minFeePerAnswer: 10n ** 18n,
  stake: 100n * 10n ** 18n,
  minStake: 10n * 10n ** 18n,
  hasModel: true,
  answered: false,
}

describe('decideAnswer', () => {
  it('answers an open request it can run, paid at least its ask', () => {
    expect(decideAnswer(request, me)).toEqual({ action: 'answer' })
  })
  it('skips with the reason, and says which reasons may pass', () => {
    const why = (r: Partial<RequestView>, a: Partial<AnswererView> = {}) =>
      decideAnswer({ ...request, ...r }, { ...me, ...a })
    expect(why({ requester: ME })).toMatchObject({ action: 'skip', reason: /own request/, retry: false })
    expect(why({ status: 'finalized' })).toMatchObject({ reason: 'request is finalized', retry: false })
    expect(why({}, { answered: true })).toMatchObject({ reason: 'already answered' })
    expect(why({ deadline: 999n })).toMatchObject({ reason: 'deadline passed' })
    expect(why({ fee: 2n * 10n ** 18n })).toMatchObject({
      reason: "fee share 0.666666666666666666 MUT per answer is below this provider's ask of 1 MUT",
      retry: false,
    })
    expect(why({}, { stake: 10n ** 18n })).toMatchObject({
      reason: /stake 1 MUT is below .* minimum 10 MUT/,
      retry: true,
    })
    expect(why({}, { hasModel: false })).toMatchObject({
      reason: /model abababababab… is not held/,
      retry: true,
    })
  })
})

const answer = (provider: string, outputHash: string) => ({
  id: 1n,
  provider: provider as Address,
  outputHash: outputHash as Hex,
  signature: '0x' as Hex,
})

describe('accusationsToFile', () => {
  const good = '0x01' as Hex
  const answers = [answer(OTHER, '0x02'), answer(ME, good), answer('0xcc', good), answer('0xdd', good)]
  it('the first backer accuses every minority answer with the first two backers', () => {
    expect(accusationsToFile(answers, good, ME)).toEqual([
      { accused: answers[0], quorum: [answers[1], answers[2]] },
    ])
  })
  it('other backers leave it to the first; a single backer cannot accuse', () => {
    expect(accusationsToFile(answers, good, '0x00000000000000000000000000000000000000cc' as Address)).toEqual(
      [],
    )
    expect(accusationsToFile([answer(OTHER, '0x02'), answer(ME, good)], good, ME)).toEqual([])
  })
  it('nothing to file when everyone agreed', () => {
    expect(accusationsToFile(answers.slice(1), good, ME)).toEqual([])
  })
})
