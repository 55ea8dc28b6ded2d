import { getAddress, type Hex, hexToBigInt, recoverTypedDataAddress, slice } from 'viem'
import { BadSignatureError } from '../errors.js'
import type { SignedTaskResult } from '../ledger/dispute-actions.js'
import { taskResultTypedData } from '../ledger/dispute-signing.js'
import type { Agreement } from '../protocols/market-messages.js'
import type { ResultEvidence } from '../protocols/task-messages.js'

/** Half the secp256k1 group order: the contract (OpenZeppelin ECDSA) refuses signatures with a larger s. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/**
 * The dispute evidence a result claims, checked for what is cheap: present when the agreement asks for it
 * (`agreement.disputes`), for the result's own input and output hashes, and in the signature form the
 * contract accepts (v 27/28, low s). The signer is not recovered here: {@link verifyEvidence} does that
 * (~2.5–3 ms) only for the answers an accusation will use. That is as sound as checking every result: a
 * bad signature on an answer nobody outvotes changes nothing, and one on an outvoted answer is found when
 * the accusation is prepared (the provider is excluded as outvoted either way). Returns undefined when the
 * agreement asks for no evidence.
 * @throws BadSignatureError naming what is wrong.
 */
export function claimedEvidence(
  agreement: Agreement,
  result: { inputHash: string; outputHash: string; evidence?: ResultEvidence },
): SignedTaskResult | undefined {
  if (!agreement.disputes) return undefined
  const ev = result.evidence
  if (!ev) throw new BadSignatureError('result carries no dispute evidence, which the agreement asks for')
  if (ev.inputHash !== result.inputHash || ev.outputHash !== result.outputHash)
    throw new BadSignatureError('dispute evidence is for other hashes than the result')
  const sig = ev.sig as Hex
  const v = Number.parseInt(sig.slice(130, 132), 16)
  if ((v !== 27 && v !== 28) || hexToBigInt(slice(sig, 32, 64)) > HALF_N)
    throw new BadSignatureError('dispute evidence signature is not in canonical form (v 27/28, low s)')
  return { provider: getAddress(agreement.providerEth), outputHash: ev.outputHash, signature: sig }
}

/**
 * Whether `signed` is an EIP-712 `TaskResult(jobId, inputHash, outputHash)` signature by `signed.provider`
 * for the resolver in `terms`: what DisputeResolver.accuse will check.
 */
export async function verifyEvidence(
  signed: SignedTaskResult,
  fields: { jobId: string; inputHash: string },
  terms: { chainId: number; resolver: string },
): Promise<boolean> {
  const signer = await recoverTypedDataAddress({
    ...taskResultTypedData(
      { taskId: fields.jobId, inputHash: fields.inputHash, outputHash: signed.outputHash },
      getAddress(terms.resolver),
      terms.chainId,
    ),
    signature: signed.signature,
  }).catch(() => undefined)
  return signer === getAddress(signed.provider)
}

/**
 * {@link claimedEvidence} and {@link verifyEvidence} together: the result's evidence, usable on-chain.
 * @throws BadSignatureError naming what is wrong.
 */
export async function checkEvidence(
  agreement: Agreement,
  result: { inputHash: string; outputHash: string; evidence?: ResultEvidence },
): Promise<SignedTaskResult | undefined> {
  const signed = claimedEvidence(agreement, result)
  if (!signed || !agreement.disputes) return signed
  if (
    !(await verifyEvidence(
      signed,
      { jobId: agreement.jobId, inputHash: result.inputHash },
      agreement.disputes,
    ))
  )
    throw new BadSignatureError(`dispute evidence is not signed by the provider's address ${signed.provider}`)
  return signed
}
