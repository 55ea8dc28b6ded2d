import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { webgpuAdapterHint } from './execution-choice.js'

describe('webgpuAdapterHint', () => {
  it('names the Vulkan driver from the ICD files the environment points at, and the GPUs found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icd-'))
    try {
      const icd = join(dir, 'vk_swiftshader_icd.json')
      await writeFile(icd, JSON.stringify({ ICD: { library_path: './libvk_swiftshader.so' } }))
      expect(webgpuAdapterHint({ VK_ICD_FILENAMES: icd }, [])).toBe('Vulkan libvk_swiftshader.so')
      expect(webgpuAdapterHint({ VK_DRIVER_FILES: icd }, ['NVIDIA H200'])).toBe(
        'Vulkan libvk_swiftshader.so (NVIDIA H200)',
      )
      // an unreadable ICD file is still named
      expect(webgpuAdapterHint({ VK_ICD_FILENAMES: join(dir, 'missing.json') }, [])).toBe(
        'Vulkan missing.json',
      )
      expect(webgpuAdapterHint({}, [])).toBe('system Vulkan driver')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
