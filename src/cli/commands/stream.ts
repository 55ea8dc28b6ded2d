import { createInterface } from 'node:readline'
import { Command } from 'commander'
import { InvalidInputError } from '../../errors.js'
import { tensorFromValues } from '../../exec/tensor-values.js'
import { mutAmount, parseMut, parsePrice } from '../../market/price.js'
import { connect } from '../../sdk/client.js'
import { openStream, type StreamWhere } from '../../stream/open-stream.js'
import type { RemoteStreamSession } from '../../stream/remote-session.js'
import { outputsAsJson, parseRow } from '../../stream/rows.js'
import { EXIT } from '../exit-codes.js'
import { runCommand } from '../output.js'

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** `mutirao stream`: predictions for a stream of rows on stdin, one JSON line per row on stdout. */
export function streamCommand(): Command {
  return new Command('stream')
    .description('run a model over rows read from stdin (NDJSON or CSV), one prediction per line on stdout')
    .requiredOption('--model <file>', 'ONNX model')
    .option(
      '--where <where>',
      'where the session runs: local (this machine; the data never leaves it), peer:<multiaddr|peer id>[,<another>…] (the first serves, the next take over if it fails), or nearest (lowest measured round trip among --connect peers)',
      'local',
    )
    .option('--connect <multiaddr>', 'peers to connect to first (for --where nearest; repeatable)', collect)
    .option('--network <name>', 'the network the remote providers are on (a profile name)', 'local')
    .option('--no-failover', 'when the serving provider fails, fail the pending rows instead of moving on')
    .option(
      '--pay',
      "pay priced providers from the running node's wallet (--data-dir): an escrow per provider",
    )
    .option('--data-dir <dir>', 'data dir of the node whose wallet pays (with --pay; default ~/.mutirao)')
    .option('--max-price <mut>', 'with --pay: highest ask accepted, in MUT per 1,000 work units', '0.01')
    .option(
      '--budget <mut>',
      'with --pay: MUT locked per provider for the session (the rest is reclaimable)',
      '1',
    )
    .option('--input <name>', "the model input each row feeds (default: the model's only non-state input)")
    .option(
      '--feedback <input=output>',
      'stateful models: feed an output back into an input (repeatable)',
      collect,
    )
    .option(
      '--alert <output>',
      'output whose last value is compared with --threshold (default: the first output)',
    )
    .option(
      '--threshold <x>',
      'mark rows whose alert output is above x with "alert": true',
      Number.parseFloat,
    )
    .option('--json', 'errors as JSON')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const feedback = Object.fromEntries(
          (opts.feedback ?? []).map((f: string) => {
            const [input, output] = f.split('=')
            if (!input || !output)
              throw new InvalidInputError(`--feedback ${f}: expected input=output, e.g. h=hOut`)
            return [input, output]
          }),
        )
        if (opts.threshold !== undefined && Number.isNaN(opts.threshold))
          throw new InvalidInputError('--threshold must be a number')
        const where = parseWhere(opts.where)
        const pay = opts.pay
          ? {
              wallet: await (await connect({ dataDir: opts.dataDir })).sessionWallet(),
              maxPricePerUnit: parsePrice(opts.maxPrice),
              budget: parseMut(opts.budget, '--budget'),
            }
          : undefined
        const session = await openStream({
          model: opts.model,
          where,
          feedback,
          connect: opts.connect,
          network: opts.network,
          failover: opts.failover,
          pay,
          onFailover: (f) =>
            process.stderr.write(
              `provider ${f.from} failed (${f.reason}); ${f.pending} rows moved to ${f.to}\n`,
            ),
        })
        const free = session.model.inputs.filter((i) => !(i.name in feedback))
        const input = session.model.inputs.find(
          (i) => i.name === (opts.input ?? (free.length === 1 ? free[0].name : '')),
        )
        if (!input)
          throw new InvalidInputError(
            opts.input
              ? `the model has no input '${opts.input}'`
              : 'the model takes several inputs: name one with --input',
            {
              metaMessages: [`Inputs: ${session.model.inputs.map((i) => i.name).join(', ')}.`],
            },
          )
        const alertOn = opts.alert ?? session.model.outputs[0]?.name
        const width = input.dims.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1)
        let row = 0
        let refused = 0
        let alerts = 0
        const times: number[] = []
        for await (const line of createInterface({
          input: process.stdin,
          crlfDelay: Number.POSITIVE_INFINITY,
        })) {
          row++
          try {
            const values = parseRow(line, input.name)
            if (!values) continue
            if (values.length !== width)
              throw new InvalidInputError(
                `expected ${width} values for input '${input.name}', got ${values.length}`,
              )
            const t = performance.now()
            const outputs = outputsAsJson(
              await session.infer({ [input.name]: tensorFromValues(input.dtype, [1, width], values) }),
            )
            times.push(performance.now() - t)
            const score = outputs[alertOn]?.at(-1)
            const alert = opts.threshold !== undefined && score !== undefined && score > opts.threshold
            if (alert) alerts++
            process.stdout.write(
              `${JSON.stringify({ row, outputs, ...(opts.threshold !== undefined ? { alert } : {}) })}\n`,
            )
          } catch (err) {
            refused++
            process.stderr.write(`row ${row}: ${(err as Error).message}\n`)
          }
        }
        await session.close()
        const served = 'served' in session ? (session as RemoteStreamSession).served() : undefined
        times.sort((a, b) => a - b)
        const q = (p: number) =>
          times.length ? times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(3) : '-'
        process.stderr.write(
          `${times.length} rows predicted, ${alerts} alerts, ${refused} refused; latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (${
            served
              ? `remote session: ${Object.entries(served)
                  .map(([p, n]) => `${n} by ${p}`)
                  .join(', ')}`
              : 'local session'
          })\n`,
        )
        const spent = 'spent' in session ? (session as RemoteStreamSession).spent() : []
        for (const s of spent)
          process.stderr.write(
            `paid ${mutAmount(s.amount)} MUT to ${s.provider} for ${s.units} work units (escrow job #${s.escrowJob}, ${mutAmount(s.budget - s.amount)} MUT reclaimable after ${new Date(s.deadline).toISOString()} and the redeem window: mutirao ledger reclaim-session ${s.escrowJob})\n`,
          )
        return refused ? EXIT.invalidInput : EXIT.ok
      }),
    )
}

/** `--where`: `local`, `nearest` or `peer:<multiaddr or peer id>[,…]`. */
function parseWhere(w: string): StreamWhere {
  if (w === 'local' || w === 'nearest') return w
  const peers = w.startsWith('peer:') ? w.slice(5).split(',').filter(Boolean) : []
  if (peers.length) return { peers }
  throw new InvalidInputError(`--where ${w}: expected local, nearest or peer:<multiaddr or peer id>[,…]`)
}
