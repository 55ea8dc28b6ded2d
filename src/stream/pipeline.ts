/**
 * Run `call` over `items` with up to `depth` calls in flight, yielding results in input order — how a
 * session keeps its provider (or its micro-batcher) busy while the caller consumes results one by one.
 */
export async function* pipelined<I, O>(
  items: AsyncIterable<I> | Iterable<I>,
  call: (item: I) => Promise<O>,
  depth: number,
): AsyncIterable<O> {
  const inFlight: Promise<O>[] = []
  try {
    for await (const item of items) {
      inFlight.push(call(item))
      if (inFlight.length >= depth) yield await inFlight.shift()!
    }
    while (inFlight.length) yield await inFlight.shift()!
  } finally {
    // a consumer that stops early leaves no rejection unhandled
    for (const p of inFlight) p.catch(() => {})
  }
}
