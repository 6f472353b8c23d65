import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { createEngine } from '../../src/core/engine'
import { TART_PATH } from '../sim/harness'

const homes: string[] = []
afterEach(() => homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true })))

it('a Tart path set in Settings applies at once, without restarting the engine', async () => {
  const calHome = mkdtempSync(join(tmpdir(), 'cal-tartpath-'))
  homes.push(calHome)
  const saved = process.env.CAL_TART
  delete process.env.CAL_TART
  try {
    const engine = createEngine({ calHome })
    await engine.handlers['settings:set']({ tartPath: join(calHome, 'no-such-tart') })
    expect(await engine.handlers['app:status']({})).toMatchObject({ tartFound: false })
    await engine.handlers['settings:set']({ tartPath: TART_PATH })
    expect(await engine.handlers['app:status']({})).toMatchObject({ tartFound: true, tartPath: TART_PATH, tartVersion: '2.32.1' })
    await engine.dispose()
  } finally {
    if (saved !== undefined) process.env.CAL_TART = saved
  }
})
