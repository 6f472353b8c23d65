// The git safety check in a simulated VM (a real sshd guest; the session user is admin, not root): a folder the
// session cannot read may hide unpushed work, so it is named and the VM counts as not checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimHost, type SimHost } from '../sim/harness'
import { createSimEngine, stopEverything, type SimEngine } from './sim-engine'

const isRoot = process.getuid?.() === 0
const T = 90_000

describe.skipIf(!isRoot)('git safety check: folders the VM user cannot read', () => {
  let host: SimHost
  let eng: SimEngine

  beforeAll(async () => {
    host = await createSimHost()
    eng = await createSimEngine(host)
    await eng.svc.create({ name: 'dev' }).done
    await eng.svc.start('dev').done
  }, T)
  afterAll(async () => {
    if (host) await stopEverything(host)
    await host?.cleanup()
    await eng?.dispose()
  })

  it('a locked folder with unpushed work in it is named in the report, by cal check and by the guard', async () => {
    expect((await eng.svc.checkGit('dev')).clean).toBe(true)
    const script = [
      'set -e',
      'mkdir -p ~/private/app && cd ~/private/app',
      'git init -q -b main . && git -c user.name=a -c user.email=a@b commit -q --allow-empty -m "only here"',
      'chmod 000 ~/private',
    ].join('\n')
    expect((await eng.exec('dev', `sh -c '${script}'`)).code).toBe(0)

    const report = await eng.svc.checkGit('dev')
    expect(report.clean).toBe(false)
    expect(report.repos).toEqual([])
    expect(report.unreadable).toEqual([{ path: '/home/admin/private', reason: 'denied' }])
    const line = "~/private: not checked, its permissions keep the VM's user out (to let CAL check it, make it readable)"
    expect(report.summary).toEqual([line, 'found no git repositories under ~ (depth 6)'])

    const check = await eng.cal(['check', 'dev'])
    expect(check.code).toBe(6)
    expect(check.stdout).toBe(`dev: not everything could be checked:\n  - ${line}\n(found no git repositories under ~ (depth 6))\n`)
    const json = await eng.cal(['check', 'dev', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ clean: false, unreadable: [{ path: '/home/admin/private', reason: 'denied' }] })

    // Deleting the VM without --yes is refused, with the folder on stderr; the VM is still there.
    const del = await eng.cal(['delete', 'dev'])
    expect(del.code).toBe(6)
    expect(del.stderr).toContain(`  - ${line}\n`)
    // Nothing is known to be at risk: the guard says what it could not check, and how to let it.
    expect(del.stderr).toContain('CAL could not check everything in "dev" before the delete')
    expect(del.stderr).toContain('Let CAL read the folders it could not check (see above), or confirm the delete (--yes) to go ahead.')
    expect((await eng.svc.get('dev')).state).toBe('running')
  }, T)
})
