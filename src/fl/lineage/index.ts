/** Model lineage: a signed, hash-chained record of every federated round, verifiable by anyone. */
export { type LineageAnchor, memoryAnchor } from './anchor.js'
export { chainAnchor, type LineageLedger } from './chain-anchor.js'
export { LineageVerificationError } from './errors.js'
export {
  appendRound,
  createGenesis,
  Lineage,
  LineageGenesis,
  LineageParticipant,
  LineageRound,
  recordHash,
  startLineage,
} from './record.js'
export { assertLineage, type LineageReport, type VerifyLineageOptions, verifyLineage } from './verify.js'
