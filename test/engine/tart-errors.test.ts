import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mapTartFailure, firstLine } from '../../src/core/tart/errors'
import { TartDriver } from '../../src/core/tart/driver'

const fail = (args: string[], exitCode: number, stderr: string, stdout = '') => mapTartFailure({ args, exitCode, stderr, stdout })
const USAGE = "Usage: tart clone <source-name> <new-name>\n  See 'tart clone --help' for more information.\n"

describe('mapTartFailure: the three error paths', () => {
  it('path A: bare runtime messages, exit 2', () => {
    expect(fail(['get', 'x'], 2, 'the specified VM "x" does not exist\n').code).toBe('VM_NOT_FOUND')
    expect(fail(['stop', 'x'], 2, 'VM "x" is not running\n').code).toBe('VM_NOT_RUNNING')
    expect(fail(['run', 'x'], 2, 'VM "x" is already running!\n').code).toBe('VM_ALREADY_RUNNING')
  })

  it('path C: `run` reports a missing VM with "Error: " and exit 1', () => {
    const e = fail(['run', 'x'], 1, 'Error: the specified VM "x" does not exist\n')
    expect(e.code).toBe('VM_NOT_FOUND')
    expect(e.details?.vm).toBe('x')
  })

  it('reads the doubled suspend message', () => {
    const e = fail(['suspend', 'dev'], 2, 'VM "VM "dev" is not running" is not running\n')
    expect(e.code).toBe('VM_NOT_RUNNING')
    expect(e.message).toContain('"dev"')
  })

  it('names the running VMs on the system limit, with and without the hint', () => {
    const e = fail(['run', 'c'], 1, 'The number of VMs exceeds the system limit (other running VMs: a, b)\n')
    expect(e.code).toBe('VM_LIMIT_REACHED')
    expect(e.details?.running).toEqual(['a', 'b'])
    expect(e.message).toContain('a and b are already running')
    expect(e.hint).toContain('cal stop a')
    expect(fail(['run', 'c'], 1, 'The number of VMs exceeds the system limit\n').code).toBe('VM_LIMIT_REACHED')
  })

  it('path B: validation errors with a usage block, exit 64', () => {
    const e = fail(['clone', 'a', 'x/y'], 64, `Error: x/y should be a local name\n${USAGE}`)
    expect(e.code).toBe('NAME_INVALID')
    expect(fail(['rename', 'a', 'b'], 64, `Error: failed to rename VM a, target VM b already exists, delete it first!\n${USAGE}`).code).toBe('VM_EXISTS')
    expect(fail(['rename', 'a', 'b'], 64, `Error: failed to rename a non-existent local VM: a\n${USAGE}`).code).toBe('VM_NOT_FOUND')
  })

  it('delete of a running VM', () => {
    const e = fail(['delete', 'dev'], 1, 'VM "dev" is running\n')
    expect(e.code).toBe('VM_ALREADY_RUNNING')
    expect(e.hint).toContain('cal stop dev')
  })

  it('out of space (NSCocoaErrorDomain 640 / ENOSPC) is DISK_FULL', () => {
    const e = fail(['clone', 'a', 'b'], 1, 'Error: Error Domain=NSCocoaErrorDomain Code=640 "You can’t save the file because the volume is out of space." UserInfo={NSUnderlyingError=0x6 {Error Domain=NSPOSIXErrorDomain Code=28 "No space left on device"}}\n')
    expect(e.code).toBe('DISK_FULL')
  })

  it('registry 404 and unparseable names are IMAGE_NOT_FOUND', () => {
    expect(fail(['pull', 'ghcr.io/x/y'], 1, 'Error: UnexpectedHTTPStatusCode(when: "pulling manifest", code: 404, details: "")\n').code).toBe('IMAGE_NOT_FOUND')
    expect(fail(['pull', 'a b'], 1, "failed to parse remote name: mismatched input at ' ' (character 1)\n").code).toBe('IMAGE_NOT_FOUND')
  })

  it('no IP: boot timeout, or not running', () => {
    expect(fail(['ip', 'a'], 1, 'no IP address found\n').code).toBe('VM_BOOT_TIMEOUT')
    expect(fail(['ip', 'a'], 1, 'no IP address found, is your VM running?\n').code).toBe('VM_NOT_RUNNING')
    // The hints name the VM, so that they can be run as they are.
    const late = fail(['ip', 'dev', '--wait', '180'], 1, 'no IP address found\n')
    expect(late.message).toBe('"dev" did not get an IP address in time.')
    expect(late.hint).toBe('It was left running and may still be booting: see `cal status dev`; if it gets no address, `cal restart dev` or `cal stop dev`, and check its log under CAL_HOME/logs.')
  })

  it('resource minimums are INVALID_INPUT', () => {
    expect(fail(['set', 'a'], 1, 'Error: LessThanMinimalResourcesError: VM should have 4 CPU cores at minimum (requested 2)\n').code).toBe('INVALID_INPUT')
  })

  it('anything else is TART_FAILED with Tart\'s own stderr', () => {
    const e = fail(['export', 'a'], 1, 'Error: something odd\n')
    expect(e.code).toBe('TART_FAILED')
    expect(e.message).toContain('something odd')
    expect(e.details?.stderr).toContain('something odd')
    expect(e.hint).not.toBe('')
  })

  it('firstLine prefers stderr, then stdout, without the Error: prefix', () => {
    expect(firstLine({ stderr: '\nError: boom\nmore', stdout: 'x' })).toBe('boom')
    expect(firstLine({ stderr: '', stdout: 'out\n' })).toBe('out')
  })
})

describe('TartDriver process errors', () => {
  it('a missing executable is TART_NOT_FOUND with the install command', async () => {
    const t = new TartDriver({ tartPath: '/nonexistent/tart' })
    const err = await t.list().catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'TART_NOT_FOUND' })
    expect((err as { hint: string }).hint).toContain('brew install cirruslabs/cli/tart')
  })

  it('a Tart that hangs past its time limit is stuck, not cancelled (execa ends it with SIGTERM)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cal-hangtart-'))
    const hang = join(dir, 'tart')
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 })
    try {
      const err = await new TartDriver({ tartPath: hang }).list({ timeoutMs: 1000 }).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'TART_FAILED', message: 'tart list did not finish within 1 s.', hint: 'Tart may be stuck; check `tart list` and try again.' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses unsafe names before they reach Tart', async () => {
    const t = new TartDriver({ tartPath: '/nonexistent/tart' })
    await expect(t.get('../etc')).rejects.toMatchObject({ code: 'NAME_INVALID' })
    await expect(t.delete('a b')).rejects.toMatchObject({ code: 'NAME_INVALID' })
  })

  it('resolves --tart, then CAL_TART, then tart on PATH', () => {
    expect(new TartDriver({ tartPath: '/x/tart', env: { CAL_TART: '/y' } }).path).toBe('/x/tart')
    expect(new TartDriver({ env: { CAL_TART: '/y/tart' } }).path).toBe('/y/tart')
    expect(new TartDriver({ env: {} }).path).toBe('tart')
  })
})

describe('a Tart path that is not Tart', () => {
  it('a failure with nothing said names the command to run by hand, not "the message is Tart\'s own"', () => {
    const e = fail(['list', '--format', 'json'], 1, '')
    expect(e.message).toBe('tart list failed with exit code 1')
    expect(e.hint).toBe('Tart said nothing: run `tart list --format json` by hand, and check that the Tart path (--tart, CAL_TART, or Settings → Tart path in the app) is Tart.')
    expect(fail(['list'], 1, 'Error: boom\n').hint).toBe("The message is Tart's own; run the same tart command by hand for more detail.")
  })

  it('output that is not JSON points at every place the Tart path comes from, not only CAL_TART', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cal-not-tart-'))
    try {
      const path = join(dir, 'tart')
      writeFileSync(path, '#!/bin/sh\necho hello\n', { mode: 0o755 })
      await expect(new TartDriver({ tartPath: path }).list()).rejects.toMatchObject({
        code: 'TART_FAILED',
        hint: 'Check that the Tart path (--tart, CAL_TART, or Settings → Tart path in the app) is Tart: `tart --version` names its version.',
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
