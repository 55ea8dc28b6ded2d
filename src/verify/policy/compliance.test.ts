import { describeVerificationPolicy } from '../../../test/helpers/policy-compliance.js'
import { AdaptivePolicy, adaptive } from './adaptive.js'
import { combine } from './combine.js'
import { ReplicatePolicy, replicate } from './replicate.js'
import { SpotPolicy, spot } from './spot.js'

describeVerificationPolicy(
  'replicate k=3 quorum=2',
  () => replicate(3, 2, { escalate: 1 }),
  (s) => new ReplicatePolicy(s as never),
)
describeVerificationPolicy(
  'adaptive',
  () => adaptive({ seed: 7 }),
  (s) => new AdaptivePolicy(s as never),
)
describeVerificationPolicy(
  'spot 5 %',
  () => spot(0.05, { seed: 7 }),
  (s) => new SpotPolicy(s as never),
)
describeVerificationPolicy('adaptive + spot', () => combine(adaptive({ seed: 7 }), spot(0.02, { seed: 9 })))
