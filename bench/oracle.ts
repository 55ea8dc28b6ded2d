/**
 * Oracle gas benchmark (issue 15): gas per InferenceOracle request — the request, each answer, the
 * finalising answer (pays the quorum, calls the consumer back) — for quorum k = 1, 3, 5, against k = 1 as the
 * baseline (one signer's answer finalises: what a plain single-signer oracle costs), on a fresh embedded anvil.
 * Writes the "## Oracle" section of BENCHMARKS.md.
 * Run: npm run bench:oracle (`-- --json`: one JSON object on stdout)
 */
import '../src/polyfill.js'
import { cpus } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createPublicClient, encodeAbiParameters, http } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createLedger, type Ledger } from '../src/ledger/ledger.js'
import { signOracleAnswer } from '../src/ledger/oracle-actions.js'
import { chainTime, startTestChain, TEST_KEYS } from '../src/ledger/test-utils.js'
import { writeBenchmarkSection } from './benchmarks-md.js'

const QUORUMS = [1, 3, 5]
const REPEATS = 5
const json = process.argv.includes('--json')
const env = await startTestChain()
const started = Date.now()
try {
  const rpc = createPublicClient({ transport: http(env.chain.rpcUrl) })
  const mk = (k: `0x${string}`) =>
    createLedger({ rpcUrl: env.chain.rpcUrl, privateKey: k, deployments: env.deployments })
  const requester = await mk(TEST_KEYS[0]!)
  await requester.faucet(requester.address, 10n ** 24n)
  const keys = Array.from({ length: Math.max(...QUORUMS) }, () => generatePrivateKey())
  const providers: Ledger[] = []
  for (const key of keys) {
    const p = await mk(key)
    await rpc.request({
      method: 'anvil_setBalance' as never,
      params: [p.address, '0x56BC75E2D63100000'] as never,
    })
    await requester.faucet(p.address, 100n * 10n ** 18n)
    await p.register(peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())
    await p.stake(100n * 10n ** 18n)
    providers.push(p)
  }
  const gasOf = async (hash: `0x${string}`) => (await rpc.getTransactionReceipt({ hash })).gasUsed
  const output = encodeAbiParameters([{ type: 'int256[]' }], [[1n, 250_000n, 750_000n]])
  const median = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : 1))[Math.floor(xs.length / 2)]!
  /** Gas of `repeats` requests with quorum k, each answered by k providers. */
  const measure = async (quorum: number, repeats: number) => {
    const samples: { request: bigint; answers: bigint[] }[] = []
    for (let r = 0; r < repeats; r++) {
      const id = await requester.oracle!.request({
        modelHash: `0x${'ab'.repeat(32)}`,
        input: `0x${'11'.repeat(160)}`,
        decimals: 6,
        quorum,
        maxAnswers: quorum,
        fee: 10n ** 18n,
        deadline: (await chainTime(env.chain.rpcUrl)) + 3_600n,
      })
      const logs = await rpc.getLogs({ address: env.deployments.oracle, fromBlock: 'latest' })
      const request = await gasOf(logs[0]!.transactionHash!)
      const spec = (await requester.oracle!.requestOf(id)).specHash
      const answers: bigint[] = []
      for (let i = 0; i < quorum; i++) {
        const sig = await signOracleAnswer(
          privateKeyToAccount(keys[i]!),
          { taskId: requester.oracle!.taskIdOf(id), specHash: spec, output },
          env.deployments.disputeResolver!,
          requester.chainId,
        )
        answers.push(await gasOf(await providers[i]!.oracle!.answer(id, output, sig)))
      }
      samples.push({ request, answers })
    }
    return samples
  }
  // warm-up: the first use of the requester's allowance and the providers' balances is not measured
  await measure(Math.max(...QUORUMS), 1)
  const rows = []
  for (const quorum of QUORUMS) {
    const samples = await measure(quorum, REPEATS)
    const requestGas = median(samples.map((s) => s.request))
    const answerGas = quorum > 1 ? median(samples.flatMap((s) => s.answers.slice(0, -1))) : 0n
    const finalAnswerGas = median(samples.map((s) => s.answers.at(-1)!))
    const totalGas = requestGas + answerGas * BigInt(quorum - 1) + finalAnswerGas
    rows.push({ quorum, requestGas, answerGas, finalAnswerGas, totalGas })
  }
  const base = rows.find((r) => r.quorum === 1)!
  const result = rows.map((r) => ({ ...r, ratio: Number(r.totalGas) / Number(base.totalGas) }))
  const table = [
    '| quorum k (of n = k) | request gas | answer gas (not final) | finalising answer gas | gas per request | vs k = 1 |',
    '|---:|---:|---:|---:|---:|---:|',
    ...result.map(
      (r) =>
        `| ${r.quorum} | ${r.requestGas} | ${r.quorum > 1 ? r.answerGas : '–'} | ${r.finalAnswerGas} | ${r.totalGas} | ${r.ratio.toFixed(2)}× |`,
    ),
  ].join('\n')
  if (json) {
    const big = (_: string, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)
    process.stdout.write(
      `${JSON.stringify({ baseline: 'quorum 1 (a single signer)', requests: result }, big)}\n`,
    )
  } else process.stdout.write(`${table}\n`)
  writeBenchmarkSection(
    'Oracle',
    [
      '## Oracle',
      '',
      `\`npm run bench:oracle\` (${new Date().toISOString().slice(0, 10)}; anvil 1.7.1 from npm, fresh chain; ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.version}; ${((Date.now() - started) / 1000).toFixed(1)} s).`,
      'Gas of one `InferenceOracle` request end to end: `request` (160-byte input, fee pulled), the k − 1 answers',
      'that do not finalise (signature check against the DisputeResolver domain, stake read, bookkeeping) and the',
      'finalising answer (pays the k backers, stores the output). Median of 5 requests per k after one warm-up',
      'round; the requester is an account (no callback). Baseline in the same run: k = 1, one signer — what a plain',
      "single-signer oracle costs; the ratio is the price of needing k staked providers' agreement.",
      '',
      table,
      '',
    ].join('\n'),
  )
} finally {
  await env.cleanup()
}
