import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidTensorError } from './errors.js'
import { readNpy, writeNpy } from './npy.js'
import { locateNpyFile, readNpyFile } from './npy-file.js'
import { DTYPE_BYTES, DTYPES } from './tensor.js'
import { loadTensorSpec } from './tensor-spec.js'
import { tensorFromValues, tensorToValues } from './tensor-values.js'

// Fixtures written by NumPy 2.4 (np.save / np.lib.format.write_array).
const dir = new URL('../../test/fixtures/models/npy/', import.meta.url).pathname
const fixture = (name: string) => new Uint8Array(readFileSync(join(dir, name)))

describe('npy', () => {
  it('reads files written by NumPy', () => {
    const f32 = readNpy(fixture('f32.npy'))
    expect(f32.dtype).toBe('float32')
    expect(f32.dims).toEqual([2, 3])
    expect(tensorToValues(f32)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25])
    expect(tensorToValues(readNpy(fixture('i64.npy')))).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 0n, 5n])
    expect(tensorToValues(readNpy(fixture('bool.npy')))).toEqual([true, false, false, true])
    expect(tensorToValues(readNpy(fixture('f16.npy')))).toEqual([0.5, -65504, 0.333251953125])
    expect(readNpy(fixture('u8_scalar.npy'))).toMatchObject({ dtype: 'uint8', dims: [] })
    expect(tensorToValues(readNpy(fixture('v2.npy')))).toEqual([0, 1, 2, 3])
    expect(readNpy(fixture('v3.npy'))).toMatchObject({ dtype: 'uint32', dims: [2, 2] })
  })

  it('writes byte-identical files to NumPy', () => {
    for (const name of ['f32.npy', 'i64.npy', 'bool.npy', 'f16.npy', 'u8_scalar.npy']) {
      const bytes = fixture(name)
      expect(Buffer.from(writeNpy(readNpy(bytes))).equals(Buffer.from(bytes))).toBe(true)
    }
  })

  it('round-trips every dtype and shape', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DTYPES),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
        fc.nat(),
        (dtype, dims, seed) => {
          const n = dims.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype]
          const data = Uint8Array.from(
            { length: n },
            (_, i) => (seed + i * 31) & (dtype === 'bool' ? 1 : 255),
          )
          const back = readNpy(writeNpy({ dtype, dims, data }))
          expect(back).toMatchObject({ dtype, dims })
          expect(Array.from(back.data)).toEqual(Array.from(data))
        },
      ),
    )
  })

  it('rejects big-endian, Fortran order, bad magic and wrong sizes', () => {
    expect(() => readNpy(fixture('big_endian.npy'))).toThrow(/big-endian/)
    expect(() => readNpy(fixture('fortran.npy'))).toThrow(/Fortran/)
    const f32 = fixture('f32.npy')
    expect(() => readNpy(f32.subarray(0, f32.length - 1))).toThrow(/needs 24 data bytes/)
    const bad = f32.slice()
    bad[1] = 0
    expect(() => readNpy(bad)).toThrow(InvalidTensorError)
    fc.assert(
      fc.property(fc.nat({ max: f32.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const b = f32.slice()
        b[i] = v
        try {
          readNpy(b)
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidTensorError)
        }
      }),
    )
  })

  it('refuses files over the size limit before reading them', async () => {
    await expect(readNpyFile(join(dir, 'f32.npy'), 100)).rejects.toThrow(/over the limit/)
    await expect(locateNpyFile(join(dir, 'f32.npy'), 100)).rejects.toThrow(/over the limit/)
  })

  it('locates the data of every fixture from its header alone, where readNpyFile finds it', async () => {
    for (const name of ['bool.npy', 'f16.npy', 'f32.npy', 'i64.npy', 'u8_scalar.npy', 'v2.npy', 'v3.npy']) {
      const file = join(dir, name)
      const whole = fixture(name)
      const read = await readNpyFile(file)
      const { data, ...header } = await locateNpyFile(file)
      expect(header).toEqual({ dtype: read.dtype, dims: read.dims })
      expect(whole.subarray(data.offset, data.offset + data.byteLength)).toEqual(read.data)
      expect(data.offset + data.byteLength).toBe(whole.byteLength)
    }
    for (const name of ['big_endian.npy', 'fortran.npy'])
      await expect(locateNpyFile(join(dir, name))).rejects.toBeInstanceOf(InvalidTensorError)
    const tmp = await mkdtemp(join(tmpdir(), 'mutirao-npy-'))
    const short = writeNpy({ dtype: 'float32', dims: [4], data: new Uint8Array(16) }).subarray(0, -4)
    await writeFile(join(tmp, 'short.npy'), short)
    await expect(locateNpyFile(join(tmp, 'short.npy'))).rejects.toThrow(/needs 16 data bytes, file has 12/)
  })
})

describe('loadTensorSpec', () => {
  it('loads npy, raw and inline specs', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'mutirao-spec-'))
    await writeFile(join(tmp, 'x.bin'), tensorFromValues('int32', [2, 2], [1, 2, 3, 4]).data)
    const npy = await loadTensorSpec({ npy: 'f32.npy' }, { baseDir: dir })
    expect(npy.dims).toEqual([2, 3])
    const raw = await loadTensorSpec({ raw: 'x.bin', dtype: 'int32', shape: [2, 2] }, { baseDir: tmp })
    expect(tensorToValues(raw)).toEqual([1, 2, 3, 4])
    const inline = await loadTensorSpec({ data: [[1, 2, 3]], dtype: 'float32' })
    expect(inline.dims).toEqual([1, 3])
    const reshaped = await loadTensorSpec({ data: [1, 2, 3, 4], dtype: 'uint8', shape: [2, 2] })
    expect(reshaped.dims).toEqual([2, 2])
    const big = await loadTensorSpec({ data: ['9223372036854775807', 1], dtype: 'int64' })
    expect(tensorToValues(big)).toEqual([2n ** 63n - 1n, 1n])
    const flags = await loadTensorSpec({ data: [true, false], dtype: 'bool' })
    expect(tensorToValues(flags)).toEqual([true, false])
  })

  it('rejects bad specs with clear errors', async () => {
    await expect(loadTensorSpec({ data: [[1, 2], [3]], dtype: 'float32' })).rejects.toThrow(/ragged/)
    await expect(loadTensorSpec({ data: [1, 2, 3], dtype: 'float32', shape: [2, 2] })).rejects.toThrow(
      /does not fit float32\[2,2\]/,
    )
    await expect(loadTensorSpec({ data: [300], dtype: 'uint8' })).rejects.toThrow(InvalidTensorError)
    await expect(loadTensorSpec({ data: [1], dtype: 'complex64' })).rejects.toThrow(/invalid tensor spec/)
    await expect(loadTensorSpec({ npy: 'f32.npy', extra: 1 })).rejects.toThrow(/invalid tensor spec/)
    await expect(
      loadTensorSpec({ raw: 'f32.npy', dtype: 'float32', shape: [2, 3] }, { baseDir: dir }),
    ).rejects.toThrow(/raw file f32.npy has 152 bytes but float32\[2,3\] needs 24/)
  })
})
