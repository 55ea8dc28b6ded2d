import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../net/framing.js'
import { MAX_TASK_HEADER_BYTES, MAX_VOUCHER_TASK_IDS, ToProviderMsg } from './task-messages.js'

const voucher = (ids: number, idLength: number) => ({
  t: 'voucher',
  escrowJob: '1',
  cumulativeUnits: String(ids * 60),
  cumulativeAmount: String(ids * 60),
  receiptsRoot: `0x${'ab'.repeat(32)}`,
  signature: `0x${'cd'.repeat(65)}`,
  taskIds: Array.from({ length: ids }, (_, i) => `${i}.`.padEnd(idLength, 'x')),
})
const limits = { maxHeaderBytes: MAX_TASK_HEADER_BYTES, maxBodyBytes: 0 }

describe('task stream frame limits', () => {
  it('admit the largest voucher the schema allows (a 600-task voucher is already past 16 KiB)', () => {
    const typical = encodeFrame(voucher(600, 30))
    expect(typical.length).toBeGreaterThan(16 * 1024)
    expect(decodeFrame(typical, ToProviderMsg, limits).header.t).toBe('voucher')
    const largest = encodeFrame(voucher(MAX_VOUCHER_TASK_IDS, 96))
    expect(decodeFrame(largest, ToProviderMsg, limits).header).toMatchObject({ t: 'voucher' })
  })

  it('still refuse a header past the limit, and a voucher with too many task ids', () => {
    const huge = encodeFrame({ t: 'cancel', taskId: 'x'.repeat(MAX_TASK_HEADER_BYTES) })
    expect(() => decodeFrame(huge, ToProviderMsg, limits)).toThrow(/exceeds/)
    const tooMany = encodeFrame(voucher(MAX_VOUCHER_TASK_IDS + 1, 10))
    expect(() => decodeFrame(tooMany, ToProviderMsg, limits)).toThrow(/taskIds/)
  })
})
