/** A contract the audit bot reads, and what it must find (planted and control contracts only). */
export interface AuditTarget {
  name: string
  file: string
  group: 'planted' | 'control' | 'openzeppelin' | 'mutirao'
  /** Finding kinds that must be reported (planted: its vulnerability; control: none). */
  expect?: string[]
  /** Runtime bytecode, hex. */
  runtime: string
}

/** One finding of the bot's report. */
export interface AuditFinding {
  kind: string
  pc: number
  detail: string
}

/** The bot's report on one contract, parsed. */
export interface AuditReport {
  contract: string
  bytes: number
  instructions: number
  explored: number
  unresolvedJumps: number
  findings: AuditFinding[]
}

/** Parses the bot's stdout. @throws Error naming the line when the report is malformed. */
export function parseAuditReport(text: string): AuditReport {
  const lines = text.trimEnd().split('\n')
  const head = /^bytes (\d+) instructions (\d+) explored (\d+) unresolved-jumps (\d+)$/.exec(lines[1] ?? '')
  const count = /^findings (\d+)$/.exec(lines.at(-1) ?? '')
  if (!lines[0]?.startsWith('contract ') || !head || !count)
    throw new Error(`not an audit report: ${text.slice(0, 200)}`)
  const findings = lines.slice(2, -1).map((l) => {
    const m = /^finding (\S+) pc=0x([0-9a-f]+) (.*)$/.exec(l)
    if (!m) throw new Error(`bad finding line: ${l}`)
    return { kind: m[1], pc: Number.parseInt(m[2], 16), detail: m[3] }
  })
  if (findings.length !== Number(count[1])) throw new Error('finding count does not match')
  return {
    contract: lines[0].slice('contract '.length),
    bytes: Number(head[1]),
    instructions: Number(head[2]),
    explored: Number(head[3]),
    unresolvedJumps: Number(head[4]),
    findings,
  }
}

/** Whether a report meets its target's expectation: every expected kind found; a control finds nothing. */
export function meetsExpectation(t: AuditTarget, r: AuditReport): boolean | undefined {
  if (!t.expect) return undefined
  const kinds = new Set(r.findings.map((f) => f.kind))
  if (t.expect.length === 0) return kinds.size === 0
  return t.expect.every((k) => kinds.has(k)) && [...kinds].every((k) => t.expect!.includes(k))
}
