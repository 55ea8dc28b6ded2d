import { Command } from 'commander'
import { InvalidInputError } from '../../errors.js'
import type { ProviderExplanation } from '../../provider/explain.js'
import type { PolicyChange } from '../../provider/live-policy.js'
import { connect } from '../../sdk/client.js'
import { EXIT } from '../exit-codes.js'
import { printJson, runCommand } from '../output.js'

/** `mutirao provider explain`: why this machine is or is not getting work. */
export function providerCommand(): Command {
  const provider = new Command('provider').description("the running node's provider role")
  provider
    .command('explain')
    .description(
      'why this machine is or is not getting work: its state, the demands it saw and what it did with them',
    )
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output ({ state, reasons: [{ code, message }] })')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const node = (await (await connect({ dataDir: opts.dataDir })).node()) as {
          provider: { explain?: ProviderExplanation } | null
        }
        const explain: ProviderExplanation = node.provider?.explain ?? {
          state: 'waiting',
          reasons: [{ code: 'no-demand', message: 'this node is not a provider: start it with --provide' }],
        }
        if (opts.json) return printJson(explain)
        console.log(`provider ${explain.state}`)
        for (const r of explain.reasons) console.log(`  ${r.code.padEnd(13)} ${r.message}`)
        return node.provider ? EXIT.ok : EXIT.failed
      }),
    )
  provider
    .command('policy')
    .description(
      "show or change this provider's policy while it runs (applied at once, saved to its config): ask, pause, idle-only mode, share of the cores",
    )
    .option('--price <mut>', 'ask, in MUT per 1,000 work units (e.g. 0.002)')
    .option('--pause', 'take no new work until --resume')
    .option('--resume', 'take work again')
    .option('--idle-only <on|off>', 'take work only while the owner does not use the machine')
    .option('--cpu-share <share>', 'share of the cores tasks may use, in (0, 1]')
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output (the policy in force)')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const change = policyChange(opts)
        const client = await connect({ dataDir: opts.dataDir })
        const p = change ? await client.provider.setPolicy(change) : await client.provider.policy()
        if (opts.json) return printJson(p)
        console.log(`ask        ${p.price} MUT per 1,000 work units (${p.pricePerUnit} base units per unit)`)
        console.log(`sharing    ${p.paused ? 'PAUSED by the owner' : 'on'}`)
        console.log(`idle-only  ${p.idleOnly ? `on (machine ${p.machine})` : 'off'}`)
        console.log(
          `cpu share  ${p.cpuShare} (${p.threads} tasks at once)${p.pending ? `; ${p.pending}` : ''}`,
        )
      }),
    )
  return provider
}

/** The change the flags ask for (undefined: show the policy). */
function policyChange(opts: Record<string, string | boolean | undefined>): PolicyChange | undefined {
  if (opts.pause && opts.resume) throw new InvalidInputError('give --pause or --resume, not both')
  const onOff = opts.idleOnly
  if (onOff !== undefined && onOff !== 'on' && onOff !== 'off')
    throw new InvalidInputError(`--idle-only takes on or off, not ${String(onOff).slice(0, 20)}`)
  const change: PolicyChange = {
    ...(opts.price !== undefined && { price: String(opts.price) }),
    ...((opts.pause || opts.resume) && { paused: Boolean(opts.pause) }),
    ...(onOff !== undefined && { idleOnly: onOff === 'on' }),
    ...(opts.cpuShare !== undefined && { cpuShare: Number(opts.cpuShare) }),
  }
  return Object.keys(change).length ? change : undefined
}
