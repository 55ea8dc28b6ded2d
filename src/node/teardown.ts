/**
 * What a composition root has started, to stop in reverse order: on a failed start (rollback) and at stop.
 * Every step runs even when an earlier one fails; every failure is reported (libp2p's `stop()` is the model).
 */
export class Teardown {
  #steps: { name: string; stop: () => unknown }[] = []

  /** `onAdd` hears each part as it is registered (progress; a test throws from it to inject a failure). */
  constructor(private readonly onAdd?: (name: string) => void) {}

  /** Register how to stop a part that has just started. */
  add(name: string, stop: () => unknown): void {
    this.#steps.push({ name, stop })
    this.onAdd?.(name)
  }

  /** The parts registered, in start order. */
  get names(): string[] {
    return this.#steps.map((s) => s.name)
  }

  /**
   * Stops every registered part, last started first.
   * @throws the error of the one part that failed, or an AggregateError naming each part that failed.
   */
  async run(): Promise<void> {
    const steps = this.#steps.reverse()
    this.#steps = []
    const errors: Error[] = []
    for (const s of steps) {
      try {
        await s.stop()
      } catch (err) {
        errors.push(new Error(`stopping ${s.name} failed: ${(err as Error).message}`, { cause: err }))
      }
    }
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1)
      throw new AggregateError(
        errors,
        `${errors.length} parts failed to stop: ${errors.map((e) => e.message).join('; ')}`,
      )
  }
}
