import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ANVIL_FAUCET_KEY } from '../../src/ledger/index.js'
import { runCli, startChainProcess, startNodeProcess, type TestNode } from '../helpers/network.js'

describe('networks: `mutirao network create` deploys and writes a profile; `mutirao init --network` joins it', () => {
  const stops: (() => Promise<unknown>)[] = []
  let root = ''
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('a node initialised from the profile runs on its chain and contracts and dials its bootstrap peer', async () => {
    root = await mkdtemp(join(tmpdir(), 'mutirao-network-'))
    // a bare EVM chain: `mutirao chain` deploys its own contracts, `network create` deploys another set
    const chain = await startChainProcess(join(root, 'chain'))
    stops.push(chain.stop)
    // the bootstrap peer provides on the `local` network: it never hears the testnet member's demands
    const boot: TestNode = await startNodeProcess('boot', join(root, 'boot'), [...chain.args, '--provide'])
    stops.push(boot.stop)
    const keyFile = join(root, 'deployer.key')
    await writeFile(keyFile, ANVIL_FAUCET_KEY, { mode: 0o600 })
    const profileFile = join(root, 'testnet.json')

    const created = await runCli([
      'network',
      'create',
      '--name',
      'testnet',
      '--rpc-url',
      chain.rpcUrl,
      '--key-file',
      keyFile,
      '--bootstrap',
      boot.multiaddrs[0],
      '--out',
      profileFile,
      '--json',
    ])
    expect(created.code, created.stderr).toBe(0)
    const profile = JSON.parse(await readFile(profileFile, 'utf8'))
    expect(profile).toMatchObject({
      v: 1,
      name: 'testnet',
      chainId: 31337,
      rpcUrl: chain.rpcUrl,
      bootstrap: [boot.multiaddrs[0]],
    })
    const chainDeployments = JSON.parse(await readFile(chain.deploymentsFile, 'utf8'))
    expect(profile.deployments.escrow).not.toBe(chainDeployments.escrow) // its own contracts

    const dir = join(root, 'member')
    const init = await runCli(['init', '--network', profileFile, '--data-dir', dir, '--json'])
    expect(init.code, init.stderr).toBe(0)
    expect(JSON.parse(init.stdout)).toMatchObject({ network: 'testnet' })

    // no chain flags: the profile's chain, contracts and bootstrap peer come from the data dir
    const member = await startNodeProcess('member', dir)
    stops.push(member.stop)
    const info = JSON.parse(await readFile(join(dir, 'node.json'), 'utf8'))
    expect(info.chain).toMatchObject({ rpcUrl: chain.rpcUrl, embedded: false, chainId: 31337 })
    expect(info.chain.disputeResolver.toLowerCase()).toBe(profile.deployments.disputeResolver.toLowerCase())
    let status: { network: string; connections: { peer: string }[] } | undefined
    const until = Date.now() + 20_000
    while (Date.now() < until) {
      const res = await runCli(['status', '--data-dir', dir, '--json'])
      status = JSON.parse(res.stdout)
      if (status!.connections.some((c) => c.peer === boot.peerId)) break
      await new Promise((r) => setTimeout(r, 300))
    }
    expect(status?.network).toBe('testnet')
    expect(status?.connections.map((c) => c.peer)).toContain(boot.peerId)

    // the two networks meet (a shared bootstrap) but never trade, and both nodes say why
    const others = async (d: string) =>
      JSON.parse((await runCli(['status', '--data-dir', d, '--json'])).stdout).otherNetworks
    expect(await others(dir)).toEqual([{ network: 'local', peers: 1 }])
    expect(await others(boot.dataDir)).toEqual([{ network: 'testnet', peers: 1 }])
    const text = await runCli(['status', '--data-dir', dir])
    expect(text.stdout).toMatch(/other networks 1 connected peer\(s\) speak another network \(1 on 'local'\)/)
    const explain = JSON.parse(
      (await runCli(['provider', 'explain', '--data-dir', boot.dataDir, '--json'])).stdout,
    )
    expect(explain.reasons).toContainEqual({
      code: 'other-network',
      message: expect.stringContaining("1 on 'testnet'), not 'local'"),
    })
    const job = join(root, 'job.json')
    await writeFile(
      job,
      JSON.stringify({
        kind: 'onnx-inference',
        model: resolve(import.meta.dirname, '../fixtures/models/tiny.onnx'),
        inputs: { x: { data: [[1, 2, 3, 4]], dtype: 'float32' } },
        providers: { min: 1, waitSeconds: 3 },
      }),
    )
    const submitted = await runCli(['submit', job, '--data-dir', dir])
    expect(submitted.code).not.toBe(0)
    expect(submitted.stderr).toMatch(/notice waiting-providers: waiting: 1 connected peer\(s\) speak another/)
    expect(submitted.stdout + submitted.stderr).toMatch(
      /0 of the 1 providers .* speak another network \(1 on 'local'\), not 'testnet'/,
    )
  }, 120_000)

  it('a damaged profile is refused with the file and the field, and nothing is half-joined', async () => {
    const bad = join(root, 'bad.json')
    await writeFile(
      bad,
      JSON.stringify({
        v: 1,
        name: 'Bad Name',
        chainId: 1,
        rpcUrl: 'http://127.0.0.1:1',
        deployments: {},
        bootstrap: [],
      }),
    )
    const res = await runCli(['init', '--network', bad, '--data-dir', join(root, 'other')])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/Invalid network profile .*bad\.json: name/)
    expect(existsSync(join(root, 'other'))).toBe(false)
  })
})
