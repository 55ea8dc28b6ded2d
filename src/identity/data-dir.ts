import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** Paths of everything a node keeps in its data dir. */
export interface DataDirLayout {
  root: string
  config: string
  peerKey: string
  ethKey: string
  db: string
  blobs: string
  /** Written while a node runs: its API URL, token file, peer id and addresses. */
  nodeInfo: string
  apiToken: string
  chain: string
  /** Addresses of peers this node was connected to, dialed at the next start (src/net/known-peers.ts). */
  peers: string
}

/** The data dir: `--data-dir`, else `$MUTIRAO_DATA_DIR`, else `~/.mutirao`. */
export function resolveDataDir(dir?: string): string {
  return resolve(dir ?? process.env.MUTIRAO_DATA_DIR ?? join(homedir(), '.mutirao'))
}

/** The file layout of a data dir. */
export function dataDirLayout(dir?: string): DataDirLayout {
  const root = resolveDataDir(dir)
  return {
    root,
    config: join(root, 'config.json'),
    peerKey: join(root, 'peer.key'),
    ethKey: join(root, 'eth.key'),
    db: join(root, 'mutirao.db'),
    blobs: join(root, 'blobs'),
    nodeInfo: join(root, 'node.json'),
    apiToken: join(root, 'api.token'),
    chain: join(root, 'chain'),
    peers: join(root, 'peers.json'),
  }
}
