// Fault injection on running guests: slow boot, no IP, a guest that dies, dropped connections, cleanup.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectSsh, createSimHost, sshExec, type SimHost } from './harness'

const isRoot = process.getuid?.() === 0
const T = 60_000

describe.skipIf(!isRoot)('guest faults', () => {
  let host: SimHost

  beforeAll(async () => {
    host = await createSimHost()
    expect((await host.run(['clone', 'ghcr.io/cirruslabs/macos-sequoia-base:latest', 'slow'])).exitCode).toBe(0)
  })
  afterAll(async () => {
    await host?.cleanup()
  })

  it('a slow boot (TART_SIM_BOOT_SECONDS) delays the IP; ip --wait polls once per second', async () => {
    const t0 = Date.now()
    const vm = host.startVm('slow', { env: { TART_SIM_BOOT_SECONDS: '3' } })
    const early = await host.run(['ip', '--wait', '1', 'slow'])
    expect(early).toEqual({ exitCode: 1, stdout: '', stderr: 'no IP address found\n' })
    const ip = await host.run(['ip', '--wait', '10', 'slow'])
    expect(ip.exitCode).toBe(0)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000)
    vm.ip = vm.host = ip.stdout.trim()
    expect((await sshExec(vm, 'echo up')).stdout).toBe('up\n')
    await vm.stop()
  }, T)

  it('a guest that never gets an IP (env), and no_ip flipped on a running VM (file)', async () => {
    const never = host.startVm('slow', { env: { TART_SIM_NO_IP: '1', TART_SIM_BOOT_SECONDS: '0' } })
    expect(await host.run(['ip', '--wait', '2', 'slow'])).toEqual({ exitCode: 1, stdout: '', stderr: 'no IP address found\n' })
    await never.stop()
    const vm = await host.bootVm('slow', { image: null })
    await host.setFaults('slow', { no_ip: true })
    expect((await host.run(['ip', 'slow'])).exitCode).toBe(1)
    await host.setFaults('slow', {})
    expect((await host.run(['ip', 'slow'])).stdout).toBe(`${vm.ip}\n`)
    await vm.stop()
  }, T)

  it('a guest that dies after N seconds: run prints the error line and exits 0', async () => {
    await host.run(['clone', 'ghcr.io/cirruslabs/macos-sequoia-base:latest', 'dies'])
    const t0 = Date.now()
    const vm = host.startVm('dies', { env: { TART_SIM_DIE_AFTER: '1', TART_SIM_BOOT_SECONDS: '0.5' } })
    const r = await vm.process
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500)
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^guest has stopped the virtual machine due to error: Error Domain=VZErrorDomain/)
    expect(JSON.parse((await host.run(['get', 'dies', '--format', 'json'])).stdout).State).toBe('stopped')

    const vm2 = await host.bootVm('dies', { image: null })
    await host.setFaults('dies', { die_after: 0, die_message: 'kernel panic' })
    const r2 = await vm2.process
    expect(r2.stdout).toBe('guest has stopped the virtual machine due to error: kernel panic')
    await host.setFaults('dies', {})
    await expect(connectSsh(vm2)).rejects.toThrow()
  }, T)

  it('disk_full flipped on a running VM makes df in the guest report a full disk', async () => {
    const vm = await host.bootVm('slow', { image: null })
    expect((await sshExec(vm, 'df -h /')).stdout).not.toMatch(/100% \/$/m)
    await host.setFaults('slow', { disk_full: true })
    await new Promise((r) => setTimeout(r, 600))
    expect((await sshExec(vm, 'df -h /')).stdout).toMatch(/ 0 +100% \/$/m)
    const clone = await host.run(['clone', 'slow', 'other'])
    expect(clone.exitCode).toBe(1)
    expect(clone.stderr).toMatch(/volume is out of space/)
    await host.setFaults('slow', {})
    await vm.stop()
  }, T)

  it('tart-sim drop kills every SSH connection; sshd keeps listening and tmux survives', async () => {
    const vm = await host.bootVm('slow', { image: null })
    await sshExec(vm, 'tmux new-session -d -s keep "sleep 3131"; tmux send-keys -t keep "" ')
    const client = await connectSsh(vm)
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    await new Promise<void>((resolve, reject) =>
      client.shell((err, stream) => (err ? reject(err) : (stream.write('tmux attach -t keep\n'), resolve()))),
    )
    await new Promise((r) => setTimeout(r, 300))
    const drop = await host.sim(['drop', 'slow'])
    expect(drop.exitCode).toBe(0)
    expect(drop.stdout).toMatch(/^dropped [1-9]\d* sshd session process\(es\)\n$/)
    await closed
    const again = await sshExec(vm, 'tmux has-session -t keep && echo alive')
    expect(again.stdout).toBe('alive\n')
    await vm.stop()
  }, T)

  it('a run process killed with SIGKILL takes its guest down; tart-sim cleanup stops everything', async () => {
    const vm = await host.bootVm('slow', { image: null })
    vm.process.kill('SIGKILL')
    await vm.process
    await new Promise((r) => setTimeout(r, 500))
    await expect(connectSsh(vm)).rejects.toThrow()

    const a = await host.bootVm('slow', { image: null })
    await sshExec(a, 'tmux new-session -d -s left-behind "sleep 3232"')
    const runtime = JSON.parse(readFileSync(join(host.vmPath('slow'), '.sim-run', 'runtime.json'), 'utf8'))
    const cleanup = await host.sim(['cleanup'])
    expect(cleanup.stdout).toBe('stopped slow\n')
    expect((await a.process).stdout).toBe('Stopping VM...')
    expect(existsSync(`/proc/${runtime.guest_pid}`)).toBe(false)
    expect((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout).toMatch(/"State" : "stopped"/)
  }, T)
})
