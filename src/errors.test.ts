import { describe, expect, it } from 'vitest'
import { firstLine, InvalidInputError } from './errors.js'

describe('firstLine', () => {
  it('gives the first line of anything thrown, not a TypeError of its own', () => {
    expect(firstLine(new Error('stream reset\n    at somewhere'))).toBe('stream reset')
    expect(firstLine(new InvalidInputError('bad row', { metaMessages: ['fix the file'] }))).toBe('bad row')
    expect(firstLine({ message: 'plain object\nmore' })).toBe('plain object')
    expect(firstLine('a string\nrejection')).toBe('a string')
    expect(firstLine(undefined)).toBe('undefined')
    expect(firstLine(null)).toBe('null')
    expect(firstLine({ code: 'ERR_X' })).toBe('[object Object]')
  })
})
