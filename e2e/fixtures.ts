import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { test as base, expect, type Page } from '@playwright/test'
import { createSimHost, type BootOptions, type SimHost, type SimVm } from '../test/sim/harness'

/** The simulated Tart host for this worker: a private TART_HOME whose VMs are real sshd guests. */
export interface SimFixture {
  tartPath: string
  tartHome: string
  /** Environment for anything that runs tart against this host (TART_HOME…). */
  env: Record<string, string>
  /** Clone and boot a VM, waiting until SSH answers. Names are shared by the worker's tests: use distinct ones. */
  bootVm(name: string, opts?: BootOptions): Promise<SimVm>
  /** The underlying harness (faults, guest files, calls log). */
  harness: SimHost
}

/** A running browser host (node out/host/server.js) bound to the sim, with its own CAL_HOME. */
export interface HostFixture {
  url: string
  token: string
  port: number
  calHome: string
  /** What the host wrote to stderr so far (its log). */
  log(): string
  /** Stop the host now (the page loses its connection); the fixture's own teardown then has nothing left to do. */
  stop(): Promise<void>
}

const repo = resolve(import.meta.dirname, '..')
const serverJs = join(repo, 'out/host/server.js')

async function startHost(sim: SimFixture, calHome: string): Promise<{ child: ChildProcess; host: HostFixture }> {
  if (!existsSync(serverJs)) throw new Error('out/host/server.js is missing: run `npm run build` first (npm test does)')
  const child = spawn(process.execPath, [serverJs, '--tart', sim.tartPath, '--cal-home', calHome], {
    cwd: repo,
    env: { ...process.env, ...sim.env, CAL_HOME: calHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const line = await new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`the browser host printed no URL within 15 s:\n${stderr}`)), 15_000)
    const rl = createInterface({ input: child.stdout! })
    rl.once('line', (l) => {
      clearTimeout(timer)
      resolveLine(l)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the browser host exited (${code}) before printing its URL:\n${stderr}`))
    })
  })
  const match = /^CAL browser host: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))$/.exec(line)
  if (!match) throw new Error(`unexpected first line from the browser host: ${line}`)
  return { child, host: { url: match[1]!, port: Number(match[2]), token: match[3]!, calHome, log: () => stderr, stop: () => stopHost(child) } }
}

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

export const test = base.extend<{ host: HostFixture; page: Page }, { sim: SimFixture }>({
  sim: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const harness = await createSimHost()
      try {
        await use({ tartPath: harness.tartPath, tartHome: harness.tartHome, env: harness.env, bootVm: (name, opts) => harness.bootVm(name, opts), harness })
      } finally {
        await harness.cleanup()
      }
    },
    { scope: 'worker' },
  ],
  host: async ({ sim }, use, testInfo) => {
    const calHome = mkdtempSync(join(tmpdir(), 'cal-e2e-home-'))
    const { child, host } = await startHost(sim, calHome)
    try {
      await use(host)
    } finally {
      await stopHost(child)
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('browser-host.log', { body: host.log(), contentType: 'text/plain' })
      rmSync(calHome, { recursive: true, force: true })
    }
  },
  page: async ({ page, host }, use, testInfo) => {
    // What the page said (console, uncaught errors, crashes): attached when the test fails, beside the host's log.
    const lines: string[] = []
    const at = () => new Date().toISOString().slice(11, 23)
    page.on('console', (m) => lines.push(`${at()} console.${m.type()}: ${m.text()}`))
    page.on('pageerror', (e) => lines.push(`${at()} page error: ${e.message}`))
    page.on('crash', () => lines.push(`${at()} the page crashed`))
    page.on('websocket', (ws) => {
      lines.push(`${at()} websocket opened`)
      ws.on('close', () => lines.push(`${at()} websocket closed`))
      ws.on('socketerror', (e) => lines.push(`${at()} websocket error: ${e}`))
    })
    page.on('worker', (w) => {
      lines.push(`${at()} worker ${w.url()}`)
      w.on('close', () => lines.push(`${at()} worker closed: ${w.url()}`))
    })
    await page.goto(host.url)
    await use(page)
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('page.log', { body: lines.join('\n'), contentType: 'text/plain' })
  },
})

export { expect }
