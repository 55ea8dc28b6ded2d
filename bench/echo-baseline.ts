import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { channel } from '../src/net/channel.js'
import type { Host } from '../src/net/host.js'
import { ECHO_PROTOCOLS } from './echo-protocols.js'

/**
 * (a0) The stack's floor, from the bench's host to a peer process built like a node (bench/echo-peer.ts): one
 * framed message in flight on an open stream, answered at once (`echo`) or after a hop through a worker thread
 * (`echoWorker`). Returns a function that times one round trip of a frame like a task's, the peer's address
 * (it serves streaming sessions too), and a stop function.
 */
export async function echoBaseline(host: Host) {
  const peer = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'echo-peer.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const addr = await new Promise<string>((ok, fail) => {
    peer.stdout!.once('data', (d) => ok(JSON.parse(String(d)).multiaddr))
    peer.once('exit', (code) => fail(new Error(`echo peer exited with ${code}`)))
  })
  const channels = {
    echo: channel(await host.dialProtocol(multiaddr(addr), ECHO_PROTOCOLS.echo)),
    echoWorker: channel(await host.dialProtocol(multiaddr(addr), ECHO_PROTOCOLS.echoWorker)),
  }
  const roundTrip = async (which: keyof typeof channels, header: unknown, body: Uint8Array) => {
    const t = performance.now()
    await channels[which].send(header, body)
    await channels[which].recv(z.unknown())
    return performance.now() - t
  }
  const stop = async () => {
    for (const ch of Object.values(channels)) ch.abort(new Error('bench done'))
    peer.stdout!.destroy()
    peer.kill('SIGTERM')
  }
  return { roundTrip, stop, addr }
}
