import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// The engine and the contract must run under plain Node: a file there that imports Electron breaks the CLI,
// the browser host and every engine test. Scan the source text, so even a type-only or dynamic import counts.
const ELECTRON_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]electron(?:\/[^'"]*)?['"]/

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(c|m)?(t|j)sx?$/.test(name) ? [path] : []
  })
}

describe('layers', () => {
  for (const layer of ['src/core', 'src/shared']) {
    it(`${layer} never imports electron`, () => {
      const offenders = sourceFiles(layer).filter((f) => ELECTRON_IMPORT.test(readFileSync(f, 'utf8'))).map((f) => relative('.', f))
      expect(offenders).toEqual([])
    })
  }

  it('the check itself catches the ways of importing electron', () => {
    for (const text of ["import { app } from 'electron'", 'import type { App } from "electron"', "await import('electron')", "require('electron')", "import 'electron'", "export * from 'electron/main'"]) {
      expect(ELECTRON_IMPORT.test(text), text).toBe(true)
    }
    expect(ELECTRON_IMPORT.test("import Store from 'electron-store'")).toBe(false)
  })
})
