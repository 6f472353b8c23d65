/**
 * Test harness for the simulated Tart host (test/sim/README.md).
 *
 * A {@link SimHost} is a private TART_HOME plus helpers to run the simulated `tart`, boot VMs whose guests are
 * real OpenSSH servers on 127.0.64.N:22 (user `admin`, password `admin`), and tear everything down again.
 *
 * ```ts
 * const host = await createSimHost()
 * const vm = await host.bootVm('dev')            // clone sequoia-base → dev, `tart run dev`, wait for ip + ssh
 * const { stdout } = await sshExec(vm, 'sw_vers -productVersion')
 * await host.cleanup()                           // stops every VM, kills leftovers, removes TART_HOME
 * ```
 *
 * Booting guests needs root (mount/PID namespaces, port 22); `tart` itself works for every other verb as any user.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa, type ResultPromise } from 'execa'
import { Client, type ConnectConfig } from 'ssh2'

const here = dirname(fileURLToPath(import.meta.url))

/** Absolute path of the simulated `tart` executable. */
export const TART_PATH = join(here, 'bin', 'tart')
/** Absolute path of the `tart-sim` helper (setup, drop, fault, cleanup, demo). */
export const TART_SIM_PATH = join(here, 'bin', 'tart-sim')

/** Remote images the fake registry serves; anything else fails like a registry 404. */
export const KNOWN_IMAGES = {
  sequoiaBase: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
  sequoiaVanilla: 'ghcr.io/cirruslabs/macos-sequoia-vanilla:latest',
  sequoiaXcode: 'ghcr.io/cirruslabs/macos-sequoia-xcode:16',
  tahoeBase: 'ghcr.io/cirruslabs/macos-tahoe-base:latest',
  ubuntu: 'ghcr.io/cirruslabs/ubuntu:latest',
} as const

/** Default image used by {@link SimHost.bootVm}. */
export const DEFAULT_IMAGE = KNOWN_IMAGES.sequoiaBase

/** Outcome of one `tart` invocation (never throws on a non-zero exit). */
export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Fault keys understood by the simulator (see README "Faults"). Written to `vms/NAME/sim-faults.json`. */
export interface SimFaults {
  /** Seconds between `tart run` and the guest's sshd starting (read when `run` starts). */
  boot_seconds?: number
  /** Seconds `tart run` waits before taking the VM's lock: Tart still reports the VM stopped meanwhile. */
  lock_delay_seconds?: number
  /** The guest never gets an IP (`tart ip` fails); re-read on every `tart ip`. */
  no_ip?: boolean
  /** The guest dies this many seconds after boot; `run` prints the error line and exits 0. Re-read while running. */
  die_after?: number
  /** Error text printed after "guest has stopped the virtual machine due to error: ". */
  die_message?: string
  /** `tart clone` of this VM fails half-way and leaves its temp dir under tmp/. */
  clone_fail?: boolean
  /** `tart clone` of this VM fails with the volume-out-of-space error. */
  disk_full?: boolean
}

/** The execa child of `tart run` (options: reject false, all + buffer on, stdin ignored). */
export type RunProcess = ResultPromise<{
  env: Record<string, string>
  reject: false
  all: true
  buffer: true
  stdin: 'ignore'
}>

/** Where and how to reach a booted guest over SSH; can be passed straight to {@link sshExec}. */
export interface SshTarget {
  host: string
  port: number
  username: string
  password: string
}

/** A VM started by {@link SimHost.startVm} / {@link SimHost.bootVm}. */
export interface SimVm extends SshTarget {
  /** VM name in this host's TART_HOME. */
  name: string
  /** Guest address (127.0.64.N); empty until {@link SimHost.waitForIp} succeeded. */
  ip: string
  /** The long-lived `tart run` child process (resolves when the VM stops; never rejects). */
  process: RunProcess
  /** Everything `tart run` printed so far (stdout and stderr interleaved). */
  output(): string
  /** `tart stop NAME` and wait for the `tart run` process to exit. */
  stop(): Promise<RunResult>
}

export interface SimHostOptions {
  /** Use this directory as TART_HOME instead of a fresh temp dir (it is not deleted by cleanup()). */
  tartHome?: string
  /** Extra environment for every `tart` call. */
  env?: Record<string, string>
  /** TART_SIM_BOOT_SECONDS for VMs started by this host (default 1). */
  bootSeconds?: number
  /** TART_SIM_PULL_SECONDS for pulls (default 0.3). */
  pullSeconds?: number
}

export interface BootOptions {
  /** Image to clone into the VM first (default {@link DEFAULT_IMAGE}); `null` boots an existing VM as it is. */
  image?: string | null
  /** Extra `tart run` flags, e.g. `['--suspendable']`. `--no-graphics` is always passed. */
  runArgs?: string[]
  /** Extra environment for this `tart run` only (e.g. fault variables). */
  env?: Record<string, string>
  /** Give up after this many seconds waiting for the IP (default 30). */
  waitSeconds?: number
}

export interface SimHost {
  /** Path of the simulated `tart` ({@link TART_PATH}). */
  tartPath: string
  /** Path of `tart-sim` ({@link TART_SIM_PATH}). */
  simToolPath: string
  /** This host's TART_HOME. */
  tartHome: string
  /** Environment to pass to anything that runs `tart` against this host (includes TART_HOME, CI=1). */
  env: Record<string, string>
  /** Run `tart ARGS...` to completion. */
  run(args: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult>
  /** Run `tart-sim ARGS...` to completion (TART_HOME already set). */
  sim(args: string[]): Promise<RunResult>
  /** Start `tart run --no-graphics NAME` in the background and return at once (no waiting). */
  startVm(name: string, opts?: Pick<BootOptions, 'runArgs' | 'env'>): SimVm
  /** Poll `tart ip --wait` until the guest has an address; fills `vm.ip`. Throws with the run output on failure. */
  waitForIp(vm: SimVm, waitSeconds?: number): Promise<string>
  /** Clone (unless `image: null`), start and wait until SSH answers. */
  bootVm(name: string, opts?: BootOptions): Promise<SimVm>
  /** Stop every VM started through this host and wait for their `tart run` processes. */
  stopAll(): Promise<void>
  /** stopAll(), `tart-sim cleanup`, then delete TART_HOME if this host created it. Idempotent. */
  cleanup(): Promise<void>
  /** `TART_HOME/vms/NAME`. */
  vmPath(name: string): string
  /** The guest's disk as seen from the host: `TART_HOME/vms/NAME/guest-home` (= /home/admin in the guest). */
  guestHome(name: string): string
  /** Replace `vms/NAME/sim-faults.json` (empty object clears every file fault). */
  setFaults(name: string, faults: SimFaults): Promise<void>
  /** Parsed `~/.cal-sim/calls.log` of the guest: argv of every shim call (brew, security, sudo...). */
  readCalls(name: string): Promise<string[][]>
}

const settle = (p: Promise<unknown>): Promise<void> => p.then(() => undefined, () => undefined)

/** Create a simulated Tart host with its own TART_HOME. Call `cleanup()` in `afterAll`. */
export async function createSimHost(options: SimHostOptions = {}): Promise<SimHost> {
  const ownsHome = !options.tartHome
  const tartHome = options.tartHome ?? (await mkdtemp(join(tmpdir(), 'tart-sim-')))
  const env: Record<string, string> = {
    TART_HOME: tartHome,
    CI: '1',
    TART_SIM_FAST_PROGRESS: '1',
    TART_SIM_BOOT_SECONDS: String(options.bootSeconds ?? 1),
    TART_SIM_PULL_SECONDS: String(options.pullSeconds ?? 0.3),
    ...options.env,
  }
  const vms = new Map<string, SimVm>()
  let cleaned = false

  const run = async (args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}) => {
    const r = await execa(TART_PATH, args, {
      env: { ...env, ...opts.env },
      reject: false,
      timeout: opts.timeoutMs ?? 60_000,
      stripFinalNewline: false,
    })
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }
  }

  const host: SimHost = {
    tartPath: TART_PATH,
    simToolPath: TART_SIM_PATH,
    tartHome,
    env,
    run,
    async sim(args) {
      const r = await execa(TART_SIM_PATH, args, { env, reject: false, stripFinalNewline: false })
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }
    },
    startVm(name, opts = {}) {
      const child = execa(TART_PATH, ['run', '--no-graphics', ...(opts.runArgs ?? []), name], {
        env: { ...env, ...opts.env },
        reject: false,
        all: true,
        buffer: true,
        stdin: 'ignore',
      })
      let out = ''
      child.all?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
      })
      const vm: SimVm = {
        name,
        ip: '',
        host: '',
        port: 22,
        username: 'admin',
        password: 'admin',
        process: child,
        output: () => out,
        async stop() {
          const r = await run(['stop', '--timeout', '10', name])
          await settle(child)
          return r
        },
      }
      vms.set(name, vm)
      return vm
    },
    async waitForIp(vm, waitSeconds = 30) {
      const deadline = Date.now() + waitSeconds * 1000
      let exited = false
      void vm.process.then(() => {
        exited = true
      })
      while (Date.now() < deadline) {
        if (exited) throw new Error(`tart run ${vm.name} exited before the guest got an IP:\n${vm.output()}`)
        const r = await run(['ip', '--wait', '2', vm.name])
        if (r.exitCode === 0) {
          vm.ip = r.stdout.trim()
          vm.host = vm.ip
          return vm.ip
        }
      }
      throw new Error(`no IP for ${vm.name} after ${waitSeconds}s; tart run output:\n${vm.output()}`)
    },
    async bootVm(name, opts = {}) {
      const image = opts.image === undefined ? DEFAULT_IMAGE : opts.image
      if (image !== null) {
        const r = await run(['clone', image, name])
        if (r.exitCode !== 0) throw new Error(`tart clone ${image} ${name} failed: ${r.stderr || r.stdout}`)
      }
      const vm = host.startVm(name, opts)
      await host.waitForIp(vm, opts.waitSeconds ?? 30)
      return vm
    },
    async stopAll() {
      const running = [...vms.values()]
      await Promise.all(
        running.map(async (vm) => {
          if (vm.process.exitCode === null) await run(['stop', '--timeout', '10', vm.name])
          await settle(vm.process)
        }),
      )
      vms.clear()
    },
    async cleanup() {
      if (cleaned) return
      cleaned = true
      await host.stopAll()
      await host.sim(['cleanup'])
      if (ownsHome) await rm(tartHome, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
    },
    vmPath: (name) => join(tartHome, 'vms', name),
    guestHome: (name) => join(tartHome, 'vms', name, 'guest-home'),
    async setFaults(name, faults) {
      await writeFile(join(tartHome, 'vms', name, 'sim-faults.json'), JSON.stringify(faults))
    },
    async readCalls(name) {
      const log = join(tartHome, 'vms', name, 'guest-home', '.cal-sim', 'calls.log')
      const text = await readFile(log, 'utf8').catch(() => '')
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
    },
  }
  return host
}

/** Open an ssh2 connection to a guest (password auth unless `extra` supplies e.g. a privateKey). */
export function connectSsh(target: SshTarget, extra: Partial<ConnectConfig> = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client()
    client
      .once('ready', () => resolve(client))
      .once('error', reject)
      .connect({
        host: target.host,
        port: target.port,
        username: target.username,
        password: target.password,
        readyTimeout: 10_000,
        ...extra,
      })
  })
}

/** Result of {@link sshExec}. `code` is null when the connection dropped before an exit status arrived. */
export interface ExecResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Run one command in the guest over a fresh SSH connection (non-PTY exec, like CAL's engine does). */
export async function sshExec(target: SshTarget, command: string, opts: { stdin?: string } = {}): Promise<ExecResult> {
  const client = await connectSsh(target)
  try {
    return await new Promise<ExecResult>((resolve, reject) => {
      client.exec(command, (err, stream) => {
        if (err) return reject(err)
        let stdout = ''
        let stderr = ''
        let code: number | null = null
        stream.on('data', (d: Buffer) => (stdout += d.toString()))
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        stream.on('exit', (c: number | null) => (code = c))
        stream.on('close', () => resolve({ code, stdout, stderr }))
        if (opts.stdin !== undefined) stream.end(opts.stdin)
        else stream.end()
      })
      client.once('close', () => resolve({ code: null, stdout: '', stderr: 'connection closed' }))
    })
  } finally {
    client.end()
  }
}
