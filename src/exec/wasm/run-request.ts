import type { WorkerRequest, WorkerResponse } from './protocol.js'
import { createWasiHost, OutputLimitExceeded, ProcExit } from './wasi-host.js'
import { WA, type WasmMemory, type WasmModule } from './wasm-api.js'

const WASI = 'wasi_snapshot_preview1'

class Invalid extends Error {}

/**
 * Run one request to completion in this worker (a Node worker thread or a browser Web Worker): compile, offer
 * only WASI preview 1 imports (and the capped memory), run `_start`, and answer with stdout, stderr and the
 * exit code, or why it failed.
 */
export async function runWasmRequest(req: WorkerRequest): Promise<WorkerResponse> {
  const host = createWasiHost({
    argv: req.argv,
    stdin: req.stdin,
    outputBytes: req.outputBytes,
    stderrBytes: req.stderrBytes,
    seed: req.seed,
  })
  let memory: WasmMemory | undefined
  try {
    let module: WasmModule
    try {
      module = await WA.compile(req.module)
    } catch (e) {
      throw new Invalid((e as Error).message)
    }
    const wasiNames: string[] = []
    for (const imp of WA.Module.imports(module)) {
      const isMemory =
        imp.kind === 'memory' &&
        imp.module === req.memoryImport?.module &&
        imp.name === req.memoryImport?.name
      if (isMemory) continue
      if (imp.module !== WASI || imp.kind !== 'function') {
        throw new Invalid(`import ${imp.module}.${imp.name} (${imp.kind}) is not offered by the sandbox`)
      }
      wasiNames.push(imp.name)
    }
    const exportsList = WA.Module.exports(module)
    if (!exportsList.some((e) => e.name === '_start' && e.kind === 'function')) {
      throw new Invalid('no exported `_start` function')
    }
    const imports: Record<string, Record<string, unknown>> = { [WASI]: host.imports(wasiNames) }
    if (req.memoryImport) {
      memory = new WA.Memory({ initial: req.minPages, maximum: req.maxPages })
      imports[req.memoryImport.module] = {
        ...imports[req.memoryImport.module],
        [req.memoryImport.name]: memory,
      }
    } else if (!exportsList.some((e) => e.name === 'memory' && e.kind === 'memory')) {
      throw new Invalid('the module neither exports `memory` nor imports it')
    }
    let instance: { exports: Record<string, unknown> }
    try {
      instance = await WA.instantiate(module, imports)
    } catch (e) {
      if (e instanceof WA.LinkError) throw new Invalid(e.message)
      throw e
    }
    memory ??= instance.exports.memory as WasmMemory
    host.setMemory(memory)
    let exitCode = 0
    try {
      ;(instance.exports._start as () => void)()
    } catch (e) {
      if (e instanceof ProcExit) exitCode = e.code
      else throw e
    }
    return { id: req.id, ok: true, stdout: host.stdout(), stderr: host.stderr(), exitCode }
  } catch (e) {
    const memoryPages = memory ? memory.buffer.byteLength / 65_536 : 0
    const base = { id: req.id, ok: false as const, stderr: host.stderr(), memoryPages }
    if (e instanceof Invalid) return { ...base, kind: 'invalid', message: e.message }
    if (e instanceof OutputLimitExceeded) return { ...base, kind: 'output', message: 'output limit' }
    return { ...base, kind: 'trap', message: e instanceof Error ? e.message : String(e) }
  }
}
