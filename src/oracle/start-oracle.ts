import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { NodeConfig } from '../config/schema.js'
import { InvalidInputError } from '../errors.js'
import type { TaskExecutor } from '../exec/task-executor.js'
import type { Ledger } from '../ledger/ledger.js'
import { logger } from '../log.js'
import { readBytes } from '../read-bytes.js'
import type { BlobStore } from '../store/blob-store.js'
import { OracleService } from './oracle-service.js'

/** Start serving the oracle for a provider node: its models into the blob store, then the watch loop. */
export async function startOracle(c: {
  config: NodeConfig['oracle']
  ledger: Ledger
  ethPrivateKey: Hex
  executor: TaskExecutor
  blobs: BlobStore
}): Promise<OracleService> {
  const { ledger } = c
  if (!ledger.oracle || !ledger.deployments.disputeResolver)
    throw new InvalidInputError('--oracle: the chain has no InferenceOracle deployment', {
      metaMessages: ['Deploy it (contracts/script/Deploy.s.sol) and add "oracle" to the deployments file.'],
    })
  const log = logger('oracle')
  for (const file of c.config.models) {
    const hash = await c.blobs.put(await readBytes(file))
    log.info({ file, modelHash: hash }, 'oracle model available')
  }
  const service = new OracleService({
    oracle: ledger.oracle,
    disputes: ledger.disputes,
    account: privateKeyToAccount(c.ethPrivateKey),
    resolver: ledger.deployments.disputeResolver,
    chainId: ledger.chainId,
    executor: c.executor,
    hasModel: (h) => c.blobs.has(h),
    stake: () => ledger.stakeOf(ledger.address),
    minFeePerAnswer: BigInt(c.config.minFeePerAnswer),
    fromBlock: ledger.deployments.fromBlock,
    log,
  })
  service.start()
  return service
}
