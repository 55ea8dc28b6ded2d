import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InvalidModelError } from '../exec/errors.js'
import { inspectModel } from '../exec/model-info.js'
import { ModelInfos } from './model-infos.js'

const tiny = new Uint8Array(readFileSync(new URL('../../test/fixtures/models/tiny.onnx', import.meta.url)))

/** A blob store of the given bytes that counts its reads. */
function store(blobs: Record<string, Uint8Array>) {
  const reads: string[] = []
  const read = async (hash: string) => {
    reads.push(hash)
    const bytes = blobs[hash]
    if (!bytes) throw new Error(`no blob ${hash}`)
    return bytes
  }
  return { reads, read }
}

describe('ModelInfos', () => {
  it('reads and parses a model once, then answers from memory', async () => {
    const s = store({ a: tiny })
    const infos = new ModelInfos(s.read)
    const first = await infos.get('a')
    expect(first).toEqual(inspectModel(tiny))
    expect(await infos.get('a')).toBe(first)
    expect(s.reads).toEqual(['a'])
  })

  it('forgets the least recently used model past its size', async () => {
    const s = store({ a: tiny, b: tiny, c: tiny })
    const infos = new ModelInfos(s.read, 2)
    await infos.get('a')
    await infos.get('b')
    await infos.get('a') // a is now the most recent
    await infos.get('c') // b goes
    await infos.get('a')
    await infos.get('b')
    expect(s.reads).toEqual(['a', 'b', 'c', 'b'])
  })

  it('does not remember a model that fails to parse or to be read', async () => {
    const s = store({ bad: new Uint8Array([1, 2, 3]) })
    const infos = new ModelInfos(s.read)
    await expect(infos.get('bad')).rejects.toBeInstanceOf(InvalidModelError)
    await expect(infos.get('bad')).rejects.toBeInstanceOf(InvalidModelError)
    await expect(infos.get('gone')).rejects.toThrow(/no blob gone/)
    expect(s.reads).toEqual(['bad', 'bad', 'gone'])
  })
})
