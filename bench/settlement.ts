/**
 * Settlement benchmark (issue 3): gas per recorded contribution when one voucher redemption covers N task
 * receipts (N = 1, 100, 10,000), against a naive baseline of one ERC-20 transfer per task, on a fresh
 * embedded anvil; and the gas of an early close (addPayees + closeJob with P releases) against P redemptions.
 * Prints tables and writes them to the "## Settlement" section of BENCHMARKS.md.
 * Run: npm run bench:settlement (`-- --json`: one JSON object on stdout)
 */
import '../src/polyfill.js'
import { cpus } from 'node:os'
import { createPublicClient, createWalletClient, http, keccak256, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { mutiraoTokenAbi } from '../src/ledger/abi/index.js'
import { createLedger } from '../src/ledger/ledger.js'
import { buildReceiptTree, type TaskReceipt, taskIdOf } from '../src/ledger/receipts.js'
import { signReleaseWith } from '../src/ledger/release.js'
import { chainTime, increaseTime, startTestChain, TEST_KEYS } from '../src/ledger/test-utils.js'
import { writeBenchmarkSection } from './benchmarks-md.js'

const SIZES = [1, 100, 10_000]
/** Payees per job for the early-close measurement. */
const PAYEES = [1, 4, 16]
const json = process.argv.includes('--json')
const PRICE = 10n ** 15n
const env = await startTestChain()
const started = Date.now()
try {
  const mk = (k: `0x${string}`) =>
    createLedger({ rpcUrl: env.chain.rpcUrl, privateKey: k, deployments: env.deployments })
  const [requester, provider] = await Promise.all([mk(TEST_KEYS[0]!), mk(TEST_KEYS[1]!)])
  await requester.faucet(requester.address, 10n ** 24n)

  // Naive baseline: one token transfer per task to a provider that already holds tokens (the cheaper case).
  const wallet = createWalletClient({
    account: privateKeyToAccount(TEST_KEYS[0]!),
    transport: http(env.chain.rpcUrl),
  })
  const pub = createPublicClient({ transport: http(env.chain.rpcUrl) })
  const transferGas: bigint[] = []
  for (let i = 0; i < 21; i++) {
    const hash = await wallet.writeContract({
      chain: null,
      address: env.deployments.token,
      abi: mutiraoTokenAbi,
      functionName: 'transfer',
      args: [provider.address, PRICE],
    })
    const r = await pub.waitForTransactionReceipt({ hash })
    if (i > 0) transferGas.push(r.gasUsed) // the first transfer creates the balance slot (cold, costlier)
  }
  const naive = transferGas.reduce((a, b) => a + b, 0n) / BigInt(transferGas.length)

  const rows: { n: number; first: bigint; next: bigint; buildMs: number }[] = []
  for (const n of SIZES) {
    const deadline = (await chainTime(env.chain.rpcUrl)) + 3_600n
    const { jobId } = await requester.openJob({
      budget: BigInt(2 * n) * PRICE,
      pricePerUnit: PRICE,
      deadline,
    })
    await requester.addPayees(jobId, [provider.address])
    const receipts: TaskReceipt[] = Array.from({ length: n }, (_, i) => ({
      jobId,
      taskId: taskIdOf(`job-${jobId}-task-${i}`),
      provider: provider.address,
      units: 1n,
      inputHash: keccak256(toHex(`in-${i}`)),
      outputHash: keccak256(toHex(`out-${i}`)),
    }))
    const t0 = performance.now()
    const tree = buildReceiptTree(receipts)
    const buildMs = performance.now() - t0
    const v = {
      jobId,
      provider: provider.address,
      cumulativeUnits: BigInt(n),
      cumulativeAmount: BigInt(n) * PRICE,
      receiptsRoot: tree.root,
    }
    const first = (await provider.redeem(v, await requester.signVoucher(v))).gasUsed
    // A later voucher on the same job (another N tasks): storage already warm, the steady state.
    const more = [...receipts, ...receipts.map((r) => ({ ...r, taskId: keccak256(r.taskId) }))]
    const tree2 = buildReceiptTree(more)
    const v2 = {
      ...v,
      cumulativeUnits: BigInt(2 * n),
      cumulativeAmount: BigInt(2 * n) * PRICE,
      receiptsRoot: tree2.root,
    }
    const next = (await provider.redeem(v2, await requester.signVoucher(v2))).gasUsed
    if (!(await provider.verifyReceipt(receipts[n - 1]!, tree.root, tree.proof(n - 1)))) {
      throw new Error(`receipt proof failed on-chain for N=${n}`)
    }
    rows.push({ n, first, next, buildMs })
  }

  // Early close: one closeJob with P provider-signed releases (each paying 10 units, none redeemed before)
  // against the old way to end a job: P first redemptions, then a reclaim after the redeem window.
  const closes: { payees: number; addPayees: bigint; close: bigint; perPayee: number; vsRedeems: number }[] =
    []
  for (const p of PAYEES) {
    const deadline = (await chainTime(env.chain.rpcUrl)) + 3_600n
    const { jobId } = await requester.openJob({ budget: 1_000n * PRICE, pricePerUnit: PRICE, deadline })
    const accounts = Array.from({ length: p }, () => privateKeyToAccount(generatePrivateKey()))
    const added = await requester.addPayees(
      jobId,
      accounts.map((a) => a.address),
    )
    const addGas = (await pub.getTransactionReceipt({ hash: added.txHash })).gasUsed
    const releases = await Promise.all(
      accounts.map(async (a, i) => {
        const release = {
          jobId,
          provider: a.address,
          cumulativeUnits: 10n,
          receiptsRoot: keccak256(toHex(`root-${i}`)),
        }
        return {
          release,
          signature: await signReleaseWith(a, release, env.deployments.escrow, requester.chainId),
        }
      }),
    )
    const closed = await requester.closeJob(jobId, releases)
    const closeGas = (await pub.getTransactionReceipt({ hash: closed.txHash })).gasUsed
    closes.push({
      payees: p,
      addPayees: addGas,
      close: closeGas,
      perPayee: Number(closeGas) / p,
      vsRedeems: 0, // set below, once the reclaim is measured
    })
  }

  // The reclaim that ended a job before (after deadline + redeem window): measured once, last (it moves time).
  const reclaimJob = await requester.openJob({
    budget: 1_000n * PRICE,
    pricePerUnit: PRICE,
    deadline: (await chainTime(env.chain.rpcUrl)) + 60n,
  })
  await increaseTime(env.chain.rpcUrl, 60 + 3_600 + 10)
  const reclaimed = await requester.reclaim(reclaimJob.jobId)
  const reclaimGas = (await pub.getTransactionReceipt({ hash: reclaimed.txHash })).gasUsed
  for (const c of closes)
    c.vsRedeems = Number(c.addPayees + c.close) / (Number(rows[0]!.first) * c.payees + Number(reclaimGas))

  const pct = (gasPerTask: number) => `${((100 * gasPerTask) / Number(naive)).toFixed(4)}%`
  const lines = [
    '| N receipts / redemption | redemption gas (first) | gas per task | % of naive | redemption gas (later) | gas per task | % of naive | tree build |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const a = Number(r.first) / r.n
      const b = Number(r.next) / r.n
      return `| ${r.n.toLocaleString('en')} | ${r.first} | ${a.toFixed(1)} | ${pct(a)} | ${r.next} | ${b.toFixed(1)} | ${pct(b)} | ${r.buildMs.toFixed(0)} ms |`
    }),
  ]
  const maxRedeem = rows.map((r) => r.first).sort((a, b) => (a < b ? 1 : -1))[0]!
  const at10k = rows.find((r) => r.n === 10_000)!
  const summary = [
    `Naive baseline: one ERC-20 transfer per task = ${naive} gas (mean of ${transferGas.length}, recipient already holding tokens).`,
    `Largest single redemption: ${maxRedeem} gas (target < 150,000: ${maxRedeem < 150_000n ? 'met' : 'NOT met'}).`,
    `N = 10,000: ${pct(Number(at10k.first) / 10_000)} of the naive cost per task (target ≤ 0.1%: ${Number(at10k.first) / 10_000 <= Number(naive) / 1000 ? 'met' : 'NOT met'}).`,
  ]
  const closeTable = [
    '| payees | addPayees gas | closeJob gas | closeJob gas per payee | (addPayees + closeJob) / (payees × first redemption + reclaim) |',
    '|---:|---:|---:|---:|---:|',
    ...closes.map(
      (c) =>
        `| ${c.payees} | ${c.addPayees} | ${c.close} | ${c.perPayee.toFixed(0)} | ${c.vsRedeems.toFixed(3)} |`,
    ),
  ].join('\n')
  const table = lines.join('\n')
  if (json) {
    const big = (_: string, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)
    process.stdout.write(
      `${JSON.stringify({ naiveTransferGas: naive, redemptions: rows, closes, reclaimGas }, big)}\n`,
    )
  } else process.stdout.write(`${table}\n\n${summary.join('\n')}\n\n${closeTable}\n`)

  const section = [
    '## Settlement',
    '',
    `\`npm run bench:settlement\` (${new Date().toISOString().slice(0, 10)}; anvil 1.7.1 from npm, fresh chain; ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.version}; ${((Date.now() - started) / 1000).toFixed(1)} s).`,
    'One `JobEscrow.redeem` of a cumulative voucher whose Merkle root covers N task receipts, vs one token transfer',
    'per task. "first" = the first redemption for (job, provider) (fresh storage slots); "later" = the next voucher',
    'on the same job covering N more tasks. Gas of a redemption does not depend on N: only the root goes on-chain;',
    'each receipt stays provable by `verifyTaskReceipt` (checked for the last receipt of each tree).',
    '',
    table,
    '',
    ...summary.map((s) => `- ${s}`),
    '',
    'Early close (`closeJob`): the requester names P providers payees (`addPayees`, one transaction) and ends the',
    'job with one transaction holding their P signed releases, which pays each its release and refunds the rest of',
    'the budget at once. Baseline (same run): P first redemptions of vouchers and one reclaim after the redeem window',
    '— what ending a job cost before, when the refund waited for deadline + window. Ratio > 1: the early close costs',
    'more gas (the payee bookkeeping, signature checks of P releases); what it buys is the refund at once.',
    '',
    `Reclaim (baseline): ${reclaimGas} gas.`,
    '',
    closeTable,
    '',
  ].join('\n')
  writeBenchmarkSection('Settlement', section)
} finally {
  await env.cleanup()
}
