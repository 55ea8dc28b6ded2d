import { readFileSync } from 'node:fs'
import { createWasmExecutor } from './src/exec/wasm/executor.js'
const mod = new Uint8Array(readFileSync('/work/main/examples/audit-bot/audit.wasm'))
const ex = createWasmExecutor()
const names: [string, string][] = [
  ['AuditTargets.sol', 'PlantedSelfDestruct'], ['AuditTargets.sol', 'PlantedDelegatecall'], ['AuditTargets.sol', 'PlantedTxOrigin'],
  ['AuditTargets.sol', 'PlantedReentrancy'], ['AuditTargets.sol', 'PlantedUncheckedCall'], ['AuditTargets.sol', 'CleanVault'],
  ['ERC1967Proxy.sol', 'ERC1967Proxy'], ['TimelockController.sol', 'TimelockController'], ['VestingWallet.sol', 'VestingWallet'],
  ['JobEscrow.sol', 'JobEscrow'], ['DisputeResolver.sol', 'DisputeResolver'], ['InferenceOracle.sol', 'InferenceOracle'], ['MutiraoToken.sol', 'MutiraoToken'], ['ProviderRegistry.sol', 'ProviderRegistry'], ['RiskAdjustedLending.sol','RiskAdjustedLending'], ['LineageRegistry.sol','LineageRegistry'],
]
for (const [f, n] of names) {
  const art = JSON.parse(readFileSync(`/work/main/contracts/out/${f}/${n}.json`, 'utf8'))
  const t0 = Date.now()
  const r = await ex.run({ module: mod, args: [n], stdin: new TextEncoder().encode(art.deployedBytecode.object), limits: { memoryBytes: 64 << 20, timeMs: 20000, outputBytes: 65536 } })
  process.stdout.write(`${new TextDecoder().decode(r.stdout)}  (exit ${r.exitCode}, ${Date.now() - t0} ms) ${new TextDecoder().decode(r.stderr)}\n`)
}
await ex.stop()
