/** One log line as the page shows it. */
export interface TabLogLine {
  at: number
  level: string
  component: string
  msg: string
}

/** What the tab's WebGPU adapter offers (absent when the browser has none). */
export interface WebGpuProbe {
  adapter: string
  features: string[]
  maxBufferSize: number
  maxStorageBufferBindingSize: number
}

/** What the page shows, and what a test reads (`window.mutiraoTab`). */
export interface TabState {
  phase: 'idle' | 'starting' | 'working' | 'stopped' | 'failed'
  error?: string
  peerId?: string
  ethAddress?: string
  backend?: 'wasm' | 'webgpu'
  gpu?: WebGpuProbe
  threads?: number
  completed: number
  failed: number
  running: number
  /** On-chain token balance of the tab's address, MUT. */
  balance?: string
  /** Earned in vouchers not yet paid out, MUT. */
  pending?: string
  placements: Record<string, { ep: string; fallback?: string }>
  /** Why the tab takes no new work now (hidden, on battery), when it does not. */
  paused?: string
  /** The last demands seen and what the tab did with each (offered, or why not). */
  demands: { at: number; kind: string; decision: string; detail?: string }[]
  log: TabLogLine[]
}
