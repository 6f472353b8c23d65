// Real guests: run/ip/stop/suspend, two VMs side by side, the macOS VM limit, clone → run → files, guest shims.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectSsh, createSimHost, KNOWN_IMAGES, sshExec, type SimHost, type SimVm } from './harness'

const isRoot = process.getuid?.() === 0
const T = 60_000

/** Host PIDs whose command line contains `marker` (to prove guest processes are really gone). */
function hostProcesses(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
  return out.split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'))
}

/** Open a PTY login shell, send `input`, and collect output until the channel closes. */
async function ptyShell(vm: SimVm, input: string): Promise<string> {
  const client = await connectSsh(vm)
  try {
    return await new Promise((resolve, reject) => {
      client.shell({ term: 'xterm', rows: 24, cols: 120 }, (err, stream) => {
        if (err) return reject(err)
        let out = ''
        stream.on('data', (d: Buffer) => (out += d.toString()))
        stream.on('close', () => resolve(out))
        stream.write(input)
      })
    })
  } finally {
    client.end()
  }
}

describe.skipIf(!isRoot)('simulated VMs', () => {
  let host: SimHost
  let vm1: SimVm
  let vm2: SimVm

  beforeAll(async () => {
    host = await createSimHost()
  })
  afterAll(async () => {
    await host?.cleanup()
  })

  it('run prints nothing, shows running at once, and gets an IP only after the boot delay', async () => {
    expect((await host.run(['clone', KNOWN_IMAGES.sequoiaBase, 'vm1'])).exitCode).toBe(0)
    vm1 = host.startVm('vm1', { env: { TART_SIM_BOOT_SECONDS: '2' } })
    await new Promise((r) => setTimeout(r, 400))
    const list = JSON.parse((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout)
    expect(list).toEqual([expect.objectContaining({ Name: 'vm1', State: 'running', Running: true })])
    expect(await host.run(['ip', 'vm1'])).toEqual({ exitCode: 1, stdout: '', stderr: 'no IP address found\n' })
    const ip = await host.waitForIp(vm1)
    expect(ip).toMatch(/^127\.0\.64\.(\d+)$/)
    expect(ip).not.toBe('127.0.64.1')
    expect(vm1.output()).toBe('')
  }, T)

  it('the guest is an sshd where admin/admin lands in its own home, hostname and PATH', async () => {
    const r = await sshExec(vm1, 'id -un; echo $HOME; pwd; hostname; echo $PATH; echo hi > /tmp/t && cat /tmp/t')
    expect(r.code).toBe(0)
    const [user, home, pwd, hostname, path, tmp] = r.stdout.trim().split('\n')
    expect([user, home, pwd, hostname, tmp]).toEqual(['admin', '/home/admin', '/home/admin', 'vm1', 'hi'])
    expect(path!.startsWith('/usr/local/tart-sim/bin:/opt/homebrew/bin:')).toBe(true)
    await sshExec(vm1, 'echo from-vm1 > ~/note.txt')
    expect(readFileSync(join(host.guestHome('vm1'), 'note.txt'), 'utf8')).toBe('from-vm1\n')
    expect(existsSync('/tmp/t') && readFileSync('/tmp/t', 'utf8') === 'hi\n').toBe(false)
  }, T)

  it('a PTY login shell keeps the macOS-like PATH', async () => {
    const out = await ptyShell(vm1, 'echo "P=$PATH"; exit\n')
    expect(out).toMatch(/P=\/usr\/local\/tart-sim\/bin:\/opt\/homebrew\/bin:/)
  }, T)

  it('key authentication works once a key is in authorized_keys', async () => {
    const keys = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }) // ssh2 mis-encodes ~1 ed25519 key in 200
    const add = await sshExec(vm1, 'mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys', { stdin: keys.public + '\n' })
    expect(add.code).toBe(0)
    const client = await connectSsh({ ...vm1, password: '' }, { password: undefined, privateKey: keys.private })
    client.end()
  }, T)

  it('a second run of a running VM and delete of a running VM are refused', async () => {
    expect(await host.run(['run', 'vm1'])).toEqual({ exitCode: 2, stdout: '', stderr: 'VM "vm1" is already running!\n' })
    expect(await host.run(['delete', 'vm1'])).toEqual({ exitCode: 1, stdout: '', stderr: 'VM "vm1" is running\n' })
  }, T)

  it('two VMs side by side have separate addresses, files and tmux servers', async () => {
    vm2 = await host.bootVm('vm2', { image: KNOWN_IMAGES.sequoiaBase })
    expect(vm2.ip).not.toBe(vm1.ip)
    expect((await sshExec(vm2, 'cat ~/note.txt')).code).not.toBe(0)
    expect((await sshExec(vm1, 'tmux new-session -d -s only-in-vm1 "sleep 4242" && tmux ls')).stdout).toMatch(/^only-in-vm1:/)
    const ls2 = await sshExec(vm2, 'tmux ls')
    expect(ls2.code).not.toBe(0)
    expect(ls2.stderr).toMatch(/no server running|error connecting to \/tmp\/tmux-\d+\/default/)
    expect((await sshExec(vm2, '/opt/homebrew/bin/tmux new-session -d -s only-in-vm2 && tmux ls')).stdout).toMatch(/^only-in-vm2:/)
    expect((await sshExec(vm1, 'tmux ls')).stdout).not.toMatch(/only-in-vm2/)
  }, T)

  it('refuses a third macOS VM after taking the lock, but not a Linux VM', async () => {
    await host.run(['clone', KNOWN_IMAGES.sequoiaBase, 'vm3'])
    const third = host.startVm('vm3')
    const r = await third.process
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toBe('The number of VMs exceeds the system limit (other running VMs: vm1, vm2)')
    expect(JSON.parse((await host.run(['get', 'vm3', '--format', 'json'])).stdout).State).toBe('stopped')
    await host.run(['create', '--linux', 'lin'])
    const lin = await host.bootVm('lin', { image: null })
    expect((await sshExec(lin, 'hostname')).stdout).toBe('lin\n')
    const stop = await lin.stop()
    expect(stop.exitCode).toBe(0)
    expect((await lin.process).stdout).toBe('Stopping VM...')
  }, T)

  it('guest shims for macOS tools record every call; agents answer interactively', async () => {
    const script = [
      'brew install gh', 'brew list gh', 'security unlock-keychain -p admin login.keychain',
      'defaults write com.example.cal greeting hello', 'defaults read com.example.cal greeting',
      'sw_vers -productVersion', 'scutil --get ComputerName', 'sudo -n true && sudo whoami',
      '/opt/homebrew/bin/tmux -V', 'printf "hello\\n/exit\\n" | claude', 'opencode --version', 'agent -p hi',
    ].join(' && ')
    const r = await sshExec(vm2, script)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/==> Installing gh\ngh\nhello\n15\.5\nvm2\nadmin\ntmux \d/)
    expect(r.stdout).toMatch(/> echo: hello\n> bye\n/)
    expect(r.stdout).toMatch(/opencode, tart-sim stand-in\)\necho: hi\n$/)
    const calls = await host.readCalls('vm2')
    expect(calls).toContainEqual(['brew', 'install', 'gh'])
    expect(calls).toContainEqual(['security', 'unlock-keychain', '-p', 'admin', 'login.keychain'])
    expect(calls).toContainEqual(['defaults', 'write', 'com.example.cal', 'greeting', 'hello'])
    expect(calls).toContainEqual(['sudo', 'whoami'])
    expect(calls).toContainEqual(['claude'])
  }, T)

  it('stop ends the guest: run prints "Stopping VM...", tmux and ssh-started processes are gone', async () => {
    await sshExec(vm1, 'nohup setsid sleep 4243 >/dev/null 2>&1 &')
    expect(hostProcesses('sleep 4242').length).toBeGreaterThan(0)
    expect(hostProcesses('sleep 4243').length).toBeGreaterThan(0)
    expect(await host.run(['stop', 'vm1'])).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    const r = await vm1.process
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Stopping VM...')
    expect(hostProcesses('sleep 4242')).toEqual([])
    expect(hostProcesses('sleep 4243')).toEqual([])
    expect(hostProcesses('only-in-vm1')).toEqual([])
    expect(JSON.parse((await host.run(['get', 'vm1', '--format', 'json'])).stdout).State).toBe('stopped')
  }, T)

  it('clone → run → files present; a snapshot restores deleted files and keeps the host key', async () => {
    await host.run(['clone', 'vm1', 'snap'])
    const key1 = readFileSync(join(host.vmPath('vm1'), 'sim-hostkeys', 'ssh_host_ed25519_key.pub'), 'utf8')
    vm1 = await host.bootVm('vm1', { image: null })
    expect((await sshExec(vm1, 'rm ~/note.txt && ls ~/note.txt')).code).not.toBe(0)
    await vm1.stop()
    expect((await host.run(['clone', 'snap', 'vm1'])).exitCode).toBe(0)
    vm1 = await host.bootVm('vm1', { image: null })
    expect((await sshExec(vm1, 'cat ~/note.txt')).stdout).toBe('from-vm1\n')
    let seen = ''
    const client = await connectSsh(vm1, { hostVerifier: (key: Buffer) => ((seen = key.toString('base64')), true) })
    client.end()
    expect(key1.split(' ')[1]).toBe(seen)
  }, T)

  it('suspend with --suspendable saves state; the next run restores it', async () => {
    await vm1.stop()
    vm1 = await host.bootVm('vm1', { image: null, runArgs: ['--suspendable'] })
    expect(await host.run(['suspend', 'vm1'])).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    const r = await vm1.process
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('pausing VM to take a snapshot...\ncreating a snapshot...\nsnapshot created successfully! shutting down the VM...')
    expect(JSON.parse((await host.run(['get', 'vm1', '--format', 'json'])).stdout).State).toBe('suspended')
    vm1 = await host.bootVm('vm1', { image: null })
    expect(vm1.output()).toBe('restoring VM state from a snapshot...\nresuming VM...\n')
    expect(existsSync(join(host.vmPath('vm1'), 'state.vzvmsave'))).toBe(false)
    expect((await sshExec(vm1, 'cat ~/note.txt')).stdout).toBe('from-vm1\n')
  }, T)

  it('suspend without --suspendable kills the VM with exit 1', async () => {
    await vm1.stop() // the restored run above was suspendable automatically, as in Tart
    vm1 = await host.bootVm('vm1', { image: null })
    expect((await host.run(['suspend', 'vm1'])).exitCode).toBe(0)
    const r = await vm1.process
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(/^Failed to suspend the VM: /)
    expect(JSON.parse((await host.run(['get', 'vm1', '--format', 'json'])).stdout).State).toBe('stopped')
  }, T)

  it('SIGUSR2 asks the guest to stop; a guest shutdown also ends run with exit 0', async () => {
    vm1 = await host.bootVm('vm1', { image: null })
    vm1.process.kill('SIGUSR2')
    const r = await vm1.process
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Requesting guest OS to stop...\nguest has stopped the virtual machine')
    vm1 = await host.bootVm('vm1', { image: null })
    await sshExec(vm1, 'sudo shutdown -h now')
    const s = await vm1.process
    expect(s.exitCode).toBe(0)
    expect(s.stdout).toBe('guest has stopped the virtual machine')
  }, T)

  it('stop --timeout kills a run process that does not react to SIGINT', async () => {
    const stuck = host.startVm('vm1')
    await host.waitForIp(stuck)
    const pid = stuck.process.pid!
    process.kill(pid, 'SIGSTOP')
    const t0 = Date.now()
    expect(await host.run(['stop', '--timeout', '1', 'vm1'])).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900)
    const r = await stuck.process
    expect(r.signal).toBe('SIGKILL')
    // the guest follows its runner: nothing listens on the address any more
    await new Promise((res) => setTimeout(res, 500))
    expect((await sshExec(stuck, 'true').catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }))).code).toBe(-1)
  }, T)

  it('the runner file layout matches Tart: config.json is the lock, no stray runtime file after stop', async () => {
    await host.stopAll()
    expect(existsSync(join(host.vmPath('vm2'), '.sim-run', 'runtime.json'))).toBe(false)
    writeFileSync(join(host.vmPath('vm2'), 'x'), '')
    expect(JSON.parse((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout).every(
      (e: { State: string }) => e.State !== 'running')).toBe(true)
  }, T)
})
