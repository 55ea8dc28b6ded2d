import { chacha20 } from '@noble/ciphers/chacha.js'
import { describe, expect, it } from 'vitest'
import { InvalidSecAggMessageError } from './errors.js'
import { expandMask } from './prg.js'

const hex = (words: Uint32Array) =>
  Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString('hex')

describe('expandMask', () => {
  it('is the RFC 8439 ChaCha20 keystream (test vector A.1 #1: zero key, zero nonce, counter 0)', () => {
    expect(hex(expandMask(new Uint8Array(32), 16))).toBe(
      '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7' +
        'da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586',
    )
  })

  it('equals the pure-JS cipher it replaced, word for word, across block boundaries', () => {
    const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255)
    for (const length of [1, 15, 16, 17, 1000, 10_001]) {
      const bytes = chacha20(seed, new Uint8Array(12), new Uint8Array(length * 4))
      const view = new DataView(bytes.buffer)
      const want = Uint32Array.from({ length }, (_, i) => view.getUint32(i * 4, true))
      expect(expandMask(seed, length)).toEqual(want)
    }
  })

  it('gives different masks for different seeds and refuses a seed that is not 32 bytes', () => {
    const a = expandMask(new Uint8Array(32).fill(1), 64)
    const b = expandMask(new Uint8Array(32).fill(2), 64)
    expect(hex(a)).not.toBe(hex(b))
    expect(() => expandMask(new Uint8Array(31), 4)).toThrow(InvalidSecAggMessageError)
  })
})
