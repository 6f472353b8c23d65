import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordFigure } from './record'
import { mount, percentile, timeCeiling, timeEchoes, timeFlood, DONE_MARK } from './terminal/measure'
import { opensshRate, ssh2Rate } from './terminal/raw'
import { startRig, type Rig } from './terminal/rig'

// Terminal figures, all against one simulated VM (a real sshd on loopback). See bench/terminal/rig.ts.
const VM = 'bench-term'
const RAW_BYTES = 200_000_000
const FLOOD_BYTES = 200_000_000
let rig: Rig

beforeAll(async () => {
  rig = await startRig(VM)
  await rig.pool.exec(VM, 'true')
})

afterAll(async () => {
  await rig?.close()
})

describe('terminal', () => {
  it('raw_vs_openssh: ssh2 + batcher versus the OpenSSH client, same bytes, first byte to last', async () => {
    const command = `head -c ${RAW_BYTES} /dev/zero`
    const ours = await ssh2Rate(rig.pool, VM, command)
    const theirs = await opensshRate(rig.calHome, rig.vm.ip, command)
    expect(ours.bytes).toBe(RAW_BYTES)
    expect(theirs.bytes).toBe(RAW_BYTES)
    const ratio = ours.bytes / ours.ms / (theirs.bytes / theirs.ms)
    console.error(`ssh2+batcher ${(ours.bytes / ours.ms / 1000).toFixed(1)} MB/s, OpenSSH ${(theirs.bytes / theirs.ms / 1000).toFixed(1)} MB/s`)
    recordFigure({ bench: 'terminal.raw_vs_openssh', value: ratio, unit: 'ratio', target: '>= 1.0' })
  })

  it('xterm_vs_ceiling: end to end into xterm in Chromium versus xterm alone on the same bytes', async () => {
    // ~32 MB of base64 text lines, written once in the guest.
    await rig.pool.exec(VM, 'head -c 24000000 /dev/urandom | base64 -w 120 > /tmp/cal-bench-flood.txt', { timeoutMs: 60_000 })
    const s = await rig.terminals.openCommand(VM, `read _; cat /tmp/cal-bench-flood.txt; ${DONE_MARK}; sleep 1`, { cols: 120, rows: 40 })
    await mount(rig.page, s.id)
    const e2e = await timeFlood(rig.page, s.id, true)
    await mount(rig.page, 'bench-ceiling')
    await rig.page.evaluate(() => new Promise((r) => setTimeout(r, 200)))
    const ceiling = await timeCeiling(rig.page, 'bench-ceiling')
    expect(ceiling.chars).toBe(e2e.chars)
    const mbs = e2e.chars / e2e.ms / 1000
    console.error(`end to end ${mbs.toFixed(1)} MB/s, xterm alone ${(ceiling.chars / ceiling.ms / 1000).toFixed(1)} MB/s`)
    recordFigure({ bench: 'terminal.xterm_vs_ceiling', value: ceiling.ms / e2e.ms, unit: 'ratio', target: '>= 0.7' })
    recordFigure({ bench: 'terminal.xterm_mb_s', value: mbs, unit: 'MB/s', target: 'record' })
  })

  it('echo_p50_ms / echo_p95_ms: keystroke to echo through the whole pipeline', async () => {
    const s = await rig.terminals.openCommand(VM, 'exec cat > /dev/null', { cols: 120, rows: 40 })
    await mount(rig.page, s.id)
    await timeEchoes(rig.page, s.id, 20)
    const times = await timeEchoes(rig.page, s.id, 300)
    recordFigure({ bench: 'terminal.echo_p50_ms', value: percentile(times, 50), unit: 'ms', target: '<= 10' })
    recordFigure({ bench: 'terminal.echo_p95_ms', value: percentile(times, 95), unit: 'ms', target: '<= 25' })
    await rig.terminals.close({ id: s.id, mode: 'end' })
  })

  it('flood_memory_mb: main-process memory growth while 200 MB flood into the page', async () => {
    const line = 'The quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz'
    const s = await rig.terminals.openCommand(VM, `read _; yes '${line}' | head -c ${FLOOD_BYTES}; ${DONE_MARK}; sleep 1`, { cols: 120, rows: 40 })
    await mount(rig.page, s.id)
    const base = process.memoryUsage().rss
    let peak = base
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 50)
    const flood = await timeFlood(rig.page, s.id, false)
    clearInterval(sampler)
    expect(flood.chars).toBeGreaterThan(FLOOD_BYTES)
    console.error(`flood: ${(flood.chars / flood.ms / 1000).toFixed(1)} MB/s into xterm`)
    recordFigure({ bench: 'terminal.flood_memory_mb', value: (peak - base) / 1e6, unit: 'MB', target: '< 50' })
  })
})
