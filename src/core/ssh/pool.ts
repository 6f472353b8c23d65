import type { Client, ClientChannel } from 'ssh2'
import { CalError } from '../../shared/errors'
import { connectClient } from './connect'
import { answerOnPty, cancelled, commandTimedOut, execOn, isClosed, openExec, seconds, trackExit, type ExecOptions, type ExecResult } from './exec'
import { HostKeyStore } from './host-keys'
import { ensureClientKey } from './keys'
import { guestLocale } from './locale'
import { installKeyScript, KEYCHAIN_PROMPT, UNLOCK_KEYCHAIN_SCRIPT } from './scripts'

export type { ExecResult, RemoteExec } from './exec'

export interface SshCredentials {
  user: string
  /** Used for first contact only (and, on macOS guests, to unlock the login keychain when unlockKeychain). */
  password: string
  unlockKeychain: boolean
}

export interface SshPoolOptions {
  calHome: string
  resolveTarget: (vm: string) => Promise<{ host: string; port: number }>
  credentials: () => SshCredentials
  /** Diagnostics (never carries a password or command text). */
  log?: (line: string) => void
  connectTimeoutMs?: number
  keepaliveIntervalMs?: number
  /** LANG for terminals in the guest (default: guestLocale()). */
  locale?: string
}

export interface ShellOptions {
  cols: number
  rows: number
  /** Run this instead of the login shell (e.g. tmux new-session …), still on a PTY. */
  command?: string
}

interface Entry {
  ready: Promise<Client>
  client: Client | null
  /** Channels open, or being opened, on this connection. */
  channels: number
  /** Most channels this connection may hold at once (lowered if the server refuses one below it). */
  limit: number
}

/**
 * Channels per connection. sshd allows 10 sessions (exec, shell) per connection by default (MaxSessions, as on
 * macOS); CAL stays a little under it (a connection's keychain unlock runs beside its channels) and opens another
 * connection past it.
 */
export const CHANNELS_PER_CONNECTION = 8
/** An extra connection (beyond a VM's first) with no channel left closes after this long. */
const EXTRA_CONNECTION_IDLE_MS = 30_000
/** Connections per VM: 64 terminals and commands at once are plenty; past that, CAL says to close some. */
export const CONNECTIONS_PER_VM = 8

/**
 * SSH connections per VM, opened on first use and shared by exec calls and terminal channels: usually one, more when
 * many terminals are open (see CHANNELS_PER_CONNECTION). First contact logs in with the password, installs CAL's key
 * and pins the host key; every later connection is key-only.
 */
export class SshPool {
  readonly hostKeys: HostKeyStore
  private readonly conns = new Map<string, Entry[]>()
  /** Why the last keychain unlock failed, per VM (see keychainFailure). */
  private readonly keychainFailures = new Map<string, string>()
  private readonly disconnectListeners = new Set<(vm: string) => void>()
  private disposed = false

  constructor(private readonly opts: SshPoolOptions) {
    this.hostKeys = new HostKeyStore(opts.calHome)
  }

  /** A live connection to `vm`, connecting (and bootstrapping) when there is none. */
  async connect(vm: string): Promise<Client> {
    const entry = await this.lease(vm)
    this.release(vm, entry)
    return entry.ready
  }

  /**
   * Run `command` in `vm`. `timeoutMs` is the whole wait, the connection included: a hung VM, whose SSH port takes
   * the connection and then says nothing, times out at the caller's limit, not the connect timeout plus it.
   * A cancel or a timeout while the connection is still being opened answers at once; the connection carries on
   * for later use, and the command never starts.
   */
  exec(vm: string, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const { signal, timeoutMs } = opts
    if (signal?.aborted) return Promise.reject(cancelled())
    const where = opts.where ?? `VM "${vm}"`
    const stopped = new AbortController()
    let connected = false
    const run = this.withChannel(
      vm,
      (c) => {
        connected = true
        return execOn(c, command, { ...opts, where, timeoutMs: undefined, signal: stopped.signal })
      },
      true,
    )
    return new Promise<ExecResult>((resolve, reject) => {
      const stop = (err: CalError) => {
        stopped.abort()
        reject(err)
      }
      const onAbort = () => stop(cancelled())
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () =>
                stop(
                  connected
                    ? commandTimedOut(where, timeoutMs)
                    : new CalError('SSH_TIMEOUT', `${where} did not answer over SSH within ${seconds(timeoutMs)}, so a command there did not run.`, { cli: 'Check that the VM is running and not frozen or overloaded (cal status), then try again.', app: 'Check that the VM is running and not frozen or overloaded, then try again.' }, { timeoutMs }),
                ),
              timeoutMs,
            )
      signal?.addEventListener('abort', onAbort, { once: true })
      run.then(resolve, reject).finally(() => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      })
    })
  }

  /** What a terminal's channel sends besides its command: LANG (see guestLocale). */
  get terminalEnv(): Record<string, string> {
    return { LANG: this.opts.locale ?? guestLocale() }
  }

  /** A PTY channel (TERM=xterm-256color, terminalEnv) running the login shell, or `command` when given. */
  shell(vm: string, opts: ShellOptions): Promise<ClientChannel> {
    const env = this.terminalEnv
    return this.withChannel(vm, (c) => {
      if (opts.command) return openExec(c, opts.command, { cols: opts.cols, rows: opts.rows }, env)
      return new Promise<ClientChannel>((resolve, reject) =>
        c.shell({ term: 'xterm-256color', cols: opts.cols, rows: opts.rows, width: 0, height: 0 }, { env }, (err, ch) => (err ? reject(err) : resolve(trackExit(ch)))),
      )
    })
  }

  /** A raw channel without a PTY (streams bytes exactly as the command writes them). */
  channel(vm: string, command: string): Promise<ClientChannel> {
    return this.withChannel(vm, (c) => openExec(c, command))
  }

  isConnected(vm: string): boolean {
    return (this.conns.get(vm) ?? []).some((e) => e.client != null)
  }

  /** How many connections to `vm` are open or opening (diagnostics and tests). */
  connectionCount(vm: string): number {
    return this.conns.get(vm)?.length ?? 0
  }

  /** Called with the VM name whenever an established connection closes (dropped, VM stopped, disconnect()). */
  onDisconnect(listener: (vm: string) => void): () => void {
    this.disconnectListeners.add(listener)
    return () => this.disconnectListeners.delete(listener)
  }

  /** The "forget this VM's host key" action: drops the pin and the connection; the next contact pins afresh. */
  async forgetHostKey(vm: string): Promise<void> {
    this.disconnect(vm)
    await this.hostKeys.forget(vm)
  }

  /** For a freshly created VM (same name, new disk): re-pin on first contact. A restored snapshot keeps its pin. */
  repinOnCreate(vm: string): Promise<void> {
    return this.forgetHostKey(vm)
  }

  /**
   * The VM's disk came from a snapshot (restore, rollback): same host key, but CAL's key may be missing from it.
   * The next connection offers CAL's key first and the password after it, to the pinned host only, and installs the
   * key again if the password let it in.
   */
  keyMayBeMissing(vm: string): Promise<void> {
    return this.hostKeys.markKeyMaybeMissing(vm)
  }

  /** Close every connection to `vm` (and so every channel on them). */
  disconnect(vm: string): void {
    for (const entry of this.conns.get(vm) ?? []) this.drop(vm, entry)
  }

  /** Close one connection and forget it. */
  private drop(vm: string, entry: Entry): void {
    const list = this.conns.get(vm)?.filter((e) => e !== entry) ?? []
    if (list.length > 0) this.conns.set(vm, list)
    else this.conns.delete(vm)
    if (entry.client) entry.client.end()
    else entry.ready.then((c) => c.end(), () => undefined)
  }

  private isLive(vm: string, entry: Entry): boolean {
    return this.conns.get(vm)?.includes(entry) ?? false
  }

  /**
   * A connection to `vm` with room for one more channel, counted as taken (give it back with release()).
   * A second connection is opened only once the first is up, so that only one of them ever logs in with the password.
   */
  private async lease(vm: string): Promise<Entry> {
    for (;;) {
      if (this.disposed) throw new CalError('SSH_DISCONNECTED', 'CAL is shutting down.')
      const list = this.conns.get(vm) ?? []
      const free = list.find((e) => e.channels < e.limit)
      if (free) {
        free.channels++
        try {
          await free.ready
        } catch (err) {
          free.channels--
          throw err
        }
        return free
      }
      const first = list[0]
      if (first && !first.client) {
        await first.ready.catch(() => undefined)
        continue
      }
      if (list.length >= CONNECTIONS_PER_VM) {
        throw new CalError(
          'SSH_BUSY',
          `VM "${vm}" already has ${list.reduce((n, e) => n + e.channels, 0)} terminals and commands open over SSH.`,
          'Close some terminal tabs (their tmux sessions keep running), then try again.',
        )
      }
      this.add(vm)
    }
  }

  private add(vm: string): Entry {
    const entry: Entry = { ready: null as unknown as Promise<Client>, client: null, channels: 0, limit: CHANNELS_PER_CONNECTION }
    entry.ready = this.open(vm, entry)
    this.conns.set(vm, [...(this.conns.get(vm) ?? []), entry])
    entry.ready.catch(() => {
      if (this.isLive(vm, entry)) this.drop(vm, entry)
    })
    return entry
  }

  async dispose(): Promise<void> {
    this.disposed = true
    for (const vm of [...this.conns.keys()]) this.disconnect(vm)
  }

  private async open(vm: string, entry: Entry): Promise<Client> {
    const target = await this.opts.resolveTarget(vm)
    const creds = this.opts.credentials()
    const key = await ensureClientKey(this.opts.calHome)
    // A new key of CAL's (the old one was deleted) is in no VM yet: the pinned VMs get the password once more.
    if (key.created) await this.hostKeys.clientKeyReplaced()
    const pin = await this.hostKeys.get(vm)
    const { client, method } = await connectClient({
      vm,
      host: target.host,
      port: target.port,
      user: creds.user,
      password: pin?.keyInstalled ? undefined : creds.password,
      key,
      hostKeys: this.hostKeys,
      connectTimeoutMs: this.opts.connectTimeoutMs ?? 15_000,
      keepaliveIntervalMs: this.opts.keepaliveIntervalMs ?? 5_000,
    })
    client.on('error', (err: Error) => this.log(`ssh ${vm}: ${err.message}`))
    client.once('close', () => {
      if (this.isLive(vm, entry)) this.drop(vm, entry)
      if (entry.client === client) {
        entry.client = null
        for (const l of this.disconnectListeners) l(vm)
      }
    })
    try {
      if (method !== 'publickey') {
        const r = await execOn(client, installKeyScript(key.publicKey), { timeoutMs: 15_000 })
        if (r.code !== 0) throw keyInstallFailed(vm, r)
        this.log(`ssh ${vm}: installed CAL's key after first contact with the password`)
      }
      if (method !== 'publickey' || !pin?.keyInstalled) await this.hostKeys.markKeyInstalled(vm)
      // A failure said before stops being said once Settings no longer ask for the unlock.
      if (creds.unlockKeychain) await this.unlockKeychain(vm, client, creds.password)
      else this.keychainFailures.delete(vm)
    } catch (err) {
      client.end()
      throw err
    }
    this.log(`ssh ${vm}: connected to ${target.host}:${target.port} (${method})`)
    if (!this.isLive(vm, entry)) {
      // disconnect() or forgetHostKey() ran while we were connecting.
      client.end()
      throw new CalError('SSH_DISCONNECTED', `The connection to VM "${vm}" was closed while it was being opened.`, 'Try again.')
    }
    entry.client = client
    return client
  }

  /** macOS keeps the login keychain locked in SSH sessions; agents storing credentials there need it open. */
  private async unlockKeychain(vm: string, client: Client, password: string): Promise<void> {
    try {
      const code = await answerOnPty(client, UNLOCK_KEYCHAIN_SCRIPT, KEYCHAIN_PROMPT, password, 15_000)
      this.keychainFailures.delete(vm)
      if (code === 127) this.log(`ssh ${vm}: no 'security' tool in the guest, keychain unlock skipped`)
      else if (code !== 0) this.keychainFailed(vm, `exit ${code}`)
      else this.log(`ssh ${vm}: login keychain unlocked`)
    } catch (err) {
      this.keychainFailed(vm, CalError.from(err).message)
    }
  }

  private keychainFailed(vm: string, why: string): void {
    this.log(`ssh ${vm}: keychain unlock failed (${why})`)
    this.keychainFailures.set(vm, why)
  }

  /**
   * Why the VM's login keychain could not be unlocked on the last connect (Settings ask for it), or null. Agents that
   * keep their sign-in there (Claude Code does on macOS) then ask for it again: a terminal says so.
   */
  keychainFailure(vm: string): string | null {
    return this.keychainFailures.get(vm) ?? null
  }

  /**
   * Open a channel with `fn` on a connection to `vm` that has room for it. The channel counts against that connection
   * until it closes (or, with `done`, until `fn` settles: `fn` ran a command to completion). A connection that turns
   * out to be dead is dropped and `fn` retried once on a fresh one; a channel the server refuses (sshd's MaxSessions
   * set lower than CAL's cap) lowers that connection's cap and is retried on another connection, never closing the
   * channels already open.
   */
  private async withChannel<T>(vm: string, fn: (c: Client) => Promise<T>, done = false): Promise<T> {
    let refusals = 0
    let reconnected = false
    for (;;) {
      const entry = await this.lease(vm)
      const client = await entry.ready
      let held = true
      const release = () => {
        if (held) this.release(vm, entry)
        held = false
      }
      try {
        const result = await fn(client)
        const ch = result as unknown as ClientChannel
        if (done || isClosed(ch)) release()
        else ch.once('close', release)
        return result
      } catch (err) {
        release()
        if ((err as { reason?: unknown })?.reason !== undefined && !(err instanceof CalError)) {
          // Refused by the server (SSH_MSG_CHANNEL_OPEN_FAILURE): the connection is fine, it is full.
          entry.limit = Math.max(1, Math.min(entry.limit, entry.channels))
          this.log(`ssh ${vm}: the server refused a channel with ${entry.channels} open on the connection; now at most ${entry.limit} there`)
          if (++refusals < 4) continue
          throw new CalError(
            'SSH_BUSY',
            `VM "${vm}" refused to open another SSH channel (${(err as Error).message}).`,
            "Close some terminal tabs, or raise MaxSessions in the VM's /etc/ssh/sshd_config, then try again.",
          )
        }
        // A connection that died under us (dropped, guest suspended) shows up either as ssh2's "not connected"
        // family of errors or as a channel closed without an exit status on a client that has since closed.
        const transportError = !(err instanceof CalError) && /not connected|no response|socket/i.test(String((err as Error)?.message))
        const connectionGone = err instanceof CalError && err.code === 'SSH_DISCONNECTED' && (await this.closedSoon(vm, entry))
        if (reconnected || (!transportError && !connectionGone)) throw err instanceof CalError ? err : CalError.from(err)
        if (this.isLive(vm, entry)) this.drop(vm, entry)
        reconnected = true
      }
    }
  }

  /** Give back a channel's place; an extra connection left without channels closes after a while. */
  private release(vm: string, entry: Entry): void {
    entry.channels--
    if (entry.channels > 0 || this.conns.get(vm)?.[0] === entry) return
    setTimeout(() => {
      if (entry.channels === 0 && this.isLive(vm, entry) && this.conns.get(vm)?.[0] !== entry) this.drop(vm, entry)
    }, EXTRA_CONNECTION_IDLE_MS).unref()
  }

  /** True when `entry` is no longer one of the VM's live connections, or stops being one within a moment (its close event may lag the channel's). */
  private async closedSoon(vm: string, entry: Entry): Promise<boolean> {
    for (let i = 0; i < 10; i++) {
      if (!this.isLive(vm, entry)) return true
      await new Promise((r) => setTimeout(r, 50))
    }
    return false
  }

  private log(line: string): void {
    this.opts.log?.(line)
  }
}

/** CAL's key could not be added to ~/.ssh/authorized_keys: say what the guest said (a full disk, a ~/.ssh it cannot write). */
function keyInstallFailed(vm: string, r: ExecResult): CalError {
  const why = r.stderr.trim().split('\n')[0]?.trim().slice(0, 300)
  const diskFull = /no space left on device|disk quota exceeded/i.test(r.stderr)
  return new CalError(
    'SSH_AUTH_FAILED',
    `Could not install CAL's SSH key in VM "${vm}": ${why || `exit ${r.code}`}.`,
    diskFull ? `The VM's disk is full: free some space in it (or grow its disk), then connect again.` : 'Check that the user can write ~/.ssh in the VM.',
    { vm, code: r.code, stderr: r.stderr.slice(0, 2000) },
  )
}
