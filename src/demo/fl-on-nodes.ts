/**
 * Federated training run by nodes, for the demos: the owner's node coordinates through its API, each holder
 * is a node process of its own that joins through its API with its rows in a CSV file; both are followed by
 * their runs' events until they end.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadCsv } from '../data/load.js'
import type { Dataset } from '../data/schema.js'
import type { FlJobSpecInput } from '../fl/network/protocol.js'
import { type FlJobState, openFlStore } from '../fl/network/store.js'
import { connect } from '../sdk/client.js'
import { FlDemoError } from './fl-demo-report.js'
import type { LocalNode } from './local-network.js'

/** A node's run as the demo follows it (`GET /v1/fl/runs/:id`). */
type Followed = {
  status: string
  error?: string
  events: ({ seq: number; event: string } & Record<string, unknown>)[]
}

/**
 * Follows a run of a node until it ends, calling `onEvent` for each new event.
 * @throws FlDemoError when it fails.
 */
export async function follow(
  dataDir: string,
  id: string,
  who: string,
  onEvent: (e: Followed['events'][number]) => void = () => {},
): Promise<void> {
  const client = await connect({ dataDir })
  for (let after = -1; ; await new Promise((r) => setTimeout(r, 300))) {
    const run = (await client.fl.run(id, after)) as Followed
    for (const e of run.events) {
      onEvent(e)
      after = Math.max(after, e.seq)
    }
    if (run.status === 'failed') throw new FlDemoError(`${who}: ${run.error ?? 'failed'}`)
    if (run.status === 'done') return
  }
}

/**
 * One co-training job run by nodes: the owner's node coordinates it (`POST /v1/fl/coordinations`, its ledger
 * locking the data budget and anchoring the lineage); each holder is a node process of its own (its identity,
 * ledger key and CSV file) that joins through its API (`POST /v1/fl/holdings`) and redeems its voucher.
 */
export async function runOnNodes(
  s: { names: string[]; parts: Dataset[] },
  spec: FlJobSpecInput,
  owner: LocalNode,
  holders: LocalNode[],
  files: { test?: string; validation?: string },
  onRound: (e: Record<string, unknown>) => void,
): Promise<FlJobState> {
  const coordinating = await (await connect({ dataDir: owner.dataDir })).fl.coordinate({ spec, ...files })
  const addr = coordinating.multiaddrs?.[0]
  if (!addr) throw new FlDemoError(`the owner's node gave no address to join ${spec.id} at`)
  const done = follow(owner.dataDir, coordinating.id, `job ${spec.id}`, (e) => {
    if (e.event === 'round' || e.event === 'escrow-opened') onRound(e)
  })
  const held = holders.map(async (h, i) => {
    const csv = join(h.dataDir, 'data.csv')
    const text = datasetToCsv(s.parts[i]!)
    const back = loadCsv(text, { schema: spec.schema })
    if (
      back.x.some((v, k) => !Object.is(v, s.parts[i]!.x[k])) ||
      back.y.some((v, k) => v !== s.parts[i]!.y[k])
    )
      throw new FlDemoError(`${s.names[i]}'s rows do not survive the CSV round trip`)
    await writeFile(csv, text)
    const run = await (await connect({ dataDir: h.dataDir })).fl.join({
      coordinator: addr,
      job: spec.id,
      data: csv,
    })
    await follow(h.dataDir, run.id, s.names[i]!)
  })
  await Promise.all([done, ...held]) // each holder redeemed its own voucher
  const store = openFlStore(join(owner.dataDir, 'fl.db'))
  try {
    const state = store.load(spec.id)
    if (!state) throw new FlDemoError(`the owner's node kept no state of job ${spec.id}`)
    return state
  } finally {
    store.close()
  }
}

/** Writes encoded rows back as CSV (schema column names, categories by name, missing values empty). */
export function datasetToCsv(ds: Dataset): string {
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
  const f = ds.schema.features
  const lines = [[...f.map((c) => c.name), ds.schema.target.name].map(q).join(',')]
  for (let i = 0; i < ds.n; i++) {
    const row = f.map((c, j) => {
      const v = ds.x[i * ds.d + j]!
      if (Number.isNaN(v)) return ''
      return c.kind === 'categorical' ? q(c.categories[v]!) : String(v)
    })
    row.push(q(ds.schema.target.classes[ds.y[i]!]!))
    lines.push(row.join(','))
  }
  return `${lines.join('\n')}\n`
}
