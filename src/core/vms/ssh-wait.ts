import { connect } from 'node:net'
import { CalError } from '../../shared/errors'

export type WaitForSsh = (host: string, port: number, opts: { timeoutMs: number; signal?: AbortSignal }) => Promise<string>

/** One attempt: connect and read the server's identification line ("SSH-2.0-…"). */
function readBanner(host: string, port: number, attemptMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = connect({ host, port })
    let buf = ''
    const done = (v: string | null) => {
      clearTimeout(timer)
      sock.destroy()
      resolve(v)
    }
    const timer = setTimeout(() => done(null), attemptMs)
    sock.setEncoding('latin1')
    sock.on('data', (d: string) => {
      buf += d
      const nl = buf.indexOf('\n')
      if (nl >= 0 || buf.length > 255) {
        const line = buf.slice(0, nl >= 0 ? nl : undefined).trim()
        done(line.startsWith('SSH-') ? line : null)
      }
    })
    sock.on('error', () => done(null))
    sock.on('close', () => done(null))
  })
}

/**
 * Polls for a real SSH banner, not just an open port: a guest's port 22 may accept before sshd can talk.
 * Polls every 100 ms, because the seeds' 2 s sleep adds up to 2 s to every start.
 */
export const waitForSshBanner: WaitForSsh = async (host, port, { timeoutMs, signal }) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (signal?.aborted) throw new CalError('CANCELLED', 'Waiting for SSH was cancelled.')
    const banner = await readBanner(host, port, Math.min(2000, Math.max(200, deadline - Date.now())))
    if (banner) return banner
    if (Date.now() >= deadline) {
      throw new CalError('SSH_TIMEOUT', `SSH on ${host}:${port} did not answer within ${Math.round(timeoutMs / 1000)} s.`, 'The guest may still be booting, or Remote Login is off in the VM; check its log under CAL_HOME/logs.', { host, port })
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}
