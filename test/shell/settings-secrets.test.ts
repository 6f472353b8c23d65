import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { agentFor } from '../../src/core/agent/handlers'
import { createFileSettingsStore } from '../../src/core/settings/file-store'
import { settingsHandlers } from '../../src/core/settings/handlers'
import { defaultSettings } from '../../src/shared/settings'

it('a settings file that is not JSON never puts the SSH password into the view the window gets', async () => {
  const home = mkdtempSync(join(tmpdir(), 'cal-leak-'))
  try {
    // A hand edit that forgot the quotes around the password: JSON.parse's message quotes the text around the fault.
    writeFileSync(join(home, 'settings.json'), '{"version":1,"ssh":{"user":"admin","password":Hunter2Secret,"unlockKeychain":true}}')
    const view = await settingsHandlers(createFileSettingsStore(home))['settings:get']({})
    expect(view.settings.ssh.password).toBe('')
    expect(view.warning).toMatch(/not valid JSON/)
    expect(view.warning).not.toMatch(/Hunter2/)
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})

it('a VM named like an Object.prototype member gets the default agent', () => {
  for (const vm of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) expect(agentFor(defaultSettings(), vm)).toBe('claude')
})
