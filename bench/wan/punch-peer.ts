// Part of `npm run bench:wan`: one libp2p peer built by the node's own createHost (NAT traversal on).
//   target <listen> <relay>: reserves a slot on the relay, prints {"circuit": "<relayed address>"}, stays up.
//   dialer <listen> <relay> <circuit> <trials> <wait ms>: dials the target through the relay `trials` times,
//     each time from scratch (hang up, dial the relayed address, wait for DCUtR to add a direct
//     connection), and prints {"trials", "direct"}.
import '../../src/polyfill.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../../src/net/host.js'

const [mode, listen, relay, circuit, trials, waitMs] = process.argv.slice(2)
const host = await createHost({
  privateKey: await generateKeyPair('Ed25519'),
  listen: [listen],
  nat: { reservations: mode === 'target' ? 1 : 0 },
})
await host.start()
await host.dial(multiaddr(relay))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

if (mode === 'target') {
  for (;;) {
    const addr = host.getMultiaddrs().find((a) => a.toString().includes('/p2p-circuit'))
    if (addr) {
      console.log(JSON.stringify({ circuit: addr.toString() }))
      break
    }
    await sleep(200)
  }
} else {
  const target = peerIdFromString(circuit.split('/p2p/').at(-1)!)
  const isDirect = () =>
    host.getConnections(target).some((c) => !c.remoteAddr.toString().includes('/p2p-circuit'))
  let direct = 0
  for (let i = 0; i < Number(trials); i++) {
    await host.hangUp(target).catch(() => {})
    await host.dial(multiaddr(circuit)).catch(() => {})
    const until = Date.now() + Number(waitMs)
    while (Date.now() < until && !isDirect()) await sleep(100)
    if (isDirect()) direct++
  }
  console.log(JSON.stringify({ trials: Number(trials), direct }))
  await host.stop()
  process.exit(0)
}
