import { networkInterfaces } from 'node:os'
import type { ComponentLogger, Logger, Startable } from '@libp2p/interface'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import { addressScope, plainTcp } from './addresses.js'
import { defaultGateway, mapTcpPort, type PortMapping, unmapTcpPort } from './nat-pmp.js'
import type { PortMappingStats } from './nat-text.js'

/** The parts of libp2p the service uses. */
export interface PortMappingComponents {
  addressManager: {
    addPublicAddressMapping(
      internalIp: string,
      internalPort: number,
      externalIp: string,
      externalPort?: number,
    ): void
    removePublicAddressMapping(
      internalIp: string,
      internalPort: number,
      externalIp: string,
      externalPort?: number,
    ): void
    confirmObservedAddr(addr: Multiaddr, options?: { type?: 'ip-mapping'; ttl?: number }): void
  }
  transportManager: { getAddrs(): Multiaddr[] }
  logger: ComponentLogger
}

interface Held {
  internalIp: string
  mapping: PortMapping
}

/** This machine's private IPv4 addresses (for a listener on 0.0.0.0). */
function privateIps(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal && addressScope(i.address) === 'private')
    .map((i) => i!.address)
}

/**
 * Port mapping with NAT-PMP (RFC 6886) where the home router offers it: each TCP listener on a private
 * address is forwarded from the router's external address, which the node then announces as its own —
 * confirmed, as the router vouches for it — so peers dial it directly, no relay or punch needed. Mappings
 * are renewed at half their lifetime and removed at stop. Off by default (`nat.portMapping`): it talks to
 * the default gateway, which a node on a shared or test machine must not do unasked.
 */
export class PortMappingService implements Startable {
  readonly #log: Logger
  readonly #held: Held[] = []
  #gateway?: string
  #lastError?: string
  #renew?: NodeJS.Timeout

  constructor(
    private readonly components: PortMappingComponents,
    private readonly init: { gateway?: string } = {},
  ) {
    this.#log = components.logger.forComponent('mutirao:port-mapping')
  }

  start(): void {}

  async afterStart(): Promise<void> {
    this.#gateway = this.init.gateway ?? (await defaultGateway())
    if (!this.#gateway) {
      this.#lastError = 'no default gateway'
      return
    }
    void this.#mapAll()
  }

  async stop(): Promise<void> {
    clearTimeout(this.#renew)
    const gateway = this.#gateway
    for (const { internalIp, mapping } of this.#held.splice(0)) {
      this.components.addressManager.removePublicAddressMapping(
        internalIp,
        mapping.internalPort,
        mapping.externalIp,
        mapping.externalPort,
      )
      if (gateway) await unmapTcpPort(gateway, mapping.internalPort)
    }
  }

  stats(): PortMappingStats {
    return {
      gateway: this.#gateway,
      mapped: this.#held.map((h) => `/ip4/${h.mapping.externalIp}/tcp/${h.mapping.externalPort}`),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    }
  }

  /** The TCP listeners worth mapping: private IPv4 ones (with the IP the router will forward to). */
  #listeners(): { ip: string; port: number }[] {
    const out: { ip: string; port: number }[] = []
    for (const addr of this.components.transportManager.getAddrs()) {
      const tcp = plainTcp(addr.toString())
      if (!tcp || tcp.host.includes(':')) continue
      const ips = tcp.host === '0.0.0.0' ? privateIps() : tcp.scope === 'private' ? [tcp.host] : []
      for (const ip of ips) out.push({ ip, port: tcp.port })
    }
    return out
  }

  async #mapAll(): Promise<void> {
    const gateway = this.#gateway!
    let shortest = 3600
    for (const { ip, port } of this.#listeners()) {
      try {
        const held = this.#held.find((h) => h.internalIp === ip && h.mapping.internalPort === port)
        const mapping = await mapTcpPort(gateway, port, { externalPort: held?.mapping.externalPort ?? port })
        if (held) held.mapping = mapping
        else this.#held.push({ internalIp: ip, mapping })
        this.components.addressManager.addPublicAddressMapping(
          ip,
          port,
          mapping.externalIp,
          mapping.externalPort,
        )
        const external = multiaddr(`/ip4/${mapping.externalIp}/tcp/${mapping.externalPort}`)
        // the router itself says it forwards this address: no AutoNAT round needed to trust it
        this.components.addressManager.confirmObservedAddr(external, {
          type: 'ip-mapping',
          ttl: mapping.lifetime * 1000,
        })
        this.#lastError = undefined
        shortest = Math.min(shortest, mapping.lifetime)
        this.#log('router %s forwards %a to %s:%d', gateway, external, ip, port)
      } catch (err) {
        this.#lastError = (err as Error).message
        this.#log('port mapping of %s:%d failed: %s', ip, port, this.#lastError)
      }
    }
    this.#renew = setTimeout(() => void this.#mapAll(), Math.max(30, shortest / 2) * 1000)
    this.#renew.unref()
  }
}

/** The service factory for libp2p's `services`. */
export function portMapping(init: { gateway?: string } = {}) {
  return (components: PortMappingComponents) => new PortMappingService(components, init)
}
