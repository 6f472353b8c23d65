import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'

/**
 * A bare Chromium page driven over the DevTools pipe with the Runtime domain only. Playwright enables the
 * Network domain on every page it drives, so Chromium copies each WebSocket frame it receives into a DevTools
 * event (base64 for binary frames) for Playwright to parse: CPU the product never spends, taken from the very
 * cores the end-to-end figure measures. The terminal benchmark therefore drives its page this way.
 */
export interface BarePage {
  goto(url: string): Promise<void>
  /** Run `fn(arg)` in the page and return its (awaited, JSON-serialisable) result, like Playwright's evaluate. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>
  waitForFunction<A>(fn: (arg: A) => unknown, arg?: A, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

interface Pending {
  resolve(result: Record<string, unknown>): void
  reject(err: Error): void
}

export async function launchBarePage(opts: { executablePath: string; args: string[]; width: number; height: number }): Promise<BarePage> {
  const profile = await mkdtemp(join(tmpdir(), 'cal-bench-chromium-'))
  const child: ChildProcess = spawn(
    opts.executablePath,
    [...opts.args, '--remote-debugging-pipe', `--user-data-dir=${profile}`, `--window-size=${opts.width},${opts.height}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  )
  const toBrowser = child.stdio[3] as Writable
  const fromBrowser = child.stdio[4] as Readable
  const pending = new Map<number, Pending>()
  let nextId = 1
  let buffered = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('exit', () => {
    for (const p of pending.values()) p.reject(new Error('Chromium exited'))
    pending.clear()
  })
  fromBrowser.setEncoding('utf8')
  fromBrowser.on('data', (chunk: string) => {
    buffered += chunk
    let end: number
    while ((end = buffered.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffered.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } }
      buffered = buffered.slice(end + 1)
      const p = msg.id === undefined ? undefined : pending.get(msg.id)
      if (!p) continue
      pending.delete(msg.id!)
      if (msg.error) p.reject(new Error(msg.error.message))
      else p.resolve(msg.result ?? {})
    }
  })
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve, reject })
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`)
    })

  const close = async () => {
    await send('Browser.close').catch(() => undefined)
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
    await rm(profile, { recursive: true, force: true })
  }
  try {
    const { targetId } = (await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string }
    const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string }
    await send('Emulation.setDeviceMetricsOverride', { width: opts.width, height: opts.height, deviceScaleFactor: 1, mobile: false }, sessionId)
    const evaluate = async <A, R>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> => {
      const r = (await send('Runtime.evaluate', { expression: `(${fn.toString()})(${JSON.stringify(arg ?? null)})`, awaitPromise: true, returnByValue: true }, sessionId)) as {
        result: { value?: R }
        exceptionDetails?: { text: string; exception?: { description?: string } }
      }
      if (r.exceptionDetails) throw new Error(`in page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`)
      return r.result.value as R
    }
    return {
      evaluate,
      async goto(url) {
        await send('Page.navigate', { url }, sessionId)
      },
      async waitForFunction(fn, arg, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs
        // Errors while the page is still navigating (its context replaced) count as "not yet".
        while (!(await evaluate(fn, arg).catch(() => false))) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${fn.toString().slice(0, 80)}`)
          await new Promise((r) => setTimeout(r, 50))
        }
      },
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}
