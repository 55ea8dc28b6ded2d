import { MutiraoError } from '../errors.js'
import { LedgerRevertError } from './errors.js'

/** The deployments in use name no LineageRegistry, so lineages cannot be anchored or looked up. */
export class LineageRegistryMissingError extends MutiraoError {
  override name = 'LineageRegistryMissingError'
}

/** The model already has an anchored lineage (anchors are write-once). */
export class LineageAlreadyAnchoredError extends LedgerRevertError {
  override name = 'LineageAlreadyAnchoredError'
}

/** The registry rejected the anchor's input (zero hash, URI too long). */
export class InvalidLineageAnchorError extends LedgerRevertError {
  override name = 'InvalidLineageAnchorError'
}
