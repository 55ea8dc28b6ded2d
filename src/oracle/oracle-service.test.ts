import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { encodeTensors } from '../exec/tensor-codec.js'
import { tensorFromValues } from '../exec/tensor-values.js'
import type { OracleRequest, RequestedEvent } from '../ledger/oracle-actions.js'
import { logger } from '../log.js'
import { OracleService, type OracleServiceDeps } from './oracle-service.js'

const account = privateKeyToAccount(`0x${'42'.repeat(32)}`)
const event: RequestedEvent = {
  id: 1n,
  requester: '0x00000000000000000000000000000000000000bb' as Address,
  modelHash: `0x${'ab'.repeat(32)}`,
  input: `0x${Buffer.from(encodeTensors({ x: tensorFromValues('float32', [1, 2], [1, 2]) })).toString('hex')}`,
  decimals: 2,
  quorum: 1,
  maxAnswers: 1,
  fee: 10n ** 18n,
  deadline: 2n ** 40n,
  blockNumber: 5n,
}
const request: OracleRequest = {
  id: 1n,
  requester: event.requester,
  status: 'open',
  quorum: 1,
  maxAnswers: 1,
  answers: 0,
  decimals: 2,
  deadline: event.deadline,
  fee: event.fee,
  specHash: `0x${'cd'.repeat(32)}`,
  answer: `0x${'00'.repeat(32)}`,
  callbackGas: 0,
}

/**
 * An oracle client whose first `requestOf` fails (a busy RPC), and whose first `revertingAnswers` answer
 * transactions revert, recording the answers taken.
 */
function flakyOracle(revertingAnswers = 0) {
  const answers: { id: bigint; output: Hex; gas?: boolean }[] = []
  let reads = 0
  let reverts = revertingAnswers
  const oracle: OracleServiceDeps['oracle'] = {
    address: '0x00000000000000000000000000000000000000cc',
    requestOf: async () => {
      if (++reads === 1) throw new Error('fetch failed')
      return request
    },
    answerOf: async () => `0x${'00'.repeat(32)}`,
    answer: async (id, output, _signature, req) => {
      if (reverts-- > 0) throw new Error('Transaction 0x26 (answer) reverted')
      answers.push({ id, output, gas: req !== undefined })
      return `0x${'ee'.repeat(32)}`
    },
    minStake: async () => 1n,
    taskIdOf: () => `0x${'01'.repeat(32)}`,
    requestedEvents: async (from) => (from <= 5n ? [event] : []),
    answeredEvents: async () => [],
    finalizedIds: async () => [],
    blockNumber: async () => 5n,
  }
  return { oracle, answers }
}

const serviceWith = (oracle: OracleServiceDeps['oracle']) =>
  new OracleService({
    oracle,
    account,
    resolver: '0x00000000000000000000000000000000000000dd',
    chainId: 31337,
    executor: {
      run: async ({ inputs }) => ({ y: tensorFromValues('float32', [1], [Number(inputs.x.dims[1]) / 4]) }),
    },
    hasModel: () => true,
    stake: async () => 5n,
    minFeePerAnswer: 0n,
    fromBlock: 0n,
    log: logger('test'),
  })

describe('OracleService', () => {
  it('an answer transaction that reverted (e.g. out of gas after the quorum filled meanwhile) is tried again, at most 3 times', async () => {
    const once = flakyOracle(1)
    const service = serviceWith(once.oracle)
    await service.poll() // the chain read fails
    await service.poll() // the answer reverts
    expect(service.records()[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/try 1 of 3; trying again/),
    })
    await service.poll()
    expect(once.answers).toEqual([{ id: 1n, output: expect.any(String), gas: true }])
    expect(service.records()[0]).toMatchObject({ status: 'answered' })

    const always = flakyOracle(99)
    const stubborn = serviceWith(always.oracle)
    for (let i = 0; i < 6; i++) await stubborn.poll()
    expect(always.answers).toHaveLength(0)
    expect(stubborn.records()[0]).toMatchObject({
      status: 'failed',
      reason: 'Transaction 0x26 (answer) reverted',
    })
  })

  it('a request whose chain read failed is tried again on the next poll and answered once', async () => {
    const { oracle, answers } = flakyOracle()
    const service = serviceWith(oracle)
    await service.poll()
    expect(answers).toHaveLength(0)
    await service.poll()
    expect(answers).toHaveLength(1)
    expect(service.records()[0]).toMatchObject({ id: '1', status: 'answered', values: ['50'] })
    await service.poll()
    expect(answers).toHaveLength(1)
  })
})
