/**
 * An internet in a box: Linux network namespaces joined by veth pairs. One namespace holds the "public
 * internet", a bridge on 198.18.0.0/24 (the benchmarking range, never routed anywhere); public hosts plug
 * into it; each home is a router namespace (its WAN side on the bridge, nftables masquerade) in front of
 * one host on a private /24. Nothing is routed out of the namespaces the box made; `destroy()` (also run
 * on process exit) deletes them and every process in them.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** How a home router maps its hosts' connections. */
export type NatKind =
  /** Endpoint-independent mapping: a host keeps its source port toward every destination (hole-punchable). */
  | 'eim'
  /** Symmetric: a new random external port for every connection (not hole-punchable). */
  | 'symmetric'

/** A host of the box: its namespace and its address. */
export interface BoxHost {
  netns: string
  ip: string
}

/** The whole box. */
export interface WanBox {
  /** Namespace of the bridge that is the public internet. */
  readonly internet: string
  /** A public host at 198.18.0.<n>. */
  publicHost(name: string): BoxHost
  /**
   * A home: a router with the given NAT at 198.18.0.<n>, and one host at 10.<k>.0.2 behind it. The link
   * between them is a shaped link (link-shaper.py): no delay or loss until {@link WanBox.shape} sets some.
   * With `natPmp`, the router answers NAT-PMP on its LAN address and forwards the ports asked for
   * (nat-pmp-gateway.py).
   */
  home(name: string, nat: NatKind, options?: { natPmp?: boolean }): Promise<Home>
  /** Delay (each way) and loss on a home's link, from now on. */
  shape(home: Home, shaping: { delayMs: number; lossPercent: number }): void
  /** Run a command inside a namespace; returns stdout. */
  exec(netns: string, cmd: string[]): string
  /** Try a TCP connection from inside `netns`: `open`, `refused` (RST) or `timeout` (dropped). */
  probeTcp(netns: string, ip: string, port: number, timeoutMs?: number): 'open' | 'refused' | 'timeout'
  /** Delete every namespace of the box and kill what runs in it. Safe to call twice. */
  destroy(): void
}

/** A home of the box: its host, its router, and the shaped link between them. */
export interface Home extends BoxHost {
  router: BoxHost
  /** The link-shaper process (its stdin takes shaping settings). */
  link: ChildProcess
}

const BRIDGE = 'br0'
const SHAPER = fileURLToPath(new URL('./link-shaper.py', import.meta.url))
const NAT_PMP = fileURLToPath(new URL('./nat-pmp-gateway.py', import.meta.url))

/** Whether the box can be built here (root, `ip` and `nft`); otherwise the reason. */
export function boxUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the internet-in-a-box tests need root (network namespaces)'
  for (const tool of ['ip', 'nft']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' })
    } catch {
      return `the internet-in-a-box tests need \`${tool}\` (apt-get install iproute2 nftables)`
    }
  }
  return undefined
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] })
}

/** Namespaces left by earlier runs of this harness whose process is gone. */
function staleNamespaces(): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => /^mwb\d+-/.test(n))
    .filter((n) => {
      const pid = Number(n.slice(3, n.indexOf('-')))
      try {
        process.kill(pid, 0)
        return false
      } catch {
        return true
      }
    })
}

function deleteNamespace(ns: string): void {
  try {
    const pids = run('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean)
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {}
    }
    run('ip', ['netns', 'del', ns])
  } catch {}
}

/** Build an empty box (the public bridge only). */
export function createWanBox(): WanBox {
  for (const ns of staleNamespaces()) deleteNamespace(ns)
  const prefix = `mwb${process.pid}-`
  const made: string[] = []
  let publicHosts = 0
  let homes = 0

  const addNs = (name: string) => {
    const ns = `${prefix}${name}`
    run('ip', ['netns', 'add', ns])
    made.push(ns)
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    return ns
  }
  const internet = addNs('internet')
  run('ip', ['-n', internet, 'link', 'add', BRIDGE, 'type', 'bridge'])
  run('ip', ['-n', internet, 'link', 'set', BRIDGE, 'up'])

  /** Plug namespace `ns` into the bridge with interface `ifname` at 198.18.0.<n>. */
  const plug = (ns: string, ifname: string, n: number) => {
    const port = `p${n}`
    run('ip', ['link', 'add', ifname, 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', internet])
    run('ip', ['-n', internet, 'link', 'set', port, 'master', BRIDGE, 'up'])
    run('ip', ['-n', ns, 'addr', 'add', `198.18.0.${n}/24`, 'dev', ifname])
    run('ip', ['-n', ns, 'link', 'set', ifname, 'up'])
    return `198.18.0.${n}`
  }

  const box: WanBox = {
    internet,
    publicHost(name) {
      const ns = addNs(name)
      return { netns: ns, ip: plug(ns, 'eth0', 10 + ++publicHosts) }
    },
    async home(name, nat, options = {}) {
      const k = ++homes
      const gw = addNs(`${name}-gw`)
      const host = addNs(name)
      const wanIp = plug(gw, 'wan', 100 + k)
      // the LAN link: two TAPs made in the router's namespace, joined by the shaper; one moves to the host
      const link = spawn('ip', ['netns', 'exec', gw, 'python3', SHAPER, 'lan', 'tap-host', String(k)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      })
      await new Promise<void>((ok, fail) => {
        createInterface({ input: link.stdout! }).once('line', () => ok())
        link.once('exit', (code) => fail(new Error(`link-shaper exited with ${code}`)))
      })
      run('ip', ['-n', gw, 'link', 'set', 'tap-host', 'netns', host])
      run('ip', ['-n', host, 'link', 'set', 'tap-host', 'name', 'eth0'])
      run('ip', ['-n', gw, 'addr', 'add', `10.${k}.0.1/24`, 'dev', 'lan'])
      run('ip', ['-n', gw, 'link', 'set', 'lan', 'up'])
      run('ip', ['-n', host, 'addr', 'add', `10.${k}.0.2/24`, 'dev', 'eth0'])
      run('ip', ['-n', host, 'link', 'set', 'eth0', 'up'])
      run('ip', ['-n', host, 'route', 'add', 'default', 'via', `10.${k}.0.1`])
      run('ip', ['netns', 'exec', gw, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
      // masquerade keeps a host's source port when it can (the same external port toward every
      // destination); `random` draws a new one for every connection. Inbound: replies only.
      run(
        'ip',
        ['netns', 'exec', gw, 'nft', '-f', '-'],
        `table ip nat {
  chain pmp_pre { }
  chain prerouting { type nat hook prerouting priority dstnat; jump pmp_pre; }
  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan" masquerade${nat === 'symmetric' ? ' random' : ''}; }
}
table ip filter {
  chain pmp_fwd { }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
    jump pmp_fwd
  }
  chain input {
    type filter hook input priority filter; policy drop;
    iifname "lo" accept
    ct state established,related accept
    iifname "lan" accept
  }
}
`,
      )
      // port forwarding on request (NAT-PMP); its process lives in the router's namespace, killed with it
      if (options.natPmp) {
        const pmp = spawn('ip', ['netns', 'exec', gw, 'python3', NAT_PMP, `10.${k}.0.1`, wanIp], {
          stdio: ['ignore', 'pipe', 'ignore'],
        })
        await new Promise<void>((ok, fail) => {
          createInterface({ input: pmp.stdout! }).once('line', () => ok())
          pmp.once('exit', (code) => fail(new Error(`nat-pmp-gateway exited with ${code}`)))
        })
      }
      return { netns: host, ip: `10.${k}.0.2`, router: { netns: gw, ip: wanIp }, link }
    },
    shape(home, shaping) {
      home.link.stdin!.write(`${JSON.stringify(shaping)}\n`)
    },
    exec(netns, cmd) {
      return run('ip', ['netns', 'exec', netns, ...cmd])
    },
    probeTcp(netns, ip, port, timeoutMs = 1500) {
      const script = `const s = require('node:net').connect(${port}, ${JSON.stringify(ip)});
s.setTimeout(${timeoutMs}, () => { console.log('timeout'); process.exit(0) });
s.on('connect', () => { console.log('open'); process.exit(0) });
s.on('error', (e) => { console.log(e.code === 'ECONNREFUSED' ? 'refused' : 'timeout'); process.exit(0) })`
      return run('ip', ['netns', 'exec', netns, process.execPath, '-e', script]).trim() as never
    },
    destroy() {
      process.off('exit', onExit)
      for (const ns of made.splice(0).reverse()) deleteNamespace(ns)
    },
  }
  const onExit = () => box.destroy()
  process.on('exit', onExit)
  return box
}
