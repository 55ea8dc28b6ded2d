/** `node:timers/promises`' setImmediate for the browser bundle: a turn of the event loop. */
export const setImmediate = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))
