import { describe, expect, it } from 'vitest'
import { esc, type JobView, jobsHtml, type NodeView, networkHtml, nodeHtml, providerHtml } from './render.js'

const node: NodeView = {
  peerId: '12D3KooWabc',
  ethAddress: '0x1',
  multiaddrs: ['/ip4/127.0.0.1/tcp/1'],
  peers: 1,
  executionProviders: [
    { name: 'cpu', available: true, adapter: 'EPYC × 2', score: 400000 },
    { name: 'webgpu', available: false, error: 'No supported adapters' },
  ],
  provider: {
    accepting: true,
    pricePerUnit: '1000000000000',
    tasks: { running: 0, completed: 3, failed: 0, refused: 1 },
    explain: { state: 'working', reasons: [{ code: 'working', message: 'ran <3> tasks' }] },
  },
  knownProviders: [
    {
      peerId: '12D3KooWprovider0000',
      threads: 2,
      pricePerUnit: '1000000000000',
      accepting: true,
      executionProvider: 'webgpu',
    },
  ],
}

/** A finished one-shard job's progress, as the API sends it. */
const progress: JobView = {
  jobId: 'job-1',
  status: 'done',
  samplesDone: 10,
  samplesTotal: 10,
  shardsDone: 1,
  shardsTotal: 1,
  createdAt: 1_000,
  finishedAt: 3_000,
  providers: [],
}

describe('dashboard views', () => {
  it('escape everything from the API', () => {
    expect(esc('<img src=x onerror=alert(1)>')).toBe('&#60;img src=x onerror=alert(1)&#62;')
    expect(providerHtml(node)).toContain('ran &#60;3&#62; tasks')
  })

  it('show the provider state, its ask in MUT, the probed execution providers and the reasons', () => {
    const html = providerHtml(node)
    expect(html).toContain('taking work')
    expect(html).toContain('0.001 MUT per 1,000 units')
    expect(html).toContain('cpu: 400000 rows/s on EPYC × 2')
    expect(html).toContain('webgpu: unavailable — No supported adapters')
    expect(providerHtml({ ...node, provider: null })).toContain('--provide')
    expect(html).toContain('Reputation as others see it:</b> no staked requester has attested')
    const seen = providerHtml({
      ...node,
      provider: {
        ...node.provider!,
        seenByOthers: {
          score: 0.875,
          attesters: 2,
          attestedStake: '5',
          counts: { valid: 40, invalid: 1, timeout: 1 },
          latest: 1,
        },
      },
    })
    expect(seen).toContain('2 staked requesters rate it 0.88 of 1 (40 valid, 1 invalid, 1 timeout)')
    // whom it computes for, each stream with its tasks and what they earn
    const working = providerHtml({
      ...node,
      provider: {
        ...node.provider!,
        work: [
          {
            agreementId: 'a1',
            jobId: 'job-<x>',
            requester: '12D3KooWrequester0001',
            kind: 'onnx-inference',
            modelHash: 'ab',
            escrowJob: '4',
            pricePerUnit: '1000000000000',
            since: 0,
            lastAt: 0,
            running: 2,
            completed: 40,
            failed: 1,
            units: 1200,
            earned: '1200000000000000',
          },
        ],
      },
    })
    expect(working).toContain('<h3>Computing for</h3>')
    expect(working).toContain('job-&#60;x&#62;, onnx-inference, escrow job 4')
    expect(working).toContain('2 running, 40 done, <span class="bad">1 failed</span>')
    expect(working).toContain('1200 units, 0.0012 MUT')
    expect(working).toContain('<b>open</b> since')
    expect(html).not.toContain('Computing for')
  })

  it('show jobs with progress, who ran what on which execution provider, and money in MUT', () => {
    const job: JobView = {
      ...progress,
      providers: [
        { provider: '12D3KooWprovider0000', shards: 1, samples: 10, units: 10, executionProviders: ['wasm'] },
      ],
      escrow: {
        escrowJob: '4',
        pricePerUnit: '2000000000000',
        budget: '400000000000000',
        cost: '20000000000000',
        refundable: '0',
        refunded: '380000000000000',
        reclaimed: null,
        settlement: { status: 'settled', refund: '380000000000000', paid: '0', txHash: '0xab', at: 1 },
      },
    }
    const html = jobsHtml([job])
    expect(html).toContain('10/10')
    expect(html).toContain('10 on wasm')
    expect(html).toContain('cost 0.00002 MUT, refunded 0.00038')
    // with the user's own rate for MUT, money shows in their currency too
    expect(jobsHtml([job], undefined, { currency: 'EUR', perMut: 1e6 })).toContain(
      'cost 0.00002 MUT (≈ 20 EUR), refunded 0.00038 MUT (≈ 380 EUR)',
    )
    // the job's story under "Why", as `mutirao job explain` tells it
    expect(html).toContain('<details class="why"><summary>Why</summary>')
    expect(html).toContain('<b>outcome</b> done in 2.0 s: 10/10 samples in 1/1 shards')
    expect(html).toContain('<b>provider</b> 12D3KooWprov…0000 computed 10 samples in 1 shards on wasm')
    expect(html).toContain('<b>refund</b> 0.00038 MUT came back when the escrow closed')
    const checked = jobsHtml([
      {
        ...job,
        verification: {
          policy: 'adaptive',
          replicaTasks: 3,
          canaryTasks: 0,
          invalid: 1,
          excluded: ['12D3KooW<bad>0000'],
        },
        notices: [{ at: 1, code: 'no-offers', message: 'no provider runs <wasm>' }],
      },
    ])
    expect(checked).toContain('<b>outvoted</b> 1 results lost a vote')
    expect(checked).toContain('<b>excluded</b> 12D3KooW&#60;bad…0000 was excluded')
    expect(checked).toContain('<b>no-offers</b> no provider runs &#60;wasm&#62;')
    expect(jobsHtml([])).toContain('No jobs yet')
    expect(networkHtml(node)).toContain('webgpu')
  })

  it("offer a finished job's results: a button first, then one link per output, or why they are missing", () => {
    const done: JobView = { ...progress, samplesDone: 1, samplesTotal: 1, providers: [] }
    expect(jobsHtml([done], () => undefined)).toContain('data-results="job-1"')
    expect(jobsHtml([{ ...done, status: 'running' }], () => undefined)).not.toContain('data-results')
    const links = jobsHtml([done], () => [
      { name: 'job-1-y.npy', href: 'blob:x', label: 'y.npy (float32 [1×2])' },
    ])
    expect(links).toContain('<a href="blob:x" download="job-1-y.npy">y.npy (float32 [1×2])</a>')
    expect(jobsHtml([done], () => 'results not fetched: <gone>')).toContain(
      'results not fetched: &#60;gone&#62;',
    )
  })
})

describe('who computes for whom', () => {
  it('draws an edge to each provider that worked for this node, thicker for more samples, and says it in words', async () => {
    const { workPictureSvg } = await import('./render-picture.js')
    const jobs: JobView[] = [
      {
        ...progress,
        jobId: 'j1',
        status: 'running',
        samplesDone: 30,
        samplesTotal: 40,
        providers: [
          { provider: '12D3KooWprovider0000', shards: 2, samples: 20, units: 20 },
          { provider: '12D3KooWother0000000', shards: 1, samples: 10, units: 10 },
        ],
      },
    ]
    const svg = workPictureSvg(node, jobs)
    expect(svg.match(/<line /g)).toHaveLength(2)
    expect(svg).toContain('stroke-width="6.0"')
    expect(svg).toContain('stroke-width="3.5"')
    expect(svg).toContain('12D3Ko…0000 computed 20 samples (working now)')
    expect(workPictureSvg({ ...node, knownProviders: [] }, [])).toBe('')
  })
})

describe('nodeHtml', () => {
  it('names peers that speak another network, escaped', () => {
    const node = {
      peerId: 'p',
      ethAddress: '0x1',
      multiaddrs: [],
      peers: 2,
      provider: null,
      network: 'farms',
    }
    expect(nodeHtml(node)).not.toContain('Other network')
    const html = nodeHtml({ ...node, otherNetworks: [{ network: '<b>x</b>', peers: 2 }] })
    expect(html).toContain('2 connected peer(s) speak network &#60;b&#62;x&#60;/b&#62;, not farms')
  })

  it('says which connections are direct or relayed, and what hole punching did', () => {
    const node = { peerId: 'p', ethAddress: '0x1', multiaddrs: [], peers: 2, provider: null }
    expect(nodeHtml(node)).not.toContain('Hole punching')
    const html = nodeHtml({
      ...node,
      connections: [
        { peer: '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', path: 'direct' },
        { peer: '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', path: 'relayed' },
      ],
      holePunch: {
        attempts: 3,
        direct: 2,
        observed: ['/ip4/198.18.0.101/tcp/40000'],
        lastFailure: 'x1y2: <no observed public address of ours (symmetric NAT?)>',
      },
    })
    expect(html).toContain('1 direct, 1 relayed (<code>12D3KooWBB…BBBB</code>: no direct path')
    expect(html).toContain(
      '2 of 3 direct; offers /ip4/198.18.0.101/tcp/40000; last failure x1y2: &#60;no observed public address',
    )
    expect(html).not.toContain('Port mapping')
    expect(nodeHtml({ ...node, portMapping: { mapped: [], lastError: 'no default gateway' } })).toContain(
      '<dt>Port mapping</dt><dd>nothing forwarded; last error: no default gateway</dd>',
    )
  })
})
