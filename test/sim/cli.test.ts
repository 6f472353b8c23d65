// The simulated `tart` CLI without booting guests: verbs, output shapes, quirks and error paths (reference §3, §6).
import { existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimHost, KNOWN_IMAGES, type SimHost } from './harness'

const BASE = KNOWN_IMAGES.sequoiaBase
let host: SimHost

beforeAll(async () => {
  host = await createSimHost()
})
afterAll(async () => {
  await host?.cleanup()
})

const tart = (...args: string[]) => host.run(args)
const config = (name: string) => JSON.parse(readFileSync(join(host.vmPath(name), 'config.json'), 'utf8'))
const usage = (verb: string) => new RegExp(`\\nUsage: tart ${verb}.*\\n  See 'tart ${verb} --help' for more information\\.\\n$`)

describe('global behaviour', () => {
  it('prints the version', async () => {
    expect(await tart('--version')).toEqual({ exitCode: 0, stdout: '2.32.1\n', stderr: '' })
  })

  it('lists nothing as an empty line and an empty JSON array', async () => {
    expect((await tart('list')).stdout).toBe('\n')
    expect((await tart('list', '--format', 'json')).stdout).toBe('[\n\n]\n')
  })

  it('rejects unknown options and missing arguments with usage and exit 64', async () => {
    const r = await tart('list', '--bogus')
    expect(r.exitCode).toBe(64)
    expect(r.stderr).toMatch(/^Error: Unknown option '--bogus'\nUsage: tart list/)
    const m = await tart('get')
    expect(m.exitCode).toBe(64)
    expect(m.stderr).toMatch(/^Error: Missing expected argument '<name>'/)
    expect(m.stderr).toMatch(usage('get'))
  })

  it('reports an invalid TART_HOME', async () => {
    const r = await host.run(['list'], { env: { TART_HOME: '/proc/nope/home' } })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/^TART_HOME is invalid: \/proc\/nope\/home does not exist, yet we can't create it: /)
  })
})

describe('create, get, set', () => {
  it('creates a Linux VM silently with Tart defaults and a sparse disk', async () => {
    expect(await tart('create', '--linux', 'lin')).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    const cfg = config('lin')
    expect(cfg).toMatchObject({ version: 1, os: 'linux', cpuCount: 4, memorySize: 4294967296, diskFormat: 'raw' })
    expect(cfg.display).toEqual({ width: 1024, height: 768 })
    expect(cfg.macAddress).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/)
    const disk = statSync(join(host.vmPath('lin'), 'disk.img'))
    expect(disk.size).toBe(50e9)
    expect(disk.blocks * 512).toBeLessThan(10e6)
    const get = JSON.parse((await tart('get', 'lin', '--format', 'json')).stdout)
    expect(get).toEqual({
      OS: 'linux', CPU: 4, Memory: 4096, Disk: 50, DiskFormat: 'raw', Size: expect.stringMatching(/^\d+\.\d{3}$/),
      Display: '1024x768', Running: false, State: 'stopped',
    })
    const text = (await tart('get', 'lin')).stdout.split('\n')
    expect(text[0]).toMatch(/^OS +CPU +Memory +Disk +DiskFormat +Size +Display +State/)
    expect(text[1]).toMatch(/^linux +4 +4096 +50 +raw +\d+\.\d{3} +1024x768 +stopped$/)
  })

  it('honours --disk-size and refuses a create without source or with asif', async () => {
    await tart('create', '--linux', '--disk-size', '20', 'small')
    expect(JSON.parse((await tart('get', 'small', '--format', 'json')).stdout).Disk).toBe(20)
    const none = await tart('create', 'x')
    expect(none.exitCode).toBe(64)
    expect(none.stderr).toMatch(/^Error: Please specify either a --from-ipsw or --linux option!\nUsage: tart create/)
    const asif = await tart('create', '--linux', '--disk-format', 'asif', 'x')
    expect(asif.exitCode).toBe(64)
    expect(asif.stderr).toMatch(/^Error: Disk format 'asif' is not supported on this system\./)
  })

  it('set changes CPU, memory, display, MAC, serial and disk size', async () => {
    await tart('clone', BASE, 'mac')
    const before = config('mac')
    expect(await tart('set', 'mac', '--cpu', '6', '--memory', '16384', '--display', '1920x1080px')).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    await tart('set', 'mac', '--random-mac')
    await tart('set', 'mac', '--random-serial')
    const after = config('mac')
    expect(after.macAddress).not.toBe(before.macAddress)
    expect(after.ecid).not.toBe(before.ecid)
    const get = JSON.parse((await tart('get', 'mac', '--format', 'json')).stdout)
    expect(get).toMatchObject({ OS: 'darwin', CPU: 6, Memory: 16384, Display: '1920x1080px' })
    await tart('set', 'mac', '--disk-size', '60')
    expect(statSync(join(host.vmPath('mac'), 'disk.img')).size).toBe(60e9)
    const shrink = await tart('set', 'mac', '--disk-size', '10')
    expect(shrink).toEqual({
      exitCode: 1, stdout: '',
      stderr: 'new disk size of 10 GB should be larger than the current disk size of 60 GB\n',
    })
  })

  it('set enforces the macOS minimums and rewrites displayRefit every time', async () => {
    const cpu = await tart('set', 'mac', '--cpu', '2')
    expect(cpu.exitCode).toBe(1)
    expect(cpu.stderr).toBe('Error: LessThanMinimalResourcesError: VM should have 4 CPU cores at minimum (requested 2)\n')
    const mem = await tart('set', 'mac', '--memory', '1024')
    expect(mem.exitCode).toBe(1)
    expect(mem.stderr).toMatch(/^Error: LessThanMinimalResourcesError: VM should have \d+ bytes of memory at minimum \(requested 1073741824\)\n$/)
    await tart('set', 'mac', '--display-refit')
    expect(config('mac').displayRefit).toBe(true)
    await tart('set', 'mac', '--cpu', '4')
    expect(config('mac').displayRefit).toBeUndefined()
    const bad = await tart('set', 'mac', '--cpu', 'many')
    expect(bad.exitCode).toBe(64)
    expect(bad.stderr).toMatch(/^Error: The value 'many' is invalid for '--cpu <cpu>'/)
  })

  it('reports an incomplete VM directory', async () => {
    await tart('create', '--linux', 'broken')
    unlinkSync(join(host.vmPath('broken'), 'nvram.bin'))
    expect(await tart('get', 'broken')).toEqual({
      exitCode: 1, stdout: '', stderr: 'VM is missing some of its files (config.json, disk.img or nvram.bin)\n',
    })
    expect((await tart('list', '-q')).stdout).not.toMatch(/broken/)
    await tart('delete', 'broken')
    expect(existsSync(host.vmPath('broken'))).toBe(false)
  })
})

describe('pull, clone and the OCI cache', () => {
  it('pulls with Tart lines and plain progress under CI', async () => {
    const r = await tart('pull', KNOWN_IMAGES.tahoeBase)
    expect(r.exitCode).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.slice(0, 3)).toEqual([
      `pulling ${KNOWN_IMAGES.tahoeBase}...`, 'pulling manifest...', 'pulling disk (23.4 GB compressed)...',
    ])
    expect(lines[3]).toBe('0%')
    expect(lines.at(-2)).toBe('100%')
    expect(lines.at(-1)).toBe('pulling NVRAM...')
    for (const l of lines.slice(3, -1)) expect(l).toMatch(/^\d+%$/)
    const again = await tart('pull', KNOWN_IMAGES.tahoeBase)
    expect(again.stdout).toMatch(
      /^pulling ghcr\.io\/cirruslabs\/macos-tahoe-base:latest\.\.\.\npulling manifest\.\.\.\nghcr\.io\/cirruslabs\/macos-tahoe-base@sha256:[0-9a-f]{64} image is already cached and linked!\n$/,
    )
  })

  it('uses the interactive progress form when CI is unset', async () => {
    const { execa } = await import('execa')
    const r = await execa('env', ['-u', 'CI', host.tartPath, 'pull', KNOWN_IMAGES.ubuntu], {
      env: { ...host.env, TART_SIM_PULL_SECONDS: '0.5' }, reject: false,
    })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('\n0%\n\x1b[1A\r\x1b[J')
    expect(r.stdout.endsWith('\x1b[1A\r\x1b[J100%\npulling NVRAM...')).toBe(true)
  })

  it('lists OCI images twice (tag and digest) with / escaped in JSON and integer sizes', async () => {
    const json = (await tart('list', '--format', 'json')).stdout
    expect(json).toContain('"Name" : "ghcr.io\\/cirruslabs\\/macos-tahoe-base:latest"')
    const list = JSON.parse(json) as Array<Record<string, unknown>>
    const oci = list.filter((e) => e.Source === 'OCI').map((e) => e.Name as string)
    expect(oci).toContain(KNOWN_IMAGES.tahoeBase)
    expect(oci.some((n) => /^ghcr\.io\/cirruslabs\/macos-tahoe-base@sha256:[0-9a-f]{64}$/.test(n))).toBe(true)
    for (const e of list) {
      expect(Object.keys(e).sort()).toEqual(['Accessed', 'Disk', 'Name', 'Running', 'Size', 'Source', 'State'])
      expect(Number.isInteger(e.Size)).toBe(true)
      expect(e.Accessed).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    }
    const names = list.map((e) => e.Name as string)
    const local = list.filter((e) => e.Source === 'local').map((e) => e.Name as string)
    expect(names.slice(0, local.length)).toEqual([...local].sort())
    expect((await tart('list', '--source', 'oci', '-q')).stdout.split('\n').filter(Boolean).every((n) => n.includes('/'))).toBe(true)
    expect((await tart('list', '--source', 'local', '--quiet')).stdout.split('\n').filter(Boolean).every((n) => !n.includes('/'))).toBe(true)
    const text = (await tart('list')).stdout.trimEnd().split('\n')
    expect(text[0]).toMatch(/^Source +Name +Disk +Size +Accessed +State/)
    expect(text.at(-1)).toMatch(/ago +\w+$/)
  })

  it('emits the pre-2.31 list JSON with TART_SIM_LIST_FORMAT=legacy', async () => {
    const r = await host.run(['list', '--format', 'json'], { env: { TART_SIM_LIST_FORMAT: 'legacy' } })
    const list = JSON.parse(r.stdout) as Array<Record<string, unknown>>
    expect(Object.keys(list[0]!).sort()).toEqual(['Disk', 'Name', 'Running', 'Size', 'SizeOnDisk', 'Source', 'State'])
  })

  it('clone of an uncached image pulls without the "pulling NAME" line; a cached one prints nothing', async () => {
    const first = await tart('clone', KNOWN_IMAGES.sequoiaVanilla, 'v1')
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toMatch(/^pulling manifest\.\.\.\npulling disk \(14\.7 GB compressed\)\.\.\.\n0%\n(\d+%\n)*100%\npulling NVRAM\.\.\.\n$/)
    expect(await tart('clone', KNOWN_IMAGES.sequoiaVanilla, 'v2')).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    expect(existsSync(join(host.guestHome('v2'), '.profile'))).toBe(true)
  })

  it('keeps the image MAC on the first clone and assigns a new MAC on a local clone', async () => {
    const imageCfg = JSON.parse(readFileSync(join(host.tartHome, 'cache/OCIs/ghcr.io/cirruslabs/macos-tahoe-base/latest/config.json'), 'utf8'))
    await tart('clone', KNOWN_IMAGES.tahoeBase, 't1')
    expect(config('t1').macAddress).toBe(imageCfg.macAddress)
    await tart('clone', 't1', 't2')
    expect(config('t2').macAddress).not.toBe(config('t1').macAddress)
  })

  it('overwrites an existing VM silently on clone', async () => {
    writeFileSync(join(host.guestHome('v2'), 'marker.txt'), 'x')
    expect(await tart('clone', 'v1', 'v2')).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    expect(existsSync(join(host.guestHome('v2'), 'marker.txt'))).toBe(false)
  })

  it('fails like a registry 404 for unknown images', async () => {
    const want = 'Error: UnexpectedHTTPStatusCode(when: "pulling manifest", code: 404, details: "")\n'
    const pull = await tart('pull', 'ghcr.io/cirruslabs/macos-nope:latest')
    expect(pull).toEqual({
      exitCode: 1, stderr: want,
      stdout: 'pulling ghcr.io/cirruslabs/macos-nope:latest...\npulling manifest...\n',
    })
    const clone = await tart('clone', 'ghcr.io/cirruslabs/macos-nope:1', 'nope')
    expect(clone).toEqual({ exitCode: 1, stdout: 'pulling manifest...\n', stderr: want })
  })

  it('pull of a local name or an unparsable name', async () => {
    expect(await tart('pull', 'v1')).toEqual({ exitCode: 0, stdout: '"v1" is a local image, nothing to pull here!\n', stderr: '' })
    const bad = await tart('pull', 'not-a-remote')
    expect(bad.exitCode).toBe(1)
    expect(bad.stderr).toMatch(/^failed to parse remote name: .* \(character \d+\)\n$/)
  })

  it('clone validates names and sources', async () => {
    const slash = await tart('clone', 'v1', 'a/b')
    expect(slash.exitCode).toBe(64)
    expect(slash.stderr).toMatch(/^Error: a\/b should be a local name\nUsage: tart clone/)
    expect(await tart('clone', 'missing', 'x')).toEqual({ exitCode: 2, stdout: '', stderr: 'the specified VM "missing" does not exist\n' })
    const conc = await tart('clone', 'v1', 'x', '--concurrency', '0')
    expect(conc.exitCode).toBe(64)
    expect(conc.stderr).toMatch(/^Error: network concurrency cannot be less than 1/)
  })

  it('fqn resolves cached tags to digests and echoes local names', async () => {
    expect((await tart('fqn', KNOWN_IMAGES.tahoeBase)).stdout).toMatch(/^ghcr\.io\/cirruslabs\/macos-tahoe-base@sha256:[0-9a-f]{64}\n$/)
    expect(await tart('fqn', 'anything')).toEqual({ exitCode: 0, stdout: 'anything\n', stderr: '' })
    expect(await tart('fqn', KNOWN_IMAGES.sequoiaXcode)).toEqual({
      exitCode: 1, stdout: '',
      stderr: `OCI storage error: ${KNOWN_IMAGES.sequoiaXcode} is not a digest and doesn't point to a digest\n`,
    })
  })

  it('delete of a tag garbage-collects its digest directory', async () => {
    await tart('pull', KNOWN_IMAGES.sequoiaXcode)
    const repo = join(host.tartHome, 'cache/OCIs/ghcr.io/cirruslabs/macos-sequoia-xcode')
    expect(readdirSync(repo).length).toBe(2)
    expect(await tart('delete', KNOWN_IMAGES.sequoiaXcode)).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    expect(readdirSync(repo)).toEqual([])
  })
})

describe('rename, delete, prune and VM-state errors', () => {
  it('rename moves a VM and refuses bad targets with exit 64', async () => {
    expect(await tart('rename', 't2', 't3')).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    expect(existsSync(host.vmPath('t3'))).toBe(true)
    const exists = await tart('rename', 't1', 't3')
    expect(exists.exitCode).toBe(64)
    expect(exists.stderr).toMatch(/^Error: failed to rename VM t1, target VM t3 already exists, delete it first!\nUsage: tart <subcommand>/)
    const missing = await tart('rename', 'ghost', 'x')
    expect(missing.exitCode).toBe(64)
    expect(missing.stderr).toMatch(/^Error: failed to rename a non-existent local VM: ghost\n/)
    const slash = await tart('rename', 't1', 'a/b')
    expect(slash.exitCode).toBe(64)
    expect(slash.stderr).toMatch(/^Error: a\/b should be a local name\n/)
  })

  it('missing VMs: exit 2 everywhere, but exit 1 with "Error:" for run', async () => {
    const msg = 'the specified VM "ghost" does not exist\n'
    for (const args of [['get', 'ghost'], ['set', 'ghost', '--cpu', '4'], ['ip', 'ghost'], ['stop', 'ghost'],
      ['suspend', 'ghost'], ['delete', 'ghost']]) {
      expect(await tart(...args), args.join(' ')).toEqual({ exitCode: 2, stdout: '', stderr: msg })
    }
    expect(await tart('run', 'ghost')).toEqual({ exitCode: 1, stdout: '', stderr: `Error: ${msg}` })
  })

  it('stopped VMs: stop/suspend say not running (suspend twice over), ip fails after about 1 s', async () => {
    expect(await tart('stop', 't1')).toEqual({ exitCode: 2, stdout: '', stderr: 'VM "t1" is not running\n' })
    expect(await tart('suspend', 't1')).toEqual({ exitCode: 2, stdout: '', stderr: 'VM "VM "t1" is not running" is not running\n' })
    const start = Date.now()
    expect(await tart('ip', 't1')).toEqual({ exitCode: 1, stdout: '', stderr: 'no IP address found, is your VM running?\n' })
    expect(Date.now() - start).toBeGreaterThanOrEqual(900)
    expect((await tart('ip', 't1', '--resolver', 'agent')).stderr).toBe(
      'no IP address found, is your VM running? (also make sure that Guest agent for Tart is running inside of a VM)\n')
    expect((await tart('ip', 'lin', '--resolver', 'arp')).stderr).toBe(
      'no IP address found, is your VM running? (not all Linux distributions are compatible with the ARP resolver)\n')
  })

  it('a suspended VM is listed as suspended and stop discards the saved state', async () => {
    writeFileSync(join(host.vmPath('t3'), 'state.vzvmsave'), 'saved')
    const get = JSON.parse((await tart('get', 't3', '--format', 'json')).stdout)
    expect(get.State).toBe('suspended')
    expect(await tart('stop', 't3')).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    expect(existsSync(join(host.vmPath('t3'), 'state.vzvmsave'))).toBe(false)
  })

  it('run validates flags with exit 64', async () => {
    const r = await tart('run', 'lin', '--suspendable')
    expect(r.exitCode).toBe(64)
    expect(r.stderr).toMatch(/^Error: You can only suspend macOS VMs\nUsage: tart run/)
    const g = await tart('run', 'lin', '--graphics', '--no-graphics')
    expect(g.stderr).toMatch(/^Error: --graphics and --no-graphics are mutually exclusive/)
  })

  it('list --source and --format reject invalid values', async () => {
    const s = await tart('list', '--source', 'cloud')
    expect(s.exitCode).toBe(64)
    expect(s.stderr).toMatch(/^Error: 'cloud' is not a valid <source>\nUsage: tart list/)
    const f = await tart('list', '--format', 'yaml')
    expect(f.exitCode).toBe(64)
    expect(f.stderr).toMatch(/^Error: The value 'yaml' is invalid for '--format <format>'/)
  })

  it('delete removes several VMs in order and stops at the first error', async () => {
    await tart('create', '--linux', 'd1')
    await tart('create', '--linux', 'd2')
    expect(await tart('delete', 'd1', 'ghost', 'd2')).toEqual({ exitCode: 2, stdout: '', stderr: 'the specified VM "ghost" does not exist\n' })
    expect(existsSync(host.vmPath('d1'))).toBe(false)
    expect(existsSync(host.vmPath('d2'))).toBe(true)
  })

  it('prune needs a criterion, prunes caches by age and VMs by budget', async () => {
    const none = await tart('prune')
    expect(none.exitCode).toBe(64)
    expect(none.stderr).toMatch(/^Error: at least one pruning criteria must be specified/)
    expect((await tart('prune', '--older-than', '0')).exitCode).toBe(0)
    expect((await tart('list', '--source', 'oci', '-q')).stdout).toBe('')
    expect((await tart('prune', '--entries', 'vms', '--space-budget', '0')).exitCode).toBe(0)
    expect((await tart('list', '-q')).stdout).toBe('')
  })
})

describe('storage faults', () => {
  it('a clone that fails half-way leaves its temp dir until the next GC', async () => {
    await tart('create', '--linux', 'src')
    await host.setFaults('src', { clone_fail: true })
    const r = await tart('clone', 'src', 'dst')
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/^Error: Error Domain=NSCocoaErrorDomain Code=512 "“disk\.img” couldn’t be copied to/)
    expect(existsSync(host.vmPath('dst'))).toBe(false)
    const tmp = join(host.tartHome, 'tmp')
    expect(readdirSync(tmp).length).toBe(1)
    await tart('list')
    expect(readdirSync(tmp)).toEqual([])
    await host.setFaults('src', {})
    expect((await tart('clone', 'src', 'dst')).exitCode).toBe(0)
  })

  it('a full disk fails clone and pull with the out-of-space error', async () => {
    const want = /^Error: Error Domain=NSCocoaErrorDomain Code=640 "You can’t save the file because the volume is out of space\."/
    const clone = await host.run(['clone', 'src', 'dst2'], { env: { TART_SIM_DISK_FULL: '1' } })
    expect(clone.exitCode).toBe(1)
    expect(clone.stderr).toMatch(want)
    const pull = await host.run(['pull', KNOWN_IMAGES.sequoiaBase], { env: { TART_SIM_DISK_FULL: '1' } })
    expect(pull.exitCode).toBe(1)
    expect(pull.stdout).toMatch(/pulling disk \(22\.1 GB compressed\)\.\.\.\n0%\n/)
    expect(pull.stderr).toMatch(want)
    expect((await tart('list', '--source', 'oci', '-q')).stdout).toBe('')
    rmSync(join(host.tartHome, 'tmp'), { recursive: true, force: true })
  })
})
