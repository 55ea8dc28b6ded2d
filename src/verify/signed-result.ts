import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'

/** A provider's signed claim: "for task T my output hashes to H". The evidence used in quorums and disputes. */
export interface SignedResult {
  task: string
  /** The provider's ed25519 public key, hex. */
  provider: string
  /** sha256 of the output bytes, hex. */
  outputHash: string
  /** ed25519 signature over {@link resultMessage}, hex. */
  signature: string
}

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`))

/** Schema of a signed result received from a peer. */
export const signedResultSchema = z.object({
  task: z.string().min(1).max(256),
  provider: hex(32),
  outputHash: hex(32),
  signature: hex(64),
})

/** The exact bytes that are signed: a domain tag, the task, the provider and the output hash. */
export function resultMessage(r: Omit<SignedResult, 'signature'>): Uint8Array {
  return new TextEncoder().encode(`mutirao/result/v1\n${r.task}\n${r.provider}\n${r.outputHash}`)
}

/** Signs a result with the provider's ed25519 secret key (32 bytes). */
export function signResult(task: string, outputHash: string, secretKey: Uint8Array): SignedResult {
  const provider = bytesToHex(ed25519.getPublicKey(secretKey))
  const body = { task, provider, outputHash }
  return { ...body, signature: bytesToHex(ed25519.sign(resultMessage(body), secretKey)) }
}

/** Checks shape and signature; false for anything malformed. */
export function verifySignedResult(r: unknown): r is SignedResult {
  const parsed = signedResultSchema.safeParse(r)
  if (!parsed.success) return false
  const { signature, ...body } = parsed.data
  try {
    return ed25519.verify(hexToBytes(signature), resultMessage(body), hexToBytes(body.provider))
  } catch {
    return false
  }
}
