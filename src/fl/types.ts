/** One holder's result of a round of local training: its new model weights and how many rows made them. */
export interface ClientUpdate {
  /** The holder's id (peer id, or a name in simulations). */
  holder: string
  /** The locally trained weights, flat (same layout as the global weights). */
  weights: Float32Array
  /** Rows the holder trained on (FedAvg weight). */
  numSamples: number
}

/** Combines a round's updates into the next global weights. */
export type Aggregator = (updates: readonly ClientUpdate[]) => Float32Array
