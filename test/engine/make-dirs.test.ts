import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeDirs, makeDirsSync } from '../../src/core/store/make-dirs'

const root = mkdtempSync(join(tmpdir(), 'cal-make-dirs-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('makeDirs', () => {
  it('makes the missing levels with the mode asked for, and accepts a folder that exists', async () => {
    const deep = join(root, 'a', 'b', 'c')
    await makeDirs(deep, 0o700)
    expect(statSync(deep).isDirectory()).toBe(true)
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700)
    await makeDirs(deep)
    makeDirsSync(join(root, 'd', 'e'))
    expect(existsSync(join(root, 'd', 'e'))).toBe(true)
  })

  it('fails with the error where a level cannot be made: a file in the way', async () => {
    writeFileSync(join(root, 'file'), 'x')
    await expect(makeDirs(join(root, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' })
    expect(() => makeDirsSync(join(root, 'file', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }))
    // The folder itself taken by a file, as Node's mkdir says it.
    await expect(makeDirs(join(root, 'file'))).rejects.toMatchObject({ code: 'EEXIST' })
    expect(() => makeDirsSync(join(root, 'file'))).toThrow(expect.objectContaining({ code: 'EEXIST' }))
  })

  // Node's own recursive mkdir never returns there (a CAL_HOME under /proc left `cal` spinning).
  it.skipIf(process.platform !== 'linux')('fails at once where the kernel refuses a folder that has an existing parent', async () => {
    await expect(makeDirs('/proc/cal-no-such/x')).rejects.toMatchObject({ code: 'ENOENT' })
    expect(() => makeDirsSync('/proc/cal-no-such')).toThrow(expect.objectContaining({ code: 'ENOENT' }))
  })
})
