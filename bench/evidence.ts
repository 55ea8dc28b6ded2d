// npm run bench:evidence [-- iterations] — per-result cost of dispute evidence (docs/trust.md, Live jobs):
// the provider's EIP-712 TaskResult signature (evidenceSigner.sign) and the requester's check of it
// (checkEvidence: canonical form + public-key recovery). Paid only by jobs whose agreements ask for evidence.
// Baseline, measured in the same run: an Ed25519 signature over the same fields (signPayload / verifyPayload,
// the libp2p key; results carried one until 2026-12, when it was dropped as checked and used by nothing), so
// the ratios compare evidence with the cheapest signature the node makes.
import '../src/polyfill.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { signPayload, verifyPayload } from '../src/net/signing.js'
import type { Agreement } from '../src/protocols/market-messages.js'
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

// baseline: an Ed25519 signature over the same fields (provider signs, requester verifies)
const BASELINE = 'mutirao:bench:ed25519'
const peerKey = await generateKeyPair('Ed25519')
const peer = peerIdFromPrivateKey(peerKey).toString()
const fields = (i: number) => ({ taskId: `${agreement.jobId}.${i}.1`, ...result(i) })
for (let i = 0; i < 50; i++)
  await verifyPayload(peer, BASELINE, fields(i), await signPayload(peerKey, BASELINE, fields(i)))
const sigs: string[] = []
t0 = performance.now()
for (let i = 0; i < n; i++) sigs.push(await signPayload(peerKey, BASELINE, fields(i)))
const edSign = (performance.now() - t0) / n
t0 = performance.now()
for (let i = 0; i < n; i++) await verifyPayload(peer, BASELINE, fields(i), sigs[i])
const edVerify = (performance.now() - t0) / n

const ms = (x: number) => `${x.toFixed(3)} ms`
console.log(`per result, over ${n} results (Node ${process.version}):`)
console.log(
  `  provider   Ed25519 signature ${ms(edSign)}; EIP-712 evidence ${ms(sign)}  (×${(sign / edSign).toFixed(1)})`,
)
console.log(
  `  requester  Ed25519 verify ${ms(edVerify)}; evidence check ${ms(check)}  (×${(check / edVerify).toFixed(1)})`,
)
