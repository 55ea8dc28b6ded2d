import { loadConfig, saveConfig } from '../config/load.js'
import type { Logger } from '../log.js'
import type { Hardware } from '../provider/hardware.js'
import { createIdleMonitor, type IdleMonitor } from '../provider/idle-monitor.js'
import { LivePolicy } from '../provider/live-policy.js'
import type { ResolvedPolicy } from '../provider/policy.js'
import type { ProviderTerms } from '../provider/types.js'
import type { Teardown } from './teardown.js'

/**
 * The provider policy of a starting node, changeable while it runs: idle-only mode's monitor (started now
 * when the policy has it on, or later when the owner turns it on) and every change saved to `configFile`.
 */
export function startLivePolicy(o: {
  policy: ResolvedPolicy
  terms: ProviderTerms
  hardware: Pick<Hardware, 'cpus'>
  configFile: string
  log: Logger
  /** Stops idle-only mode's monitor when the node stops. */
  teardown: Teardown
}): LivePolicy {
  const createIdle = (): IdleMonitor => {
    const idle = createIdleMonitor({ ...o.policy.idleOnly })
    idle.addEventListener('busy', () => o.log.info('machine in use: not taking new work'))
    idle.addEventListener('idle', () => o.log.info('machine idle: taking work again'))
    idle.start()
    return idle
  }
  const live = new LivePolicy({
    terms: o.terms,
    cores: o.hardware.cpus.count,
    cpuShare: o.policy.cpuShare,
    paused: o.policy.paused,
    idle: o.policy.idleOnly.enabled ? createIdle() : undefined,
    createIdle,
    save: async (patch) => {
      const config = await loadConfig(o.configFile)
      const { idleOnly, ...rest } = patch
      config.provider = {
        ...config.provider,
        ...rest,
        idleOnly: { ...config.provider.idleOnly, ...idleOnly },
      }
      await saveConfig(o.configFile, config)
      o.log.info({ change: patch }, 'provider policy changed by the owner')
    },
  })
  o.teardown.add('idle monitor', () => live.stop())
  return live
}
