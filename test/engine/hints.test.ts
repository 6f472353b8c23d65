import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appHintOf, CalError } from '../../src/shared/errors'
import { mapTartFailure, vmLimitError } from '../../src/core/tart/errors'

const root = resolve(__dirname, '../..')
/** A `cal` verb or flag, as the command line's hints name them. */
const CLI_WORDING = /\bcal (?:start|stop|restart|suspend|ssh|list|snapshot|check|doctor|rollback|delete|create|run|status|disk-usage)\b|--(?:yes|force|forget-host-key)\b/
/** Files only the command line shows (`cal doctor`'s checks). */
const CLI_ONLY = new Set(['src/core/host/doctor.ts'])

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name)
    if (d.isDirectory()) return sources(p)
    return /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name) ? [p] : []
  })
}

describe('hints worded for the app and for the command line', () => {
  it('every engine hint that names a cal verb or flag is the command line half of a Hint', () => {
    const offenders: string[] = []
    for (const file of [...sources(join(root, 'src/core')), ...sources(join(root, 'src/shared'))]) {
      const rel = relative(root, file)
      if (CLI_ONLY.has(rel)) continue
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.trim()
          if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return
          // Tart's own command lines (`tart prune ...`) and the engine's own arguments are not advice.
          if (CLI_WORDING.test(code) && !/^cli: |\bcli: /.test(code)) offenders.push(`${rel}:${i + 1}: ${code}`)
        })
    }
    expect(offenders).toEqual([])
  })

  it('a Tart failure names cal list to the command line and the sidebar to the app', () => {
    const e = mapTartFailure({ args: ['run', 'ghost'], exitCode: 1, stdout: '', stderr: 'Error: the specified VM "ghost" does not exist' })
    expect(e.code).toBe('VM_NOT_FOUND')
    expect(e.hint).toContain('`cal list`')
    expect(e.appHint).toContain('sidebar')
    expect(e.appHint).not.toMatch(CLI_WORDING)
    const data = e.toData()
    expect(data.hint).toBe(e.hint)
    expect(appHintOf(data)).toBe(e.appHint)
    const limit = vmLimitError(['a', 'b']).toData()
    expect(limit.message).toBe('macOS allows only 2 macOS VMs at once, and a and b are already running.')
    expect(limit.hint).toContain('`cal stop a`')
    expect(appHintOf(limit)).toBe('Stop one of them first.')
  })

  it('one wording is sent once, and a wrapping error keeps both', () => {
    const plain = new CalError('INTERNAL', 'Broke.', 'Try again.')
    expect(plain.toData()).not.toHaveProperty('appHint')
    expect(appHintOf(plain.toData())).toBe('Try again.')
    const same = new CalError('INTERNAL', 'Broke.', { cli: 'Try again.', app: 'Try again.' })
    expect(same.toData()).not.toHaveProperty('appHint')
    const inner = new CalError('VM_NOT_RUNNING', 'Not running.', { cli: 'Run `cal start dev`.', app: 'Start it first.' })
    const outer = new CalError(inner.code, `Restoring failed: ${inner.message}`, inner.hints)
    expect(outer.hint).toBe('Run `cal start dev`.')
    expect(outer.appHint).toBe('Start it first.')
  })
})

describe('errors CAL did not name itself', () => {
  it('a full disk met anywhere is DISK_FULL with what to do, not a bug report', () => {
    const write = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    expect(CalError.from(write)).toMatchObject({ code: 'DISK_FULL', message: 'The disk is full: CAL could not write its data.', hint: 'Free some space, then try again.' })
    const open = Object.assign(new Error("EDQUOT: disk quota exceeded, open '/x/facts/dev.json'"), { code: 'EDQUOT', path: '/x/facts/dev.json' })
    expect(CalError.from(open)).toMatchObject({ code: 'DISK_FULL', message: 'The disk is full: CAL could not write /x/facts/dev.json.', details: { path: '/x/facts/dev.json' } })
    expect(CalError.from(new Error('something else'))).toMatchObject({ code: 'INTERNAL', hint: expect.stringContaining('bug in CAL') })
  })
})
