import type { Client, ClientChannel } from 'ssh2'
import { CalError } from '../../shared/errors'
import { connectClient } from './connect'
import { execOn, openExec, trackExit, type ExecOptions, type ExecResult } from './exec'
import { HostKeyStore } from './host-keys'
import { ensureClientKey } from './keys'
import { installKeyScript, unlockKeychainScript } from './scripts'

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
}

/**
 * One SSH connection per VM, opened on first use and shared by exec calls and terminal channels. First contact
 * logs in with the password, installs CAL's key and pins the host key; every later connection is key-only.
 */
export class SshPool {
  readonly hostKeys: HostKeyStore
  private readonly conns = new Map<string, Entry>()
  private readonly disconnectListeners = new Set<(vm: string) => void>()
  private disposed = false

  constructor(private readonly opts: SshPoolOptions) {
    this.hostKeys = new HostKeyStore(opts.calHome)
  }

  /** The live connection to `vm`, connecting (and bootstrapping) when there is none. */
  connect(vm: string): Promise<Client> {
    if (this.disposed) return Promise.reject(new CalError('SSH_DISCONNECTED', 'CAL is shutting down.'))
    const existing = this.conns.get(vm)
    if (existing) return existing.ready
    const entry: Entry = { ready: null as unknown as Promise<Client>, client: null }
    entry.ready = this.open(vm, entry)
    this.conns.set(vm, entry)
    entry.ready.catch(() => {
      if (this.conns.get(vm) === entry) this.conns.delete(vm)
    })
    return entry.ready
  }

  exec(vm: string, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.withClient(vm, (c) => execOn(c, command, opts))
  }

  /** A PTY channel (TERM=xterm-256color) running the login shell, or `command` when given. */
  shell(vm: string, opts: ShellOptions): Promise<ClientChannel> {
    return this.withClient(vm, (c) => {
      if (opts.command) return openExec(c, opts.command, { cols: opts.cols, rows: opts.rows })
      return new Promise<ClientChannel>((resolve, reject) =>
        c.shell({ term: 'xterm-256color', cols: opts.cols, rows: opts.rows, width: 0, height: 0 }, (err, ch) => (err ? reject(err) : resolve(trackExit(ch)))),
      )
    })
  }

  /** A raw channel without a PTY (streams bytes exactly as the command writes them). */
  channel(vm: string, command: string): Promise<ClientChannel> {
    return this.withClient(vm, (c) => openExec(c, command))
  }

  isConnected(vm: string): boolean {
    return this.conns.get(vm)?.client != null
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

  disconnect(vm: string): void {
    const entry = this.conns.get(vm)
    if (!entry) return
    this.conns.delete(vm)
    if (entry.client) entry.client.end()
    else entry.ready.then((c) => c.end(), () => undefined)
  }

  async dispose(): Promise<void> {
    this.disposed = true
    for (const vm of [...this.conns.keys()]) this.disconnect(vm)
  }

  private async open(vm: string, entry: Entry): Promise<Client> {
    const target = await this.opts.resolveTarget(vm)
    const creds = this.opts.credentials()
    const key = await ensureClientKey(this.opts.calHome)
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
      if (this.conns.get(vm) === entry) this.conns.delete(vm)
      if (entry.client === client) {
        entry.client = null
        for (const l of this.disconnectListeners) l(vm)
      }
    })
    try {
      if (method !== 'publickey') {
        const r = await execOn(client, installKeyScript(key.publicKey), { timeoutMs: 15_000 })
        if (r.code !== 0) throw new CalError('SSH_AUTH_FAILED', `Could not install CAL's SSH key in VM "${vm}" (exit ${r.code}).`, 'Check that the user can write ~/.ssh in the VM.', { stderr: r.stderr.slice(0, 2000) })
        this.log(`ssh ${vm}: installed CAL's key after first contact with the password`)
      }
      if (method !== 'publickey' || !pin?.keyInstalled) await this.hostKeys.markKeyInstalled(vm)
      if (creds.unlockKeychain) await this.unlockKeychain(vm, client, creds.password)
    } catch (err) {
      client.end()
      throw err
    }
    this.log(`ssh ${vm}: connected to ${target.host}:${target.port} (${method})`)
    if (this.conns.get(vm) !== entry) {
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
      // The password travels on stdin, never on the command line, so no process list or log shows it.
      const r = await execOn(client, unlockKeychainScript(), { timeoutMs: 15_000, stdin: `${password}\n` })
      if (r.code === 127) this.log(`ssh ${vm}: no 'security' tool in the guest, keychain unlock skipped`)
      else if (r.code !== 0) this.log(`ssh ${vm}: keychain unlock failed (exit ${r.code})`)
      else this.log(`ssh ${vm}: login keychain unlocked`)
    } catch (err) {
      this.log(`ssh ${vm}: keychain unlock failed: ${CalError.from(err).message}`)
    }
  }

  /** Run `fn` on the VM's connection; if that connection turns out to be dead, reconnect once and retry. */
  private async withClient<T>(vm: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const client = await this.connect(vm)
    try {
      return await fn(client)
    } catch (err) {
      // A connection that died under us (dropped, guest suspended) shows up either as ssh2's "not connected"
      // family of errors or as a channel closed without an exit status on a client that has since closed.
      const transportError = !(err instanceof CalError) && /not connected|no response|channel open failure|socket/i.test(String((err as Error)?.message))
      const connectionGone = err instanceof CalError && err.code === 'SSH_DISCONNECTED' && (await this.closedSoon(vm, client))
      if (!transportError && !connectionGone) throw err instanceof CalError ? err : CalError.from(err)
      this.disconnect(vm)
      return fn(await this.connect(vm))
    }
  }

  /** True when `client` is no longer the VM's live connection, or stops being it within a moment (its close event may lag the channel's). */
  private async closedSoon(vm: string, client: Client): Promise<boolean> {
    for (let i = 0; i < 10; i++) {
      if (this.conns.get(vm)?.client !== client) return true
      await new Promise((r) => setTimeout(r, 50))
    }
    return false
  }

  private log(line: string): void {
    this.opts.log?.(line)
  }
}
