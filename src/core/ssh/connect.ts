import { Client } from 'ssh2'
import { CalError } from '../../shared/errors'
import type { HostKeyStore, VerifyResult } from './host-keys'
import type { ClientKey } from './keys'

export interface ConnectParams {
  vm: string
  host: string
  port: number
  user: string
  /** Offered only until CAL's key is installed (first contact); undefined means key authentication only. */
  password: string | undefined
  key: ClientKey
  hostKeys: HostKeyStore
  connectTimeoutMs: number
  keepaliveIntervalMs: number
}

export interface Connected {
  client: Client
  /** Which method let us in: 'password' (or keyboard-interactive) means CAL's key still has to be installed. */
  method: 'publickey' | 'password' | 'keyboard-interactive'
}

type Method = Connected['method']

/** One ssh2 connection: the pinned host key is checked before any credential is sent; CAL's key is tried first. */
export function connectClient(p: ConnectParams): Promise<Connected> {
  const client = new Client()
  const methods: Method[] = ['publickey']
  if (p.password !== undefined) methods.push('password', 'keyboard-interactive')
  let lastMethod: Method = 'publickey'
  let mismatch: Extract<VerifyResult, { ok: false }> | null = null
  let verifyError: unknown = null

  return new Promise<Connected>((resolve, reject) => {
    let settled = false
    // Stays on the client for good: ssh2 can emit a second error while a failed connection winds down (a handshake
    // timeout, then "Connection lost before handshake" when the socket closes), or one in the same tick as 'ready',
    // before the caller has added its own listener; an 'error' event without a listener would crash the process.
    const onError = (err: Error & { level?: string; code?: string }) => {
      if (settled) return
      settled = true
      client.removeListener('ready', onReady)
      client.end()
      reject(mapConnectError(p, err, mismatch, verifyError))
    }
    const onReady = () => {
      settled = true
      resolve({ client, method: lastMethod })
    }
    client.once('ready', onReady)
    client.on('error', onError)
    // ssh2 can close without an 'error' when the server goes mid-handshake (a dropped connection, sshd killed): this
    // promise then never settled, and `cal ssh` ended with Node's exit 13 and not a word.
    client.once('close', () => onError(Object.assign(new Error('closed before SSH was ready'), { level: 'client-closed' })))
    // Answer the server's password prompt (macOS sshd often asks through keyboard-interactive).
    client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => finish(prompts.map(() => p.password ?? '')))
    client.connect({
      host: p.host,
      port: p.port,
      username: p.user,
      readyTimeout: p.connectTimeoutMs,
      keepaliveInterval: p.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (blob: Buffer, verify: (ok: boolean) => void) => {
        p.hostKeys.verify(p.vm, p.host, p.port, blob).then(
          (r) => {
            if (!r.ok) mismatch = r
            verify(r.ok)
          },
          (err: unknown) => {
            verifyError = err
            verify(false)
          },
        )
      },
      authHandler: (_left, _partial, next) => {
        const method = methods.shift()
        if (!method) return next(false as never)
        lastMethod = method
        if (method === 'publickey') return next({ type: 'publickey', username: p.user, key: p.key.privateKey })
        if (method === 'password') return next({ type: 'password', username: p.user, password: p.password ?? '' })
        return next({ type: 'keyboard-interactive', username: p.user, prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => p.password ?? '')) })
      },
    } as Parameters<Client['connect']>[0])
  })
}

function mapConnectError(
  p: ConnectParams,
  err: Error & { level?: string; code?: string },
  mismatch: Extract<VerifyResult, { ok: false }> | null,
  verifyError: unknown,
): CalError {
  const where = `${p.host}:${p.port}`
  if (mismatch) {
    return new CalError(
      'SSH_HOST_KEY_MISMATCH',
      `VM "${p.vm}" presented a different SSH host key than the one CAL pinned (expected ${mismatch.expected}, got ${mismatch.actual}). CAL refused to connect.`,
      {
        cli: `If you recreated or replaced "${p.vm}" outside CAL, forget its host key (\`cal ssh ${p.vm} --forget-host-key\`) and connect again. Otherwise something may be intercepting the connection.`,
        app: `If you recreated or replaced "${p.vm}" outside CAL, choose "Forget host key" for it and connect again. Otherwise something may be intercepting the connection.`,
      },
      { vm: p.vm, address: where, expected: mismatch.expected, actual: mismatch.actual },
    )
  }
  if (verifyError) return CalError.from(verifyError)
  if (err.level === 'client-authentication') {
    return p.password === undefined
      ? new CalError(
          'SSH_AUTH_FAILED',
          `VM "${p.vm}" refused CAL's SSH key.`,
          {
            cli: `CAL's key was installed in this VM earlier. If the VM was recreated or its ~/.ssh/authorized_keys changed, run \`cal ssh ${p.vm} --forget-host-key\` so CAL bootstraps it again with the password.`,
            app: `CAL's key was installed in this VM earlier. If the VM was recreated or its ~/.ssh/authorized_keys changed, choose "Forget host key" so CAL bootstraps it again with the password.`,
          },
          { vm: p.vm, user: p.user },
        )
      : new CalError(
          'SSH_AUTH_FAILED',
          `VM "${p.vm}" refused the login for user "${p.user}" (CAL's key and the password were both rejected).`,
          'Check the SSH user and password in Settings (a fresh Tart image uses admin / admin).',
          { vm: p.vm, user: p.user },
        )
  }
  if (err.level === 'client-timeout') {
    return new CalError('SSH_TIMEOUT', `Timed out connecting to VM "${p.vm}" over SSH at ${where} after ${p.connectTimeoutMs / 1000} s.`, 'The VM may still be booting; wait a moment and try again.', {
      vm: p.vm,
      address: where,
    })
  }
  if (err.level === 'client-closed') {
    return new CalError(
      'SSH_UNREACHABLE',
      `The SSH connection to VM "${p.vm}" at ${where} closed before it was ready.`,
      'It dropped while it was being set up (a network hiccup, or the VM\'s SSH server restarting): try again. If it keeps happening, check that the VM is running.',
      { vm: p.vm, address: where, cause: 'closed' },
    )
  }
  return new CalError('SSH_UNREACHABLE', `Could not reach VM "${p.vm}" over SSH at ${where}: ${err.message}.`, 'Check that the VM is running and its SSH server is enabled (Remote Login), then try again.', {
    vm: p.vm,
    address: where,
    cause: err.code ?? err.message,
  })
}
