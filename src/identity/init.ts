import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { loadConfig, parseConfig, saveConfig } from '../config/load.js'
import type { NodeConfig } from '../config/schema.js'
import { type DataDirLayout, dataDirLayout } from './data-dir.js'
import { createIdentity, type Identity, loadIdentity } from './keys.js'

/** What `initDataDir` found or made. */
export interface InitResult {
  layout: DataDirLayout
  identity: Identity
  config: NodeConfig
  created: boolean
}

/**
 * Create a data dir with keys and a config file, or load the existing one (keys are never replaced).
 * `overrides` are merged into a new config only.
 */
export async function initDataDir(dir?: string, overrides: Partial<NodeConfig> = {}): Promise<InitResult> {
  const layout = dataDirLayout(dir)
  await mkdir(layout.root, { recursive: true, mode: 0o700 })
  await mkdir(layout.blobs, { recursive: true })
  if (existsSync(layout.peerKey) && existsSync(layout.ethKey)) {
    return {
      layout,
      identity: await loadIdentity(layout),
      config: await loadConfig(layout.config),
      created: false,
    }
  }
  const identity = await createIdentity(layout)
  const config = parseConfig(overrides)
  if (!existsSync(layout.config)) await saveConfig(layout.config, config)
  return { layout, identity, config: await loadConfig(layout.config), created: true }
}
