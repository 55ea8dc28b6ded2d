/**
 * A lending pool whose collateral factor is set by a risk model that no single party controls.
 *   npm run example:defi-oracle [-- --json]
 * Trains the model on generated market history, exports it to ONNX, starts a local chain, a requester and
 * three staked oracle providers (separate processes), deploys RiskAdjustedLending, asks for the risk of a
 * calm and of a stressed market; for the second, a staked attacker answers "no risk" at once. Three honest
 * answers finalise, the pool's factor follows them, the attacker is accused with its own signature and
 * slashed after the appeal window.
 */
import '../../src/polyfill.js'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  type Address,
  bytesToHex,
  encodeAbiParameters,
  formatUnits,
  getAddress,
  type Hex,
  parseEther,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startNetwork } from '../../src/demo/local-network.js'
import { encodeTensors } from '../../src/exec/tensor-codec.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import {
  mutiraoTokenAbi,
  riskAdjustedLendingAbi,
  riskAdjustedLendingBytecode,
} from '../../src/ledger/abi/index.js'
import { createLedgerContext } from '../../src/ledger/context.js'
import { contractCalls } from '../../src/ledger/contract-calls.js'
import { disputeActions } from '../../src/ledger/dispute-actions.js'
import { ANVIL_FAUCET_KEY, createLedger, readDeployments, signOracleAnswer } from '../../src/ledger/index.js'
import { increaseTime } from '../../src/ledger/test-utils.js'
import { EMBEDDED_DISPUTE_PARAMS } from '../../src/node/chain-setup.js'
import { decodeAnswer } from '../../src/oracle/quantise.js'
import { connect } from '../../src/sdk/client.js'
import { trainDemoModel } from '../../src/train/demo-model.js'
import { FEATURES, marketHistory, STATES, toCsv } from './market-data.js'

const json = process.argv.includes('--json')
const say = (line: string) => {
  if (!json) console.log(line)
}
const STAKE = parseEther('100')
const FEE = parseEther('3')
/** Anvil's second funded account: the attacker (any staked account may answer). */
const ATTACKER_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

const dir = await mkdtemp(join(tmpdir(), 'mutirao-defi-oracle-'))
const net = await (async () => {
  // 1. the model: trained here on generated market history, exported to ONNX
  const weeks = marketHistory(2000, 7)
  await writeFile(join(dir, 'markets.csv'), toCsv(weeks))
  const model = await trainDemoModel(join(dir, 'markets.csv'), { target: 'insolvent', seed: 7 })
  const yes = model.testLabels.filter((y) => model.classes[y] === 'yes').length
  const baselineAccuracy = Math.max(yes, model.testCount - yes) / model.testCount
  const modelFile = join(dir, 'risk.onnx')
  await writeFile(modelFile, model.onnx)
  const modelHash = `0x${createHash('sha256').update(model.onnx).digest('hex')}` as Hex
  say(
    `risk model: accuracy ${(model.accuracy * 100).toFixed(1)} % on held-out weeks (majority-class baseline ${(baselineAccuracy * 100).toFixed(1)} %)`,
  )

  // 2. chain, requester, three staked oracle providers holding the model
  const net = await startNetwork({
    providers: 3,
    providerArgs: ['--oracle', '--oracle-model', modelFile],
    root: dir,
  })
  const eth: Record<string, Address> = {}
  for (const p of net.providers) {
    const ledger = (await connect({ dataDir: p.dataDir })).ledger
    await ledger.stake(STAKE)
    eth[p.name] = getAddress((await ledger.wallet()).address)
  }
  const deployments = await readDeployments(net.chain.deploymentsFile)
  const admin = await createLedgerContext(net.chain.rpcUrl, ANVIL_FAUCET_KEY, deployments)
  const oracle = (await createLedger({ rpcUrl: net.chain.rpcUrl, privateKey: ANVIL_FAUCET_KEY, deployments }))
    .oracle!
  const hash = await admin.walletClient.deployContract({
    abi: riskAdjustedLendingAbi,
    bytecode: riskAdjustedLendingBytecode,
    args: [oracle.address, modelHash, 3, 5],
    account: admin.account,
    chain: admin.walletClient.chain,
  })
  const pool = (await admin.publicClient.waitForTransactionReceipt({ hash })).contractAddress!
  const poolCalls = contractCalls(admin, pool, riskAdjustedLendingAbi)
  say(
    `lending pool ${pool}: collateral factor ${(await poolCalls.read('collateralFactorBps', [])) / 100} % until the oracle answers`,
  )

  // the attacker: staked like any provider, answering with its own script
  const attacker = await createLedger({ rpcUrl: net.chain.rpcUrl, privateKey: ATTACKER_KEY, deployments })
  await attacker.faucet(attacker.address, STAKE)
  await attacker.register(peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())
  await attacker.stake(STAKE)

  const ask = async (state: keyof typeof STATES) => {
    const input = bytesToHex(
      encodeTensors({
        features: tensorFromValues(
          'float32',
          [1, FEATURES.length],
          FEATURES.map((f) => STATES[state][f]),
        ),
      }),
    )
    await admin.write({
      address: deployments.token,
      abi: mutiraoTokenAbi,
      functionName: 'mint',
      args: [admin.account.address, FEE],
    })
    await admin.write({
      address: deployments.token,
      abi: mutiraoTokenAbi,
      functionName: 'approve',
      args: [pool, FEE],
    })
    const t0 = Date.now()
    await admin.write({
      address: pool,
      abi: riskAdjustedLendingAbi,
      functionName: 'requestUpdate',
      args: [input, FEE, 600n],
    })
    return { id: await poolCalls.read('pendingRequest', []), t0 }
  }
  const settle = async (state: string, id: bigint, t0: number) => {
    const r = await until(`request ${id}`, async () => {
      const r = await oracle.requestOf(id)
      return r.status === 'open' ? undefined : r
    })
    const values = decodeAnswer((await oracle.outputOf(id))!)
    const report = {
      state,
      id: Number(id),
      status: r.status,
      finaliseMs: Date.now() - t0,
      riskPpm: Number(values.at(-1)),
      collateralFactorBps: await poolCalls.read('collateralFactorBps', []),
      backers: (await oracle.backersOf(id, r.answer)).map((a) => getAddress(a)),
      earnedEachMut: formatUnits(r.fee / BigInt(r.quorum), 18),
    }
    say(
      `${state} market: risk ${(report.riskPpm / 1e4).toFixed(2)} % agreed by ${report.backers.length} providers in ${report.finaliseMs} ms → collateral factor ${report.collateralFactorBps / 100} % (each answerer earned ${report.earnedEachMut} MUT)`,
    )
    return report
  }

  // 3. a calm market: every answer agrees
  const calm = await ask('calm')
  const calmReport = await settle('calm', calm.id, calm.t0)

  // 4. a stressed market: the attacker answers "no risk" at once, to keep borrowing cheap
  const stressed = await ask('stressed')
  const lie = encodeAbiParameters([{ type: 'int256[]' }], [[0n, 1_000_000n, 0n]])
  const spec = (await oracle.requestOf(stressed.id)).specHash
  const sig = await signOracleAnswer(
    privateKeyToAccount(ATTACKER_KEY),
    { taskId: oracle.taskIdOf(stressed.id), specHash: spec, output: lie },
    deployments.disputeResolver!,
    attacker.chainId,
  )
  const attackerAnswered = await attacker.oracle!.answer(stressed.id, lie, sig).then(
    () => true,
    (err: Error) => {
      say(`attacker's answer refused: ${err.message}`)
      return false
    },
  )
  const stressedReport = await settle('stressed', stressed.id, stressed.t0)

  // 5. the first honest backer accuses the attacker with its signed answer; no appeal → slashed
  const attackerReport = {
    address: attacker.address,
    answered: attackerAnswered,
    stakeBefore: formatUnits(STAKE, 18),
    disputeId: undefined as number | undefined,
    status: 'not accused',
    stakeAfter: formatUnits(await attacker.stakeOf(attacker.address), 18),
  }
  if (attackerAnswered) {
    await until('the accusation', async () =>
      (await attacker.stakeOf(attacker.address)) < STAKE ? true : undefined,
    )
    const disputes = disputeActions(admin, deployments.disputeResolver!)
    const id = await until('the dispute id', async () => {
      for (const p of net.providers) {
        const s = (await (await connect({ dataDir: p.dataDir })).node()) as {
          oracle?: { requests: { id: string; disputes?: string[] }[] }
        }
        const d = s.oracle?.requests.find((r) => r.id === stressed.id.toString())?.disputes?.[0]
        if (d) return BigInt(d)
      }
      return undefined
    })
    say(
      `attacker ${attacker.address} accused (dispute ${id}); half its stake held; the appeal window passes (local chain: time skipped)`,
    )
    await increaseTime(net.chain.rpcUrl, Number(EMBEDDED_DISPUTE_PARAMS.appealWindowSeconds) + 1)
    await disputes.resolve(id)
    attackerReport.disputeId = Number(id)
    attackerReport.status = (await disputes.disputeOf(id)).status
    attackerReport.stakeAfter = formatUnits(await attacker.stakeOf(attacker.address), 18)
    say(
      `dispute ${id} ${attackerReport.status}: attacker stake ${attackerReport.stakeBefore} → ${attackerReport.stakeAfter} MUT`,
    )
  }
  if (json)
    console.log(
      JSON.stringify({
        modelAccuracy: model.accuracy,
        baselineAccuracy,
        baseline: 'majority class',
        modelHash,
        pool,
        requests: [calmReport, stressedReport],
        attacker: attackerReport,
      }),
    )
  return net
})().catch(async (err) => {
  console.error(err)
  process.exitCode = 1
  return undefined
})
await net?.stop()
await rm(dir, { recursive: true, force: true })
