import { type Hex, hexToBigInt, numberToHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import type { Agreement } from '../protocols/market-messages.js'
import { evidenceSigner } from '../provider/evidence-signer.js'
import { checkEvidence } from './evidence-check.js'

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const resolver = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const key = generatePrivateKey()
const providerEth = privateKeyToAccount(key).address
const agreement = {
  jobId: 'job-0123456789ab',
  providerEth,
  disputes: { chainId: 31337, resolver },
} as Agreement
const result = { inputHash: 'a1'.repeat(32), outputHash: 'b2'.repeat(32) }
const signer = evidenceSigner(key, { chainId: 31337, resolver })

describe('dispute evidence on results', () => {
  it('is signed by the provider when the agreement asks for it, and checked by the requester', async () => {
    const evidence = await signer.sign(agreement, result)
    expect(evidence).toMatchObject(result)
    const signed = await checkEvidence(agreement, { ...result, evidence })
    expect(signed).toEqual({ provider: providerEth, outputHash: result.outputHash, signature: evidence!.sig })
  })

  it('is neither signed nor required when the agreement asks for none', async () => {
    const plain = { ...agreement, disputes: undefined }
    expect(await signer.sign(plain, result)).toBeUndefined()
    expect(await checkEvidence(plain, result)).toBeUndefined()
  })

  it('is refused when missing, for other hashes, by another key, or in a form the contract rejects', async () => {
    const evidence = (await signer.sign(agreement, result))!
    await expect(checkEvidence(agreement, result)).rejects.toThrow(/no dispute evidence/)
    await expect(
      checkEvidence(agreement, { ...result, outputHash: 'c3'.repeat(32), evidence }),
    ).rejects.toThrow(/other hashes/)
    const other = evidenceSigner(generatePrivateKey(), { chainId: 31337, resolver })
    const forged = (await other.sign(agreement, result))!
    await expect(checkEvidence(agreement, { ...result, evidence: forged })).rejects.toThrow(
      /not signed by the provider/,
    )
    // the same signature with s' = n − s and the other v recovers the same address in viem, but
    // OpenZeppelin's ECDSA rejects it: the requester must too, or a cheater could make its evidence unusable
    const sig = evidence.sig as Hex
    const s = hexToBigInt(`0x${sig.slice(66, 130)}`)
    const v = Number.parseInt(sig.slice(130), 16)
    const malleated = `${sig.slice(0, 66)}${numberToHex(N - s, { size: 32 }).slice(2)}${(v === 27 ? 28 : 27).toString(16)}`
    await expect(
      checkEvidence(agreement, { ...result, evidence: { ...evidence, sig: malleated } }),
    ).rejects.toThrow(/canonical/)
    const zeroV = `${sig.slice(0, 130)}0${v - 27}`
    await expect(
      checkEvidence(agreement, { ...result, evidence: { ...evidence, sig: zeroV } }),
    ).rejects.toThrow(/canonical/)
  })

  it('providers refuse agreements that ask for evidence on another chain or for another resolver', () => {
    expect(() => signer.vet(agreement)).not.toThrow()
    expect(() => signer.vet({ ...agreement, disputes: { chainId: 1, resolver } })).toThrow(/resolver/)
    const elsewhere = { chainId: 31337, resolver: '0x0000000000000000000000000000000000000001' }
    expect(() => signer.vet({ ...agreement, disputes: elsewhere })).toThrow(/resolver/)
    // a provider whose deployments predate the resolver signs for the requester's one on its own chain
    expect(() => evidenceSigner(key, { chainId: 31337 }).vet(agreement)).not.toThrow()
    expect(() => evidenceSigner(key, { chainId: 1 }).vet(agreement)).toThrow(/chain 1/)
  })
})
