import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { openLocalSession } from '../../src/stream/local-session.js'
import { outputsAsJson } from '../../src/stream/rows.js'
import { CLI } from '../helpers/network.js'
import { recurrentModel } from '../helpers/stream-models.js'

/** Run `mutirao stream …` with `stdin`; its stdout lines, stderr and exit code. */
function streamCli(
  args: string[],
  stdin: string,
): Promise<{ lines: string[]; stderr: string; code: number | null }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [CLI, 'stream', ...args])
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => {
      out += d
    })
    p.stderr.on('data', (d) => {
      err += d
    })
    p.on('close', (code) => done({ lines: out.trim().split('\n').filter(Boolean), stderr: err, code }))
    p.stdin.end(stdin)
  })
}

describe('mutirao stream', () => {
  let dir: string
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('a stateful model over CSV rows: each prediction equals the local session call by call, bad rows refused by number', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mutirao-stream-'))
    const model = recurrentModel()
    await writeFile(join(dir, 'rnn.onnx'), model)
    const rows = Array.from({ length: 300 }, (_, i) =>
      Array.from({ length: 4 }, (_, j) => Math.cos(i * 0.1 + j).toFixed(4)),
    )
    const csv = [
      'a,b,c,d',
      ...rows.map((r) => r.join(',')).slice(0, 150),
      '1,2,3',
      ...rows.map((r) => r.join(',')).slice(150),
    ].join('\n')
    const { lines, stderr, code } = await streamCli(
      ['--model', join(dir, 'rnn.onnx'), '--feedback', 'h=hOut', '--alert', 'y', '--threshold', '0.2'],
      csv,
    )
    expect(code).toBe(2) // one row refused
    expect(stderr).toContain("row 152: expected 4 values for input 'x', got 3")
    expect(stderr).toMatch(/300 rows predicted, \d+ alerts, 1 refused/)
    expect(lines).toHaveLength(300)
    const ref = await openLocalSession(model, { feedback: { h: 'hOut' } })
    for (let i = 0; i < rows.length; i++) {
      const got = JSON.parse(lines[i])
      const want = outputsAsJson(
        await ref.infer({ x: tensorFromValues('float32', [1, 4], rows[i].map(Number)) }),
      )
      expect(got.outputs).toEqual(want)
      expect(got.alert).toBe(want.y[0] > 0.2)
    }
    await ref.close()
  })

  it('a remote session with no provider to go to, or a peer that is not one, says so (exit 2)', async () => {
    const model = join(dir, 'rnn.onnx')
    const nearest = await streamCli(['--model', model, '--where', 'nearest'], '')
    expect(nearest.code).toBe(2)
    expect(nearest.stderr).toMatch(/no provider serving streaming sessions is connected/)
    const bad = await streamCli(['--model', model, '--where', 'peer:not-a-peer'], '')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/not-a-peer is neither a peer id nor a multiaddr ending in \/p2p\/<peer id>/)
  })
})
