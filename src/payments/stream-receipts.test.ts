import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ReceiptChunker } from './stream-receipts.js'

const bytes = (...xs: number[]) => new Uint8Array(xs)
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

describe('ReceiptChunker', () => {
  it('cuts a receipt every n samples and one for the rest at the end, hashing inputs and outputs as sent', () => {
    const c = new ReceiptChunker('agr-1', 7, 2)
    expect(c.add([bytes(1), bytes(2)], [bytes(9)])).toBeUndefined()
    expect(c.add([bytes(3)], [bytes(8), bytes(7)])).toEqual({
      taskId: 'agr-1.0',
      units: 14,
      inputHash: sha(bytes(1, 2, 3)),
      outputHash: sha(bytes(9, 8, 7)),
    })
    expect(c.add([bytes(4)], [bytes(6)])).toBeUndefined()
    expect(c.end()).toEqual({
      taskId: 'agr-1.1',
      units: 7,
      inputHash: sha(bytes(4)),
      outputHash: sha(bytes(6)),
    })
    expect(c.end()).toBeUndefined()
  })

  it('both sides agree whatever the framing of the same bytes', () => {
    const a = new ReceiptChunker('s', 1, 3)
    const b = new ReceiptChunker('s', 1, 3)
    let ra: unknown
    let rb: unknown
    for (let i = 0; i < 3; i++) {
      ra = a.add([bytes(i, i + 1)], [bytes(i * 2)])
      rb = b.add([bytes(i), bytes(i + 1)], [bytes(i * 2)])
    }
    expect(ra).toEqual(rb)
    expect(ra).toBeDefined()
  })
})
