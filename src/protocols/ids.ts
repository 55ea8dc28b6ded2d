/** Signature domains, so a signature for one message kind can never be replayed as another. */
export const DOMAINS = {
  demand: 'mutirao:demand:1',
  offer: 'mutirao:offer:1',
  decline: 'mutirao:decline:1',
  agreement: 'mutirao:agreement:1',
  capacity: 'mutirao:capacity:1',
} as const
