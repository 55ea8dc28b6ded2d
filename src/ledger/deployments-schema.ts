import { type Address, getAddress } from 'viem'
import { z } from 'zod'
import { DeploymentError } from './errors.js'

export interface Deployments {
  chainId: number
  token: Address
  registry: Address
  escrow: Address
  /** LineageRegistry (model lineage anchors); absent in deployments made before it existed. */
  lineage?: Address
  /** DisputeResolver (holds SLASHER_ROLE on the registry); absent in deployments made before it existed. */
  disputeResolver?: Address
  /** InferenceOracle (holds SLASHER_ROLE for equivocation); absent in deployments made before it existed. */
  oracle?: Address
  /** Block of the deployment; event queries start here. */
  fromBlock: bigint
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected an address')
/** Deployments as JSON (fromBlock as a number or a decimal string). */
export const deploymentsSchema = z.object({
  chainId: z.number().int().positive(),
  token: address,
  registry: address,
  escrow: address,
  lineage: address.optional(),
  disputeResolver: address.optional(),
  oracle: address.optional(),
  fromBlock: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).default(0),
})

/**
 * Validate deployments read as JSON (a file, or the `tab-config.json` a node gives a browser tab).
 * @throws DeploymentError naming `what` and the first bad field.
 */
export function parseDeployments(json: unknown, what: string): Deployments {
  const r = deploymentsSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new DeploymentError(`Invalid ${what}: ${issue?.path.join('.')}: ${issue?.message}`)
  }
  const d = r.data
  return {
    chainId: d.chainId,
    token: getAddress(d.token),
    registry: getAddress(d.registry),
    escrow: getAddress(d.escrow),
    ...(d.lineage ? { lineage: getAddress(d.lineage) } : {}),
    ...(d.disputeResolver ? { disputeResolver: getAddress(d.disputeResolver) } : {}),
    ...(d.oracle ? { oracle: getAddress(d.oracle) } : {}),
    fromBlock: BigInt(d.fromBlock),
  }
}
