import { z } from 'zod'

/**
 * A classifier architecture: multinomial logistic regression, or a small MLP with the given hidden widths.
 * The network outputs logits; class probabilities are their softmax.
 */
export const ModelSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('logreg') }),
  z.strictObject({
    kind: z.literal('mlp'),
    hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8),
    activation: z.enum(['relu', 'tanh']).default('relu'),
  }),
])

/** See {@link ModelSpec}. */
export type ModelSpec = z.input<typeof ModelSpec>
