// The baseline peer of `npm run bench:dispatch` (a0): a libp2p host built like a node's (TCP, noise, yamux)
// that answers framed messages on an open stream, either at once (`echo`) or after a round trip through a
// worker thread (`echo-worker`, the hop every inference task took before quick models ran inline, see src/exec/inline-lane.ts); it also serves streaming sessions. Prints `{"multiaddr": ...}` when ready.
import '../src/polyfill.js'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { z } from 'zod'
import { logger } from '../src/log.js'
import { channel } from '../src/net/channel.js'
import { createHost } from '../src/net/host.js'
import { serveStreams } from '../src/provider/stream-server.js'
import { blobStore } from '../src/store/blob-store.js'
import { ECHO_PROTOCOLS } from './echo-protocols.js'

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads')
   parentPort.on('message', (m) => parentPort.postMessage(m, [m.buffer]))`,
  { eval: true },
)
worker.unref()
/** Send bytes to the worker and back (transferred both ways, like the ONNX executor's inputs and outputs). */
const viaWorker = (bytes: Uint8Array) =>
  new Promise<Uint8Array>((done) => {
    const copy = new Uint8Array(bytes)
    worker.once('message', done)
    worker.postMessage(copy, [copy.buffer])
  })

const host = await createHost({ privateKey: await generateKeyPair('Ed25519') })
await host.start()
for (const [protocol, hop] of [
  [ECHO_PROTOCOLS.echo, false],
  [ECHO_PROTOCOLS.echoWorker, true],
] as const) {
  await host.handle(protocol, async (stream) => {
    const ch = channel(stream)
    for (;;) {
      const frame = await ch.recv(z.unknown()).catch(() => undefined)
      if (!frame) break
      // one request in flight at a time (the bench waits for each answer), so one worker listener suffices
      void ch.send(frame.header, hop ? await viaWorker(frame.body) : frame.body)
    }
  })
}
// and the provider's streaming-session server, for the remote row of `npm run bench:edge`
const blobs = join(tmpdir(), `mutirao-echo-peer-${process.pid}`)
await serveStreams({
  host,
  terms: {
    threads: 4,
    pricePerUnit: 1n,
    maxModelBytes: 64 << 20,
    maxTaskBytes: 1 << 20,
    kinds: ['onnx-inference'],
  },
  gate: { accepting: () => true },
  blobs: blobStore(blobs),
  log: logger('echo-peer'),
})
const cleanUp = () => rmSync(blobs, { recursive: true, force: true })
process.on('exit', cleanUp)
console.log(JSON.stringify({ multiaddr: host.getMultiaddrs()[0].toString() }))
process.on('SIGTERM', () => process.exit(0))
