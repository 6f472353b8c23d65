/**
 * Test helper: CAL's VM service wired to a simulated Tart host, with a RemoteExec built on ssh2 directly
 * (password admin/admin, as the sim guests accept), plus the CLI context over the same handlers.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Client } from 'ssh2'
import type { CommandHandlers } from '../../src/shared/api'
import { defaultSettings, type Settings } from '../../src/shared/settings'
import type { Task } from '../../src/shared/task'
import type { VmInfo } from '../../src/shared/vm'
import { EngineEvents } from '../../src/core/events'
import type { RemoteExec } from '../../src/core/git/remote-exec'
import { TaskManager } from '../../src/core/tasks/tasks'
import { createVmService, vmHandlers, type VmService, type VmServiceDeps } from '../../src/core/vms/handlers'
import { SshPool } from '../../src/core/ssh/pool'
import { createTerminalService, terminalHandlers } from '../../src/core/terminal/handlers'
import { agentHandlers } from '../../src/core/agent/handlers'
import { runCli } from '../../src/cli/main'
import type { SimHost } from '../sim/harness'

/** One non-PTY exec over a fresh ssh2 connection. */
export function ssh2Exec(target: (vm: string) => Promise<{ host: string; port: number }>): RemoteExec {
  return async (vm, command, opts = {}) => {
    const { host, port } = await target(vm)
    const client = new Client()
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject)
      client.connect({ host, port, username: 'admin', password: 'admin', readyTimeout: 10_000 })
    })
    try {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`remote command timed out in ${vm}`)), opts.timeoutMs ?? 30_000)
        client.exec(command, (err, stream) => {
          if (err) return reject(err)
          let stdout = ''
          let stderr = ''
          let code = -1
          stream.on('data', (d: Buffer) => (stdout += d.toString()))
          stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
          stream.on('exit', (c: number | null) => (code = c ?? -1))
          stream.on('close', () => {
            clearTimeout(timer)
            resolve({ stdout, stderr, code })
          })
        })
      })
    } finally {
      client.end()
    }
  }
}

export interface SimEngine {
  calHome: string
  svc: VmService
  /** The VM verbs, and the terminal ones over CAL's own SSH pool (what `cal stop` asks about running programs). */
  handlers: Pick<CommandHandlers, keyof ReturnType<typeof vmHandlers> | keyof ReturnType<typeof terminalHandlers> | keyof ReturnType<typeof agentHandlers>>
  events: EngineEvents
  tasks: Task[]
  vmEmits: VmInfo[][]
  /** Each list of running VMs the VM list leaves out, as emitted. */
  unlistedEmits: string[][]
  settings: Settings
  exec: RemoteExec
  /** Runs `cal ARGS` in-process against this engine; returns exit code and output. */
  cal(args: string[], io?: { isTTY?: boolean; answer?: boolean }): Promise<{ code: number; stdout: string; stderr: string }>
  dispose(): Promise<void>
}

/** The built `cal` command, for tests that run it as its own process. */
export const BUILT_CAL = resolve(__dirname, '../../out/cli/cal.js')

/** Fails with what to do when `cal` has not been built (npm test builds it first). */
export function requireBuiltCal(): void {
  if (!existsSync(BUILT_CAL)) throw new Error('out/cli/cal.js is missing: run `npm run build` first (npm test does)')
}

export async function createSimEngine(host: SimHost, extra: Partial<VmServiceDeps> = {}): Promise<SimEngine> {
  const calHome = await mkdtemp(join(tmpdir(), 'cal-home-'))
  const events = new EngineEvents()
  const taskLog: Task[] = []
  const vmEmits: VmInfo[][] = []
  const unlistedEmits: string[][] = []
  const settings = defaultSettings()
  const tasks = new TaskManager((t) => {
    taskLog.push(t)
    events.emit('tasks:updated', t)
  })
  let svc: VmService | null = null
  let pool: SshPool | null = null
  const exec = ssh2Exec((vm) => svc!.sshTarget(vm))
  svc = createVmService({
    calHome,
    tartPath: host.tartPath,
    env: { ...process.env, ...host.env },
    tasks,
    emitVms: (v) => {
      vmEmits.push(v)
      events.emit('vms:changed', v)
    },
    emitUnlisted: (names) => unlistedEmits.push(names),
    exec,
    settings: () => settings,
    timing: { ipWaitSeconds: 30, sshWaitMs: 30_000, shutdownGraceMs: 10_000, suspendWaitMs: 30_000 },
    // As the engine does (src/core/engine.ts): a new VM is pinned afresh.
    onCreated: (vm) => pool!.repinOnCreate(vm),
    // The simulated images claim real sizes (22 GB and up) and take a few KB: measured against this machine's own
    // disk, a pull's space check would pass or fail with whatever else the disk holds. Tests of that check say how
    // much is free.
    freeSpace: async () => 500e9,
    ...extra,
  })
  pool = new SshPool({ calHome, resolveTarget: (vm) => svc!.sshTarget(vm), credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }) })
  const terminals = createTerminalService({ pool, emit: (e, p) => events.emit(e, p as never), calHome })
  const agent = agentHandlers({
    terminals,
    vmState: (vm) => svc!.get(vm),
    busyWith: (vm) => svc!.busyWith(vm),
    takeSessionSnapshot: (vm) => svc!.takeSessionSnapshot(vm),
    settings: () => settings,
    lastSessionSnapshotAt: async (vm) => (await svc!.get(vm)).lastSessionSnapshotAt,
    exec,
  })
  const handlers = { ...vmHandlers(svc), ...terminalHandlers(terminals), ...agent }
  return {
    calHome,
    svc,
    handlers,
    events,
    tasks: taskLog,
    vmEmits,
    unlistedEmits,
    settings,
    exec,
    async cal(args, io = {}) {
      let stdout = ''
      let stderr = ''
      const code = await runCli(
        args,
        { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: io.isTTY ?? false, confirm: async () => io.answer ?? false },
        async () => ({ handlers: handlers as CommandHandlers, events, calHome }),
      )
      return { code, stdout, stderr }
    },
    async dispose() {
      await terminals.dispose()
      await pool.dispose()
      await rm(calHome, { recursive: true, force: true })
    },
  }
}

/** Stops every VM still running under the host (the engine starts `tart run` detached, outside the harness). */
export async function stopEverything(host: SimHost): Promise<void> {
  const r = await host.run(['list', '--format', 'json', '--source', 'local'])
  const list = r.exitCode === 0 ? (JSON.parse(r.stdout) as { Name: string; State: string }[]) : []
  await Promise.all(list.filter((v) => v.State === 'running').map((v) => host.run(['stop', '--timeout', '5', v.Name])))
}

/**
 * A `tart` for faults the simulator has none for: it execs the simulated tart, except that `tart VERB NAME…` fails
 * the way Tart does (stderr, exit 1) while {@link failTart} lists NAME for VERB, or dies of SIGINT (as a Ctrl-C on
 * the terminal ends it) while {@link interruptTart} does, or takes longer while {@link slowTart} does. Everything else is
 * the real sim.
 */
export async function faultyTart(host: SimHost): Promise<string> {
  // Inside the simulated host's TART_HOME, which its cleanup removes (a folder of its own in /tmp was left behind).
  const dir = await mkdtemp(join(host.tartHome, 'cal-faulty-tart-'))
  const path = join(dir, 'tart')
  const script = [
    '#!/bin/sh',
    'f="$TART_HOME/cal-test-fail/$1"',
    'if [ -f "$f" ] && grep -qxF -- "$2" "$f"; then',
    '  if [ "$1" = suspend ]; then echo "Failed to suspend the VM: failed to send SIGUSR1 signal to the \\"tart run\\" process running VM \\"$2\\"" >&2',
    '  else echo "Error: Error Domain=NSCocoaErrorDomain Code=513 \\"$2 couldn\'t be moved because you don\'t have permission to access it.\\"" >&2; fi',
    '  exit 1',
    'fi',
    's="$TART_HOME/cal-test-slow/$1"',
    'if [ -f "$s" ] && grep -qxF -- "$2" "$s"; then sleep "$(cat "$s.seconds")"; fi',
    'i="$TART_HOME/cal-test-interrupt/$1"',
    'if [ -f "$i" ] && grep -qxF -- "$2" "$i"; then kill -"$(cat "$i.signal" 2>/dev/null || echo INT)" $$; sleep 5; exit 1; fi',
    `exec '${host.tartPath}' "$@"`,
    '',
  ].join('\n')
  await writeFile(path, script)
  await chmod(path, 0o755)
  return path
}

/** Makes `tart VERB NAME` fail for each of `names` under the {@link faultyTart} wrapper; an empty list clears it. */
export function failTart(host: SimHost, verb: string, names: string[]): Promise<void> {
  return listFor(host, 'cal-test-fail', verb, names)
}

/** Makes `tart VERB NAME` die of SIGINT (or `signal`) for each of `names` under the {@link faultyTart} wrapper. */
export async function interruptTart(host: SimHost, verb: string, names: string[], signal: 'INT' | 'HUP' | 'TERM' = 'INT'): Promise<void> {
  await listFor(host, 'cal-test-interrupt', verb, names)
  await writeFile(join(host.tartHome, 'cal-test-interrupt', `${verb}.signal`), signal)
}

/** Makes `tart VERB NAME` wait `seconds` before it runs, for each of `names` under the {@link faultyTart} wrapper. */
export async function slowTart(host: SimHost, verb: string, names: string[], seconds: number): Promise<void> {
  await listFor(host, 'cal-test-slow', verb, names)
  await writeFile(join(host.tartHome, 'cal-test-slow', `${verb}.seconds`), String(seconds))
}

async function listFor(host: SimHost, folder: string, verb: string, names: string[]): Promise<void> {
  const dir = join(host.tartHome, folder)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, verb), names.map((n) => `${n}\n`).join(''))
}
