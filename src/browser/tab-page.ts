import * as ort from 'onnxruntime-web'
import { parseDeployments } from '../ledger/deployments-schema.js'
import { mutAmount, parsePrice } from '../market/price.js'
import { probeWebGpu, type WebGpuProbe } from './gpu-probe.js'
import { loadSqlite } from './shims/better-sqlite3.js'
import { choicesFromQuery, type TabChoices, TabConfigFile, threadsFor } from './tab-config.js'
import { exportTabKeys, importTabKeys, loadOrCreateTabIdentity } from './tab-keys.js'
import { type TabLogLine, tabLoggers } from './tab-log.js'
import { startTabProvider, type TabProvider } from './tab-provider.js'

/** What the page shows, and what a test reads (`window.mutiraoTab`). */
export interface TabState {
  phase: 'idle' | 'starting' | 'working' | 'paused' | 'stopped' | 'failed'
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
  log: TabLogLine[]
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const state: TabState = { phase: 'idle', completed: 0, failed: 0, running: 0, placements: {}, log: [] }
;(window as unknown as { mutiraoTab: TabState }).mutiraoTab = state
let provider: TabProvider | undefined
let battery: { charging: boolean } | undefined

function render() {
  $('phase').textContent = state.phase + (state.error ? ` — ${state.error}` : '')
  $('who').textContent = state.peerId ? `${state.peerId} · paid to ${state.ethAddress}` : '(not started)'
  $('where').textContent = state.backend
    ? `${state.backend}${state.gpu ? ` (adapter: ${state.gpu.adapter})` : ''}, ${state.threads} at once`
    : ''
  $('work').textContent = `${state.completed} tasks done, ${state.running} running, ${state.failed} failed`
  $('earned').textContent =
    state.balance === undefined
      ? 'unpaid (no chain)'
      : `${state.balance} MUT on-chain, ${state.pending} MUT pending`
  $('log').textContent = state.log
    .slice(-30)
    .map((l) => `${new Date(l.at).toLocaleTimeString()} ${l.level} ${l.component}: ${l.msg}`)
    .join('\n')
}

function readChoices(): TabChoices {
  return {
    backend: ($('backend') as HTMLSelectElement).value as TabChoices['backend'],
    coreShare: Number(($('share') as HTMLInputElement).value) / 100,
    pauseWhenHidden: ($('pauseHidden') as HTMLInputElement).checked,
    pauseOnBattery: ($('pauseBattery') as HTMLInputElement).checked,
    price: ($('price') as HTMLInputElement).value,
  }
}

function showChoices(c: TabChoices) {
  ;($('backend') as HTMLSelectElement).value = c.backend
  ;($('share') as HTMLInputElement).value = String(Math.round(c.coreShare * 100))
  ;($('pauseHidden') as HTMLInputElement).checked = c.pauseWhenHidden
  ;($('pauseBattery') as HTMLInputElement).checked = c.pauseOnBattery
  ;($('price') as HTMLInputElement).value = c.price
}

const accepting = (c: TabChoices) =>
  state.phase === 'working' &&
  !(c.pauseWhenHidden && document.hidden) &&
  !(c.pauseOnBattery && battery && !battery.charging)

async function start(config: TabConfigFile, extraBootstrap: string[]) {
  const choices = readChoices()
  state.phase = 'starting'
  state.error = undefined
  render()
  try {
    const gpu = await probeWebGpu()
    const backend = choices.backend === 'auto' ? (gpu ? 'webgpu' : 'wasm') : choices.backend
    if (backend === 'webgpu' && !gpu) throw new Error('this browser offers no WebGPU adapter: choose wasm')
    const cores = navigator.hardwareConcurrency || 1
    const threads = threadsFor(choices.coreShare, cores)
    // onnxruntime-web threads need a cross-origin isolated page; otherwise each task runs on one thread
    ort.env.wasm.numThreads = self.crossOriginIsolated ? threads : 1
    // the glue code is bundled in tab.js; only the WebAssembly binary is fetched, from beside the page
    ort.env.wasm.wasmPaths = { wasm: new URL('./ort/ort-wasm-simd-threaded.jsep.wasm', location.href).href }
    await loadSqlite(new URL('./sql-wasm.wasm', location.href).href)
    const identity = await loadOrCreateTabIdentity(localStorage)
    const log = tabLoggers((line) => {
      state.log.push(line)
      if (state.log.length > 200) state.log.shift()
    }, new URLSearchParams(location.search).get('log') ?? 'info')
    provider = await startTabProvider(
      {
        bootstrap: [...extraBootstrap, ...config.bootstrap],
        chain: config.chain && {
          rpcUrl: config.chain.rpcUrl,
          chainId: config.chain.chainId,
          deployments: parseDeployments(config.chain.deployments, 'chain deployments in tab-config.json'),
        },
        backend,
        threads,
        pricePerUnit: parsePrice(choices.price),
      },
      { identity, gate: { accepting: () => accepting(readChoices()) }, log },
    )
    Object.assign(state, {
      phase: 'working',
      peerId: identity.peerId,
      ethAddress: identity.ethAddress,
      backend,
      gpu,
      threads,
    })
  } catch (e) {
    state.phase = 'failed'
    state.error = (e as Error).message
  }
  render()
}

async function refresh() {
  const p = provider
  if (!p) return
  const s = p.agent.stats
  Object.assign(state, { completed: s.completed, failed: s.failed, running: s.running })
  for (const { model, ...where } of p.placements()) state.placements[model] = where
  if (p.ledger && p.payments) {
    try {
      state.balance = mutAmount(await p.ledger.balanceOf(p.identity.ethAddress))
      state.pending = mutAmount(p.payments.held().reduce((sum, h) => sum + BigInt(h.unredeemed), 0n))
    } catch {
      // the chain is unreachable for a moment: keep the last figures
    }
  }
  render()
}

async function main() {
  const query = new URLSearchParams(location.search)
  let config: TabConfigFile = { bootstrap: [] }
  try {
    const res = await fetch('./tab-config.json')
    if (res.ok) config = TabConfigFile.parse(await res.json())
  } catch {
    // a static copy of the page: the visitor names a node in the query string
  }
  const { bootstrap, ...choices } = choicesFromQuery(query)
  showChoices(choices)
  $('operator').textContent = config.operator ?? location.host
  ;(navigator as { getBattery?: () => Promise<{ charging: boolean }> })
    .getBattery?.()
    .then((b) => {
      battery = b
    })
    .catch(() => {})
  $('start').addEventListener('click', () => void start(config, bootstrap))
  $('stop').addEventListener('click', async () => {
    await provider?.stop()
    provider = undefined
    state.phase = 'stopped'
    render()
  })
  $('export').addEventListener('click', () => {
    $('keys').textContent = exportTabKeys(localStorage) ?? '(no keys yet: start once)'
  })
  $('import').addEventListener('click', async () => {
    const text = prompt('Paste an exported key set (it replaces this tab’s keys):')
    if (text) await importTabKeys(localStorage, text).catch((e) => alert((e as Error).message))
  })
  setInterval(() => void refresh(), 1000)
  render()
  if (query.get('autostart') === '1') await start(config, bootstrap)
}

void main()
