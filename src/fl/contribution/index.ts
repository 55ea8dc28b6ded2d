export { groupUpdates, randomGroups, splitGroupValues } from './groups.js'
export { roundUtility, type UtilityMetric, type ValidationSet } from './round-utility.js'
export { type CoalitionUtility, leaveOneOut, type ShapleyOptions, shapleyValues } from './shapley.js'
export { allocateShares } from './shares.js'
