import { verifyPayload } from '../../net/signing.js'
import { FL_DOMAIN } from '../network/protocol.js'
import type { LineageAnchor } from './anchor.js'
import { LineageVerificationError } from './errors.js'
import { Lineage, recordHash } from './record.js'

/** Options of {@link verifyLineage}. */
export interface VerifyLineageOptions {
  /** Check every participant's Ed25519 signature on its commitment (default true). */
  signatures?: boolean
  /** The hash the caller expects the final model to have. */
  modelHash?: string
  /** Compare the root with the one anchored for the model. */
  anchor?: LineageAnchor
}

/** The outcome of {@link verifyLineage}. */
export interface LineageReport {
  ok: boolean
  root: string
  rounds: number
  modelHash?: string
  /** Whether the root matched an anchored root (undefined when no anchor was given or none is recorded). */
  anchored?: boolean
  /** Every problem found, each naming the record. */
  problems: string[]
}

/**
 * Verifies a model lineage (untrusted input: parsed with its schema first): every record's hash, the
 * chain of `prevHash` links from the genesis, consecutive round numbers, participants' signatures over
 * their commitments for this job and round, shares that sum to 1 over exactly the participants, the final
 * model hash and the root. Any change to a recorded round makes it fail.
 */
export async function verifyLineage(
  input: unknown,
  options: VerifyLineageOptions = {},
): Promise<LineageReport> {
  const parsed = Lineage.safeParse(input)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    return {
      ok: false,
      root: '',
      rounds: 0,
      problems: [`malformed lineage: ${i.path.join('.')}: ${i.message}`],
    }
  }
  const lin = parsed.data
  const problems: string[] = []
  const g = lin.genesis
  if (recordHash(g) !== g.hash) problems.push('genesis: hash does not match its contents')
  if (g.spec.id !== g.job) problems.push('genesis: spec id differs from the job id')
  let prev = g.hash
  for (const [k, r] of lin.rounds.entries()) {
    const at = `round ${r.round}`
    if (r.round !== k + 1) problems.push(`${at}: expected round ${k + 1}`)
    if (r.prevHash !== prev) problems.push(`${at}: prevHash does not link to the previous record`)
    if (recordHash(r) !== r.hash) problems.push(`${at}: hash does not match its contents`)
    prev = r.hash
    const peers = r.participants.map((p) => p.peer)
    if (new Set(peers).size !== peers.length) problems.push(`${at}: a participant appears twice`)
    const keys = Object.keys(r.shares).sort()
    if (keys.length !== peers.length || [...peers].sort().some((p, i) => p !== keys[i])) {
      problems.push(`${at}: shares do not name exactly the participants`)
    }
    const total = Object.values(r.shares).reduce((a, b) => a + b, 0)
    if (Math.abs(total - 1) > 1e-9) problems.push(`${at}: shares sum to ${total}, not 1`)
    for (const p of r.participants) {
      const s = p.signed
      if (s.body !== p.commitment || s.job !== g.job || s.round !== r.round) {
        problems.push(`${at}: ${p.peer}'s signed statement does not match its commitment, job or round`)
        continue
      }
      if (options.signatures === false) continue
      try {
        await verifyPayload(p.peer, FL_DOMAIN, s, p.signature)
      } catch {
        problems.push(`${at}: ${p.peer}'s signature does not verify`)
      }
    }
  }
  if (prev !== lin.root) problems.push('root is not the head of the hash chain')
  const last = lin.rounds.at(-1)
  if (last && lin.modelHash !== last.aggregateHash) problems.push('modelHash is not the last aggregate')
  if (options.modelHash && lin.modelHash !== options.modelHash) {
    problems.push(`lineage is of model ${lin.modelHash}, not ${options.modelHash}`)
  }
  let anchored: boolean | undefined
  if (options.anchor && lin.modelHash) {
    const root = await options.anchor.lookup(lin.modelHash)
    if (root !== undefined) {
      anchored = root === lin.root
      if (!anchored) problems.push(`anchored root ${root} differs from the lineage root`)
    }
  }
  return {
    ok: problems.length === 0,
    root: lin.root,
    rounds: lin.rounds.length,
    modelHash: lin.modelHash,
    anchored,
    problems,
  }
}

/** Like {@link verifyLineage}, but throws {@link LineageVerificationError} listing the problems. */
export async function assertLineage(
  input: unknown,
  options: VerifyLineageOptions = {},
): Promise<LineageReport> {
  const report = await verifyLineage(input, options)
  if (!report.ok) {
    throw new LineageVerificationError(`Lineage does not verify: ${report.problems[0]}`, {
      details: report.problems.join('; '),
      metaMessages: ['Do not trust this model history; obtain the lineage again from its coordinator.'],
    })
  }
  return report
}
