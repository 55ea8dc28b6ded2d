import type { WebGpuProbe } from './tab-state.js'

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; device?: string }
  features: Iterable<string>
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number }
}

/** Ask the browser for a WebGPU adapter and describe it; undefined when there is none. */
export async function probeWebGpu(): Promise<WebGpuProbe | undefined> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu
  if (!gpu) return undefined
  let adapter: GpuAdapterLike | null
  try {
    adapter = await gpu.requestAdapter()
  } catch {
    return undefined
  }
  if (!adapter) return undefined
  const info = adapter.info ?? {}
  const name = [info.vendor, info.architecture, info.description || info.device].filter(Boolean).join(' ')
  return {
    adapter: name || 'unknown adapter',
    features: [...adapter.features].sort(),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  }
}
