import * as ort from 'onnxruntime-web'
import { parseDeployments } from '../ledger/deployments-schema.js'
import { mutAmount, parsePrice } from '../market/price.js'
import { probeWebGpu } from './gpu-probe.js'
import { loadSqlite } from './shims/better-sqlite3.js'
import { choicesFromQuery, type TabChoices, TabConfigFile, threadsFor } from './tab-config.js'
import { exportTabKeys, importTabKeys, loadOrCreateTabIdentity } from './tab-keys.js'
import { tabLoggers } from './tab-log.js'
import { startTabProvider, type TabProvider } from './tab-provider.js'
import type { TabState } from './tab-state.js'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const state: TabState = {
  phase: 'idle',
  completed: 0,
  failed: 0,
  running: 0,
  placements: {},
  demands: [],
  log: [],
}
;(window as unknown as { mutiraoTab: TabState }).mutiraoTab = state
let provider: TabProvider | undefined
let battery: { charging: boolean } | undefined

function render() {
  $('phase').textContent =
    state.phase + (state.error ? ` — ${state.error}` : state.paused ? ` (paused: ${state.paused})` : '')
  $('who').textContent = state.peerId ? `${state.peerId} · paid to ${state.ethAddress}` : '(not started)'
  $('where').textContent = state.backend
    ? `${state.backend}${state.gpu ? ` (adapter: ${state.gpu.adapter})` : ''}, ${state.threads} at once`
    : ''
  $('work').textContent = `${state.completed} tasks done, ${state.running} running, ${state.failed} failed`
  $('earned').textContent =
    state.balance === undefined
      ? 'unpaid (no chain)'
      : `${state.balance} MUT on-chain, ${state.pending} MUT pending`
  $('demands').textContent = state.demands
    .map(
      (d) =>
        `${new Date(d.at).toLocaleTimeString()} ${d.kind}: ${d.decision}${d.detail ? ` — ${d.detail}` : ''}`,
    )
    .join('\n')
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

/** Why the visitor's choices hold new work back now, if they do. */
function pauseReason(c: TabChoices): string | undefined {
  if (c.pauseWhenHidden && document.hidden) return 'the tab is hidden'
  if (c.pauseOnBattery && battery && !battery.charging) return 'the machine is on battery'
  return undefined
}

const accepting = (c: TabChoices) => state.phase === 'working' && pauseReason(c) === undefined

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
        network: config.network,
        chain: config.chain && {
          rpcUrl: config.chain.rpcUrl,
          chainId: config.chain.chainId,
          deployments: parseDeployments(config.chain.deployments, 'chain deployments in tab-config.json'),
        },
        backend,
        threads,
        pricePerUnit: parsePrice(choices.price),
        // the visitor's share of the memory the browser reports (at least 256 MiB per task)
        memoryBytes: Math.max(
          threads * 256 * 1024 ** 2,
          choices.coreShare * ((navigator as { deviceMemory?: number }).deviceMemory ?? 2) * 1024 ** 3,
        ),
        wasmWorkerUrl: new URL('./wasm-worker.js', location.href).href,
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
  state.paused = pauseReason(readChoices())
  state.demands = p.agent.demands
    .since(Date.now() - 600_000)
    .slice(-10)
    .map((d) => ({ at: d.at, kind: d.kind, decision: d.agreed ? 'agreed' : d.decision, detail: d.detail }))
  for (const { model, ...where } of p.placements()) state.placements[model] = where
  try {
    const earned = await p.earnings()
    if (earned) {
      state.balance = mutAmount(earned.balance)
      state.pending = mutAmount(earned.pending)
    }
  } catch {
    // the chain is unreachable for a moment: keep the last figures
  }
  render()
}

async function main() {
  const query = new URLSearchParams(location.search)
  let config = TabConfigFile.parse({})
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
