import { Command } from 'commander'
import type { ProviderReputation } from '../../requester/attestation-pool.js'
import { connect } from '../../sdk/client.js'
import { printJson, runCommand } from '../output.js'

/** `mutirao status`: the local node's identity, peers, provider state and known providers. */
export function statusCommand(): Command {
  return new Command('status')
    .description("show the running node's identity, addresses, peers, provider state and known providers")
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const s = (await (await connect({ dataDir: opts.dataDir })).node()) as Record<string, never>
        if (opts.json) return printJson(s)
        console.log(`peer id       ${s.peerId}`)
        console.log(`eth address   ${s.ethAddress}`)
        console.log(`peers         ${s.peers}`)
        for (const a of s.multiaddrs as string[]) console.log(`listening     ${a}`)
        console.log(`provider      ${s.provider ? JSON.stringify(s.provider) : 'off (start with --provide)'}`)
        console.log(`known providers ${(s.knownProviders as unknown[]).length}`)
        const rep = (s.reputation ?? {}) as Record<string, ProviderReputation>
        for (const [p, r] of Object.entries(rep)) {
          const attested = r.attested === null ? '-' : `${r.attested.toFixed(2)} by ${r.attesters}`
          console.log(
            `reputation    ${p} ${r.effective.toFixed(2)} (own ${r.own.toFixed(2)}, attested ${attested})`,
          )
        }
      }),
    )
}
