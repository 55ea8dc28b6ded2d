/** What a Mutirão relay grants each relayed connection and how many NATed peers it holds at once. */
export interface RelayLimits {
  /** Reservations held at once (each is one NATed peer reachable through this relay). */
  maxReservations: number
  /** A relayed connection closes after this long; the peers redial (through a relay or directly). */
  durationMs: number
  /** ... or after this many bytes in each direction. */
  dataBytes: number
}

/**
 * Defaults, sized for a job between two homes that cannot reach each other directly: a model of tens of
 * MB and thousands of small tasks fit in one relayed connection, and one relay on a home uplink is not
 * taken over by one pair of peers for long (libp2p's own defaults, 2 minutes and 128 KiB, are meant for
 * hole-punch signalling only).
 */
export const RELAY_LIMITS: RelayLimits = {
  maxReservations: 128,
  durationMs: 10 * 60_000,
  dataBytes: 256 * 1024 * 1024,
}
