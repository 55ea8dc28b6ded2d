import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type Address, bytesToHex, getAddress, type Hex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOnnxLocally } from '../../src/exec/onnx-session.js'
import { encodeTensors } from '../../src/exec/tensor-codec.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import {
  mutiraoTokenAbi,
  providerRegistryAbi,
  riskAdjustedLendingAbi,
  riskAdjustedLendingBytecode,
} from '../../src/ledger/abi/index.js'
import { createLedgerContext, type LedgerContext } from '../../src/ledger/context.js'
import { contractCalls } from '../../src/ledger/contract-calls.js'
import { disputeActions } from '../../src/ledger/dispute-actions.js'
import { ANVIL_FAUCET_KEY, readDeployments } from '../../src/ledger/index.js'
import { oracleActions } from '../../src/ledger/oracle-actions.js'
import { increaseTime } from '../../src/ledger/test-utils.js'
import { EMBEDDED_DISPUTE_PARAMS } from '../../src/node/chain-setup.js'
import { decodeAnswer, quantiseOutputs } from '../../src/oracle/quantise.js'
import { connect } from '../../src/sdk/client.js'
import { startByzantineProvider } from '../helpers/byzantine-network.js'
import { startNetwork, type TestNetwork, type TestNode } from '../helpers/network.js'
import { until as untilFor } from '../helpers/node-ledger.js'

/** The shared poll helper, with this test's 120 s per step. */
const until = <T>(what: string, check: () => Promise<T | undefined>) => untilFor(what, check, 120_000)

const MODEL = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')
const STAKE = parseEther('100')
const FEE = parseEther('3')

describe('inference oracle: staked providers answer an on-chain request automatically', () => {
  let net: TestNetwork
  let admin: LedgerContext
  const eth: Record<string, Address> = {}

  const stakeAll = (nodes: TestNode[]) =>
    Promise.all(
      nodes.map(async (p) => {
        const ledger = (await connect({ dataDir: p.dataDir })).ledger
        await ledger.stake(STAKE)
        eth[p.name] = getAddress((await ledger.wallet()).address)
      }),
    )

  beforeAll(async () => {
    net = await startNetwork({ providers: 0 })
    admin = await createLedgerContext(
      net.chain.rpcUrl,
      ANVIL_FAUCET_KEY,
      await readDeployments(net.chain.deploymentsFile),
    )
  }, 120_000)
  afterAll(async () => {
    await net?.stop()
  })

  it('three honest answers finalise, the consumer sees the agreed answer, the liar is accused and slashed', async () => {
    const model = new Uint8Array(await readFile(MODEL))
    const modelHash = `0x${createHash('sha256').update(model).digest('hex')}` as Hex
    const inputs = {
      x: tensorFromValues(
        'float32',
        [1, 30],
        Array.from({ length: 30 }, (_, i) => ((i * 37) % 101) / 50),
      ),
    }
    const expected = quantiseOutputs(await runOnnxLocally(model, inputs), 6)
    const oracle = oracleActions(admin, admin.deployments.oracle!)

    // the consumer: a lending pool whose collateral factor follows the model; quorum 3 of at most 5 answers
    const deploy = await admin.walletClient.deployContract({
      abi: riskAdjustedLendingAbi,
      bytecode: riskAdjustedLendingBytecode,
      args: [oracle.address, modelHash, 3, 5],
      account: admin.account,
      chain: admin.walletClient.chain,
    })
    const pool = (await admin.publicClient.waitForTransactionReceipt({ hash: deploy })).contractAddress!
    const poolCalls = contractCalls(admin, pool, riskAdjustedLendingAbi)
    const token = contractCalls(admin, admin.deployments.token, mutiraoTokenAbi)
    await token.write('mint', [admin.account.address, FEE])
    await token.write('approve', [pool, FEE])
    await admin.write({
      address: pool,
      abi: riskAdjustedLendingAbi,
      functionName: 'requestUpdate',
      args: [bytesToHex(encodeTensors(inputs)), FEE, 600n],
    })
    const id = await poolCalls.read('pendingRequest', [])
    expect(id).toBeGreaterThan(0n)

    // a staked provider that lies answers first (it started before the others) …
    const liar = await startByzantineProvider(net, 'liar', 'always-wrong', ['--oracle-model', MODEL])
    net.providers.push(liar)
    await stakeAll([liar])
    const lie = await until('the liar to answer', async () => (await oracle.answeredEvents(id, 0n))[0])
    expect(getAddress(lie.provider)).toBe(eth.liar)

    // … then three honest ones start, find the open request on the chain and answer it
    const honest = await Promise.all(
      [1, 2, 3].map(() => net.addProvider(['--oracle', '--oracle-model', MODEL])),
    )
    await stakeAll(honest)
    const status = async (p: TestNode) =>
      (await (await connect({ dataDir: p.dataDir })).node()) as unknown as {
        oracle: { requests: { id: string; status: string; earned?: string; disputes?: string[] }[] }
      }
    const request = await until('finalisation', async () => {
      const r = await oracle.requestOf(id)
      return r.status === 'open' ? undefined : r
    }).catch(async (err: Error) => {
      // say what each honest provider did with the request, so that a failure explains itself
      const seen = await Promise.all(
        honest.map(async (p) => JSON.stringify((await status(p)).oracle.requests)),
      )
      throw new Error(
        `${err.message}; answers: ${(await oracle.answeredEvents(id, 0n)).length}; providers saw: ${seen.join(' | ')}`,
      )
    })
    expect(request.status).toBe('finalized')

    // the agreed answer is what onnxruntime computes here, quantised; the consumer acted on it
    expect(decodeAnswer((await oracle.outputOf(id))!)).toEqual(expected.values)
    expect(await poolCalls.read('lastRiskPpm', [])).toBe(expected.values.at(-1))
    const factor = 8000n - (expected.values.at(-1)! * 6000n) / 1_000_000n
    expect(BigInt(await poolCalls.read('collateralFactorBps', []))).toBe(factor)
    expect(await poolCalls.read('pendingRequest', [])).toBe(0n)
    expect(lie.outputHash).not.toBe(request.answer)

    // the three honest providers were paid a third of the fee each; the liar nothing
    const backers = (await oracle.backersOf(id, request.answer)).map((a) => getAddress(a))
    expect(new Set(backers)).toEqual(new Set(honest.map((p) => eth[p.name])))
    for (const p of honest) {
      const rec = await until(`${p.name} to see the finalisation`, async () => {
        const r = (await status(p)).oracle.requests.find((x) => x.id === id.toString())
        return r?.status === 'paid' ? r : undefined
      })
      expect(rec.earned).toBe((FEE / 3n).toString())
    }

    // the first backer accused the liar with the signed answers from the chain; its stake is held …
    const stakeOf = (a: Address) =>
      admin.publicClient.readContract({
        address: admin.deployments.registry,
        abi: providerRegistryAbi,
        functionName: 'stakeOf',
        args: [a],
      }) as Promise<bigint>
    await until('the accusation', async () => ((await stakeOf(eth.liar)) < STAKE ? true : undefined))
    expect(await stakeOf(eth.liar)).toBe(STAKE / 2n)
    const first = honest.find((p) => eth[p.name] === backers[0])!
    const filed = (await status(first)).oracle.requests.find((x) => x.id === id.toString())!
    expect(filed.disputes).toHaveLength(1)

    // … and, with no appeal, slashed after the appeal window: half to the two quorum signers, half burned
    await increaseTime(net.chain.rpcUrl, Number(EMBEDDED_DISPUTE_PARAMS.appealWindowSeconds) + 1)
    const anyone = disputeActions(admin, admin.deployments.disputeResolver!)
    const disputeId = BigInt(filed.disputes![0])
    const dispute = await anyone.disputeOf(disputeId)
    expect(getAddress(dispute.accused)).toBe(eth.liar)
    await anyone.resolve(disputeId)
    expect((await anyone.disputeOf(disputeId)).status).toBe('upheld')
    expect(await stakeOf(eth.liar)).toBe(STAKE / 2n)
    for (const p of honest) expect(await stakeOf(eth[p.name])).toBe(STAKE)
  }, 400_000)
})
