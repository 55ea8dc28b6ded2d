// Part of `npm run bench:wan`: one libp2p peer built by the node's own createHost (NAT traversal on).
//   target <listen> <relay>: reserves a slot on the relay, prints {"circuit": "<relayed address>"}, stays up.
//   dialer <listen> <relay> <circuit> <trials> <wait ms>: dials the target through the relay `trials` times,
//     each time as a new peer (a new host on <listen>'s address with a new key, listen port and dial port: a peer that just closed a
//     direct connection holds its four-tuple in TIME_WAIT for a minute, and a real home would not dial the
//     same peer afresh 20 times), and waits for hole punching to add a direct connection; prints
//     {"trials", "direct", "failures"} (why the dialer's last punch with the target failed, when it did; a
//     target that gives up before asking, as one behind a symmetric NAT does, leaves none).
//   relay <listen>: a circuit relay (for running the punch trials alone), prints {"relay": "<address>"}.
import '../../src/polyfill.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost, type Host } from '../../src/net/host.js'

const [mode, listen, relay, circuit, trials, waitMs] = process.argv.slice(2)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const newHost = async (listenAddr: string, reservations: number, isRelay = false) => {
  const host = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    listen: [listenAddr],
    nat: { reservations },
    ...(isRelay ? { relay: {} } : {}),
  })
  await host.start()
  return host
}
/** Wait until identify told the host its external address (hole punching offers it). */
const observed = async (host: Host) => {
  const until = Date.now() + 5000
  while (Date.now() < until && !host.services.holePunch?.stats().observed.length) await sleep(50)
}

if (mode === 'relay') {
  const host = await newHost(listen, 0, true)
  console.log(JSON.stringify({ relay: host.getMultiaddrs()[0]!.toString() }))
} else if (mode === 'target') {
  const host = await newHost(listen, 1)
  await host.dial(multiaddr(relay))
  await observed(host)
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
  const ip = listen.split('/')[2]
  let direct = 0
  const failures = new Set<string>()
  for (let i = 0; i < Number(trials); i++) {
    const host = await newHost(`/ip4/${ip}/tcp/0`, 0)
    try {
      await host.dial(multiaddr(relay))
      await observed(host)
      await host.dial(multiaddr(circuit)).catch(() => {})
      const isDirect = () =>
        host.getConnections(target).some((c) => !c.remoteAddr.toString().includes('/p2p-circuit'))
      const until = Date.now() + Number(waitMs)
      while (Date.now() < until && !isDirect()) await sleep(100)
      if (isDirect()) direct++
      // only punches with the target: other peers of the box (the requester node at the same home) may
      // reach this one through a relay too
      const failure = host.services.holePunch?.stats().lastFailure
      const prefix = `${target.toString().slice(-8)}: `
      if (failure?.startsWith(prefix) && !isDirect()) failures.add(failure.slice(prefix.length))
    } finally {
      await host.stop()
    }
  }
  console.log(JSON.stringify({ trials: Number(trials), direct, failures: [...failures].slice(0, 5) }))
  process.exit(0)
}
