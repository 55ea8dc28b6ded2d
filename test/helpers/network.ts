/** Test-side names for the local multi-process network (the same code the demo uses). */
export {
  assertCliBuilt,
  CLI,
  type LocalNetwork as TestNetwork,
  type LocalNode as TestNode,
  runCli,
  startChainProcess,
  startCliProcess,
  startNetwork,
  startNodeProcess,
} from '../../src/demo/local-network.js'
