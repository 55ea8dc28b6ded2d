// npx tsx bench/evidence.ts [iterations] — per-result cost of dispute evidence (docs/trust.md, Live jobs):
// the provider's EIP-712 TaskResult signature (evidenceSigner.sign) and the requester's check of it
// (checkEvidence: canonical form + public-key recovery). Paid only by jobs whose agreements ask for evidence.
import '../src/polyfill.js'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Agreement } from '../src/market/messages.js'
import { evidenceSigner } from '../src/provider/evidence-signer.js'
import { checkEvidence } from '../src/requester/evidence-check.js'

const n = Number(process.argv[2] ?? 500)
const key = generatePrivateKey()
const resolver = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const agreement = {
  jobId: 'job-0123456789ab',
  providerEth: privateKeyToAccount(key).address,
  disputes: { chainId: 31337, resolver },
} as Agreement
const signer = evidenceSigner(key, { chainId: 31337, resolver })
const result = (i: number) => ({ inputHash: i.toString(16).padStart(64, '0'), outputHash: 'ab'.repeat(32) })

const signed = []
for (let i = 0; i < 50; i++)
  await checkEvidence(agreement, { ...result(i), evidence: await signer.sign(agreement, result(i)) })
let t0 = performance.now()
for (let i = 0; i < n; i++) signed.push({ ...result(i), evidence: await signer.sign(agreement, result(i)) })
const sign = (performance.now() - t0) / n
t0 = performance.now()
for (const r of signed) await checkEvidence(agreement, r)
const check = (performance.now() - t0) / n
console.log(`evidence over ${n} results: sign ${sign.toFixed(3)} ms, check ${check.toFixed(3)} ms per result`)
