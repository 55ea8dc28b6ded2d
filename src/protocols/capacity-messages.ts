import { z } from 'zod'
import { Amount, JobKind, PeerIdString } from './market-messages.js'

/** A provider's periodic, signed advertisement of capacity and price. */
export const CapacitySchema = z.object({
  v: z.literal(1),
  provider: PeerIdString,
  addrs: z.array(z.string().max(300)).max(16),
  kinds: z.array(JobKind).max(8),
  threads: z.number().int().positive().max(4096),
  pricePerUnit: Amount,
  accepting: z.boolean(),
  hardware: z.object({
    cpus: z.number().int(),
    memoryBytes: z.number(),
    gpus: z.array(z.string().max(200)).max(16),
    /** Where its ONNX tasks run (absent in adverts of nodes older than GPU execution: `cpu`). */
    executionProvider: z.enum(['cpu', 'webgpu', 'wasm']).optional(),
  }),
  at: z.number().int(),
  signature: z.string().max(256),
})
export type Capacity = z.infer<typeof CapacitySchema>
