import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  detectGpus,
  detectHardware,
  gpuVendorOf,
  parseLspci,
  parseNvidiaProcInformation,
  parseNvidiaSmi,
} from './hardware.js'

const MIB = 1024 * 1024

// Sample output in each tool's real format (an H100 node plus a workstation GPU; a 4-GPU lspci).
const NVIDIA_SMI = 'NVIDIA H100 80GB HBM3, 81559\nNVIDIA GeForce RTX 3090, 24576\n'
const PROC_INFORMATION = `Model: \t\t NVIDIA GeForce RTX 3080
IRQ:   \t\t 155
GPU UUID: \t GPU-5b8c1c2e-0e0a-2f55-6b42-bb1b1b0c9e11
Video BIOS: \t 94.02.42.00.a9
Bus Type: \t PCIe
DMA Size: \t 47 bits
Bus Location: \t 0000:01:00.0
Device Minor: \t 0
GPU Excluded:\t No
`
const LSPCI = `00:00.0 Host bridge: Intel Corporation 8th Gen Core Processor Host Bridge/DRAM Registers (rev 07)
00:02.0 VGA compatible controller: Intel Corporation UHD Graphics 630 (Desktop) (rev 02)
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] (rev a1)
01:00.1 Audio device: NVIDIA Corporation TU104 HD Audio Controller (rev a1)
03:00.0 3D controller: NVIDIA Corporation GA100 [A100 PCIe 40GB] (rev a1)
06:00.0 Display controller: Advanced Micro Devices, Inc. [AMD/ATI] Navi 21 [Radeon RX 6800/6800 XT / 6900 XT] (rev c1)
`

const missing = async (): Promise<string> => {
  throw Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' })
}

describe('GPU parsers', () => {
  it('parses nvidia-smi CSV into names and bytes', () => {
    expect(parseNvidiaSmi(NVIDIA_SMI)).toEqual([
      { vendor: 'nvidia', name: 'NVIDIA H100 80GB HBM3', memoryBytes: 81559 * MIB },
      { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 3090', memoryBytes: 24576 * MIB },
    ])
  })

  it('leaves out memory that nvidia-smi reports as [N/A] and skips junk lines', () => {
    expect(parseNvidiaSmi('NVIDIA Jetson Orin, [N/A]\n\nNo devices were found\n')).toEqual([
      { vendor: 'nvidia', name: 'NVIDIA Jetson Orin' },
    ])
  })

  it('reads the model from a /proc information file', () => {
    expect(parseNvidiaProcInformation(PROC_INFORMATION)).toEqual({
      vendor: 'nvidia',
      name: 'NVIDIA GeForce RTX 3080',
    })
    expect(parseNvidiaProcInformation('IRQ: 12\n')).toBeNull()
  })

  it('keeps only display-class lspci lines, with vendors', () => {
    expect(parseLspci(LSPCI)).toEqual([
      { vendor: 'intel', name: 'Intel Corporation UHD Graphics 630 (Desktop)' },
      { vendor: 'nvidia', name: 'NVIDIA Corporation TU104 [GeForce RTX 2080]' },
      { vendor: 'nvidia', name: 'NVIDIA Corporation GA100 [A100 PCIe 40GB]' },
      {
        vendor: 'amd',
        name: 'Advanced Micro Devices, Inc. [AMD/ATI] Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]',
      },
    ])
  })

  it('guesses vendors', () => {
    expect(gpuVendorOf('Apple M2 Max')).toBe('apple')
    expect(gpuVendorOf('Matrox G200eR2')).toBe('other')
  })
})

describe('detectGpus fallbacks', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('prefers nvidia-smi', async () => {
    const calls: string[] = []
    const gpus = await detectGpus({
      run: async (file) => {
        calls.push(file)
        return NVIDIA_SMI
      },
    })
    expect(gpus).toHaveLength(2)
    expect(calls).toEqual(['nvidia-smi'])
  })

  it('falls back to /proc/driver/nvidia when nvidia-smi is missing', async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'mutirao-hw-'))
    await mkdir(join(dir, '0000:01:00.0'))
    await writeFile(join(dir, '0000:01:00.0', 'information'), PROC_INFORMATION)
    const gpus = await detectGpus({ run: missing, nvidiaProcDir: dir })
    expect(gpus).toEqual([{ vendor: 'nvidia', name: 'NVIDIA GeForce RTX 3080' }])
  })

  it('falls back to lspci, then to none, without throwing', async () => {
    const noProc = join(os.tmpdir(), 'mutirao-no-such-dir')
    const viaLspci = await detectGpus({
      run: async (file) => (file === 'lspci' ? LSPCI : missing()),
      nvidiaProcDir: noProc,
    })
    expect(viaLspci.map((g) => g.vendor)).toEqual(['intel', 'nvidia', 'nvidia', 'amd'])
    expect(await detectGpus({ run: missing, nvidiaProcDir: noProc })).toEqual([])
  })

  it('runs real programs: a hanging nvidia-smi is killed after the timeout and lspci answers', async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'mutirao-hw-'))
    await writeFile(join(dir, 'nvidia-smi'), '#!/bin/sh\nexec sleep 10\n', { mode: 0o755 })
    await writeFile(join(dir, 'lspci'), `#!/bin/sh\ncat <<'EOF'\n${LSPCI}EOF\n`, { mode: 0o755 })
    const path = process.env.PATH
    process.env.PATH = `${dir}:${path}`
    try {
      const started = Date.now()
      const gpus = await detectGpus({ nvidiaProcDir: join(dir, 'none'), timeoutMs: 300 })
      expect(Date.now() - started).toBeLessThan(3000)
      expect(gpus.map((g) => g.vendor)).toEqual(['intel', 'nvidia', 'nvidia', 'amd'])
    } finally {
      process.env.PATH = path
    }
  })
})

describe('detectHardware on this machine', () => {
  it('reports real cores, memory and platform, and never throws', async () => {
    const hw = await detectHardware()
    expect(hw.cpus.count).toBeGreaterThanOrEqual(1)
    expect(hw.cpus.count).toBeLessThanOrEqual(os.cpus().length)
    expect(hw.cpus.model.length).toBeGreaterThan(0)
    expect(hw.memoryBytes).toBe(os.totalmem())
    expect(hw.platform).toBe(process.platform)
    expect(hw.arch).toBe(process.arch)
    expect(Array.isArray(hw.gpus)).toBe(true)
    for (const gpu of hw.gpus) expect(gpu.name.length).toBeGreaterThan(0)
  })
})
