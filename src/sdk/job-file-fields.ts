import { z } from 'zod'
import { PRICE_PATTERN } from '../market/price.js'
import { Amount } from '../protocols/market-messages.js'
import { VerificationSpecSchema } from '../requester/job-spec.js'

/** Job-file fields every job kind shares: price, timeout, verification policy and provider counts. */
export const commonJobFileFields = {
  name: z.string().max(120).optional(),
  /** Most paid per work unit, in token base units; or `maxPrice`. */
  maxPricePerUnit: Amount.optional(),
  /** Most paid, in MUT per 1,000 work units (e.g. "0.01"); not with `maxPricePerUnit`. */
  maxPrice: z
    .string()
    .regex(PRICE_PATTERN, 'a decimal number of MUT per 1,000 work units, e.g. "0.01"')
    .optional(),
  timeoutSeconds: z
    .number()
    .positive()
    .max(7 * 86_400)
    .optional(),
  /** Verification policy: replicate, adaptive, spot canaries (see docs/trust.md). */
  verification: VerificationSpecSchema.optional(),
  providers: z
    .strictObject({
      min: z.number().int().positive().optional(),
      max: z.number().int().positive().optional(),
      waitSeconds: z.number().positive().optional(),
      /** `webgpu`: only providers that run models on a GPU. */
      executionProvider: z.enum(['webgpu']).optional(),
    })
    .optional(),
}
