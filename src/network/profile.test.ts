import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { profileOf, readProfile } from './profile.js'

const D = {
  chainId: 31337,
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  registry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  escrow: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  fromBlock: 7n,
} as const
const BOOT = '/ip4/198.18.0.11/tcp/4001/p2p/12D3KooWG3L2zAH27eRrg98BsU8VQB74ZJuR9ZgHRs18f3k9Fu1a'

describe('network profiles', () => {
  it('a deployment becomes a profile that reads back the same', async () => {
    const p = profileOf('farms-coop', 'http://198.18.0.10:8545', D, [BOOT])
    expect(p).toMatchObject({ v: 1, name: 'farms-coop', chainId: 31337, bootstrap: [BOOT] })
    expect(p.deployments.fromBlock).toBe(7)
    const file = join(await mkdtemp(join(tmpdir(), 'profile-')), 'p.json')
    await writeFile(file, JSON.stringify(p))
    expect(await readProfile(file)).toEqual(p)
  })

  it('refuses bad names, bad bootstrap addresses and files that are not profiles, naming the problem', async () => {
    expect(() => profileOf('Farms Coop', 'http://x:1', D, [])).toThrow(/name/)
    expect(() => profileOf('farms', 'http://x:1', D, ['198.18.0.11:4001'])).toThrow(
      /--bootstrap 198\.18\.0\.11:4001: not a multiaddr/,
    )
    const dir = await mkdtemp(join(tmpdir(), 'profile-'))
    await writeFile(join(dir, 'a.json'), '{')
    await expect(readProfile(join(dir, 'a.json'))).rejects.toThrow(/a\.json is not JSON/)
    await writeFile(join(dir, 'b.json'), JSON.stringify({ v: 1, name: 'x' }))
    await expect(readProfile(join(dir, 'b.json'))).rejects.toThrow(
      /Invalid network profile .*b\.json: chainId/,
    )
    await expect(readProfile(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read the network profile/)
  })
})
