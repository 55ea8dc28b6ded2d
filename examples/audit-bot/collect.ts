/**
 * Collects the runtime bytecode the audit bot reads into contracts.json (committed, so the example and its
 * tests need no compiler): the planted vulnerabilities and the clean control of
 * contracts/test/audit/AuditTargets.sol, OpenZeppelin's compiled artefacts and Mutirão's own contracts.
 * Run after `npm run build:contracts`: npx tsx examples/audit-bot/collect.ts
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AuditTarget } from './report.js'

const out = join(import.meta.dirname, '../../contracts/out')
const targets: Omit<AuditTarget, 'runtime'>[] = [
  { name: 'PlantedSelfDestruct', file: 'AuditTargets.sol', group: 'planted', expect: ['selfdestruct'] },
  {
    name: 'PlantedDelegatecall',
    file: 'AuditTargets.sol',
    group: 'planted',
    expect: ['delegatecall-caller-address'],
  },
  { name: 'PlantedTxOrigin', file: 'AuditTargets.sol', group: 'planted', expect: ['tx-origin-check'] },
  {
    name: 'PlantedReentrancy',
    file: 'AuditTargets.sol',
    group: 'planted',
    expect: ['storage-write-after-call'],
  },
  {
    name: 'PlantedUncheckedCall',
    file: 'AuditTargets.sol',
    group: 'planted',
    expect: ['unchecked-call-result'],
  },
  { name: 'CleanVault', file: 'AuditTargets.sol', group: 'control', expect: [] },
  { name: 'ERC1967Proxy', file: 'ERC1967Proxy.sol', group: 'openzeppelin' },
  { name: 'TimelockController', file: 'TimelockController.sol', group: 'openzeppelin' },
  { name: 'VestingWallet', file: 'VestingWallet.sol', group: 'openzeppelin' },
  ...[
    'MutiraoToken',
    'ProviderRegistry',
    'JobEscrow',
    'LineageRegistry',
    'DisputeResolver',
    'InferenceOracle',
  ].map((name) => ({ name, file: `${name}.sol`, group: 'mutirao' as const })),
  { name: 'RiskAdjustedLending', file: 'RiskAdjustedLending.sol', group: 'mutirao' },
]
const collected: AuditTarget[] = targets.map((t) => {
  const art = JSON.parse(readFileSync(join(out, t.file, `${t.name}.json`), 'utf8'))
  return { ...t, runtime: art.deployedBytecode.object as string }
})
writeFileSync(join(import.meta.dirname, 'contracts.json'), `${JSON.stringify(collected, null, 1)}\n`)
process.stderr.write(`wrote ${collected.length} contracts to examples/audit-bot/contracts.json\n`)
