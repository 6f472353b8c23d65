import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { task, vmInfo } from '../test/fixtures'
import { StatusBanner, bannerFor, withShownAgent } from './StatusBanner'
import { SafetyReport } from './SafetyReport'
import { TaskProgress } from './TaskProgress'
import { launchBlocked, launchRows, snapshotPolicy } from './LaunchDialog'
import { SnapshotConfirmDialog, changedText, lossText, workingText } from './SnapshotConfirmDialog'
import { vmActions } from './VmOverview'
import { buildCommands, filterCommands } from '../commands'
import { SnapshotsPanel } from './SnapshotsView'
import { NumberSetting, SelectSetting, TextSetting, ToggleSetting } from './SettingFields'
import { LimitDialog, cleanVmWarning, slotHolders } from './Dialogs'
import { RunningPrograms } from './RunningPrograms'
import { runCountTitle, vmRowLabel, vmRowSub } from './Sidebar'
import { tartPathHelp, tartPathPlaceholder } from './SettingsView'
import { StateDot } from './StateDot'

/** Component-level harness: render to markup under Node and check what a user (or a screen reader) gets. */
describe('status banner', () => {
  it('is green and says isolation is active only while running', () => {
    expect(bannerFor({ state: 'running', ip: '192.168.64.2' })).toMatchObject({ tone: 'green', headline: 'ISOLATION ACTIVE' })
    // Running without an address: nothing reaches it, so not the green "all is well".
    expect(bannerFor({ state: 'running', ip: null })).toMatchObject({ tone: 'yellow', headline: 'RUNNING, NO ADDRESS' })
    expect(vmRowSub({ state: 'running', role: 'workspace', ip: null })).toBe('Running · no address')
    expect(vmRowSub({ state: 'running', role: 'clean', ip: '192.168.64.2' })).toBe('Running · clean · 192.168.64.2')
    expect(vmRowSub({ state: 'stopped', role: 'workspace', ip: null })).toBe('Stopped')
    expect(runCountTitle([])).toBe('macOS VMs running, of the two Apple allows at once')
    expect(runCountTitle(['dev.snap.before'])).toBe('macOS VMs running, of the two Apple allows at once, counting dev.snap.before: started outside CAL and not listed here (`tart stop dev.snap.before` stops it)')
    expect(bannerFor({ state: 'starting', ip: null }).tone).toBe('yellow')
    expect(bannerFor({ state: 'stopping', ip: null }).tone).toBe('yellow')
    // A suspend winds the VM down too: said as what it is.
    expect(bannerFor({ state: 'stopping', ip: null })).toMatchObject({ headline: 'STOPPING' })
    expect(bannerFor({ state: 'stopping', ip: null }, true)).toMatchObject({ tone: 'yellow', headline: 'SUSPENDING' })
    expect(bannerFor({ state: 'error', ip: null }).tone).toBe('red')
    expect(bannerFor({ state: 'stopped', ip: null }).tone).toBe('grey')
    expect(bannerFor({ state: 'suspended', ip: null }).tone).toBe('blue')
    const html = renderToStaticMarkup(<StatusBanner vm={vmInfo('dev', { state: 'running', ip: '192.168.64.2', agent: 'cursor' })} defaultAgent="claude" />)
    expect(html).toContain('role="status"')
    expect(html).toContain('data-tone="green"')
    expect(html).toMatch(/ISOLATION ACTIVE.*VM: dev.*Env: macOS, Cursor CLI.*Safe Mode/)
    // A Host tab in front: never "isolation active" over a shell on the Mac itself.
    const host = renderToStaticMarkup(<StatusBanner vm={vmInfo('dev', { state: 'running' })} defaultAgent="claude" onHost />)
    expect(host).toContain('data-tone="host"')
    expect(host).toMatch(/HOST SHELL, NOT ISOLATED.*run on this Mac, outside dev/)
    expect(host).not.toContain('ISOLATION ACTIVE')
  })
})

describe('git safety report', () => {
  const base = { vm: 'dev', checkedAt: '2025-01-10T12:00:00Z', summary: [] as string[], home: '/Users/admin', roots: [], scope: '', unreadable: [] }
  it('says clean when nothing would be lost, and where it looked', () => {
    const html = renderToStaticMarkup(<SafetyReport vm="dev" error={null} report={{ ...base, clean: true, repos: [] }} />)
    expect(html).toContain('data-clean="true"')
    expect(html).toContain('No git repositories found')
    const scoped = renderToStaticMarkup(<SafetyReport vm="dev" error={null} report={{ ...base, clean: true, repos: [], scope: 'found no git repositories under ~ (depth 6)' }} />)
    expect(scoped).toContain('No git repositories found in the VM (looked under ~ (depth 6)).')
  })

  it('lists what would be lost', () => {
    const repo = { path: '~/app', branch: 'feat', uncommitted: 3, untracked: 0, stashes: 1, unpushed: 2, unpublishedBranches: ['wip'], unpublishedCommits: 1, remotesInVm: [], linkedWorktree: false, errors: [], fingerprint: '' }
    const html = renderToStaticMarkup(<SafetyReport vm="dev" error={null} report={{ ...base, clean: false, repos: [repo], summary: ['~/app: 3 uncommitted changes'] }} />)
    expect(html).toContain('data-clean="false"')
    expect(html).toContain('~/app: 3 uncommitted changes')
    expect(html).toContain('<td><div>2</div><div>wip: on no remote</div></td>')
    expect(html).toContain('To keep this work, commit and push it from a terminal in dev')
  })

  it('does not show a bare 0 unpushed for branches no remote has: it names them', () => {
    const repo = { path: '~/proj', branch: 'feature', uncommitted: 0, untracked: 0, stashes: 0, unpushed: 0, unpublishedBranches: ['feature', 'master'], unpublishedCommits: 3, remotesInVm: [], linkedWorktree: false, errors: [], fingerprint: '' }
    const html = renderToStaticMarkup(<SafetyReport vm="dev" error={null} report={{ ...base, clean: false, repos: [repo], summary: ['~/proj (feature): branches feature, master on no remote'] }} />)
    expect(html).toContain('<td><div>feature, master: on no remote</div></td>')
  })

  it('says when the check itself failed', () => {
    const html = renderToStaticMarkup(<SafetyReport vm="dev" report={null} error={{ code: 'SSH_TIMEOUT', message: 'dev did not answer.', hint: 'Try again.' }} />)
    expect(html).toContain('data-clean="unknown"')
    expect(html).toContain('Try again.')
  })

  it('says a stopped VM cannot be checked, and offers to start it and check, not "Start it first" with no way to', () => {
    const html = renderToStaticMarkup(<SafetyReport vm="dev" report={null} error={{ code: 'VM_NOT_RUNNING', message: 'The VM "dev" is not running.', hint: 'Start it first.' }} />)
    expect(html).toContain('data-clean="unknown"')
    expect(html).toContain('dev is not running, so CAL cannot check it for git work that was never pushed.')
    expect(html).toContain('>Start dev and check</button>')
    expect(html).not.toContain('Start it first.')
    expect(html).not.toContain('Could not check')
  })

  it('wraps a repository path after its slashes, not inside a folder name', () => {
    const repo = { path: '/home/admin/proj', branch: 'main', uncommitted: 1, untracked: 0, stashes: 0, unpushed: 0, unpublishedBranches: [], unpublishedCommits: 0, remotesInVm: [], linkedWorktree: false, errors: [], fingerprint: '' }
    const html = renderToStaticMarkup(<SafetyReport vm="dev" error={null} report={{ ...base, clean: false, repos: [repo], summary: ['/home/admin/proj: 1 uncommitted change'] }} />)
    expect(html).toContain('<td>/<wbr/>home/<wbr/>admin/<wbr/>proj</td>')
  })
})

describe('task progress', () => {
  it('lists a start refused at the 2-VM limit as not started, not as a red failure', () => {
    const t = task('t', { title: 'Start dev', state: 'failed', error: { code: 'VM_LIMIT_REACHED', message: 'macOS allows only two VMs at once.', hint: '' } })
    const html = renderToStaticMarkup(<TaskProgress task={t} onCancel={() => {}} />)
    expect(html).toContain('class="task task-not-started"')
    expect(html).toContain('Not started')
    expect(html).not.toContain('role="alert"')
    const failed = renderToStaticMarkup(<TaskProgress task={{ ...t, error: { code: 'TART_FAILED', message: 'Tart failed.', hint: '' } }} onCancel={() => {}} />)
    expect(failed).toContain('Failed')
  })

  it('shows percent, bytes, ETA, steps and a cancel button', () => {
    const t = task('t', {
      title: 'Create dev',
      percent: 42,
      bytesDone: 10.2e9,
      bytesTotal: 24.3e9,
      etaSeconds: 312,
      cancellable: true,
      steps: [
        { id: 'pull', label: 'Pull image', state: 'running' },
        { id: 'boot', label: 'Boot', state: 'pending' },
      ],
    })
    const html = renderToStaticMarkup(<TaskProgress task={t} onCancel={() => {}} />)
    expect(html).toContain('aria-valuenow="42"')
    expect(html).toContain('10.2 GB of 24.3 GB')
    expect(html).toContain('about 5 m 12 s left')
    expect(html).toContain('Pull image')
    expect(html).toContain('>Cancel<')
  })

  it('shows the error and its hint when failed', () => {
    const html = renderToStaticMarkup(<TaskProgress task={task('t', { state: 'failed', error: { code: 'DISK_FULL', message: 'Disk full.', hint: 'Free space.' } })} />)
    expect(html).toContain('role="alert"')
    expect(html).toContain('Free space.')
    expect(html).not.toContain('progressbar')
  })

  it("shows the app's wording of a hint, not the command line's", () => {
    const error = { code: 'VM_NOT_RUNNING' as const, message: 'dev is not running.', hint: 'Start it with `cal start dev`.', appHint: 'Start it first.' }
    const html = renderToStaticMarkup(<TaskProgress task={task('t', { state: 'failed', error })} />)
    expect(html).toContain('Start it first.')
    expect(html).not.toContain('cal start')
  })

  it('says when a finished task ended', () => {
    const endedAt = new Date(Date.now() - 5 * 60_000).toISOString()
    expect(renderToStaticMarkup(<TaskProgress task={task('t', { state: 'succeeded', endedAt })} />)).toMatch(/Done · 5 minutes ago/)
  })
})

describe('confirmations', () => {
  it('lists the launch facts, with repository and backup when known', () => {
    const info = { vm: 'dev', vmState: 'running', agent: 'claude', agentLabel: 'Claude Code', isolated: true, repository: 'o/app', branch: 'main', lastBackupAt: null, autoSnapshot: true, warning: null, signedIn: null, signInPath: '~/.claude', command: 'claude', installed: null, running: null, snapshotShutsDown: false } as const
    expect(launchRows(info)).toEqual([
      ['Workspace', 'dev'],
      ['VM status', 'Running'],
      ['Isolation', 'Active: host filesystem protected'],
      ['Agent', 'Claude Code'],
      ['Repository', 'o/app (branch: main)'],
      ['Last session snapshot', 'never'],
    ])
    expect(launchRows({ ...info, signedIn: false })[4]).toEqual(['Signed in', 'Not yet (nothing in ~/.claude): it asks you to sign in when it starts'])
    expect(launchRows({ ...info, signedIn: true })[4]).toEqual(['Signed in', 'Yes'])
    // Not found where CAL looked: a hint before the launch, not a refusal.
    expect(launchRows({ ...info, installed: false })[4]).toEqual(['Installed', 'Not found in the VM: install claude there first, or its tab will say "command not found"'])
    expect(launchRows({ ...info, installed: true }).map(([k]) => k)).not.toContain('Installed')
    // An agent already at work is shown, not started again: no snapshot either.
    expect(launchRows({ ...info, installed: false, running: 'claude' })[4]).toEqual(['Already running', "claude, in the agent's session: Launch shows it and starts nothing"])
    expect(snapshotPolicy(true, 'claude')).toBe('None: the agent already runs, so Launch takes no snapshot.')
    expect(snapshotPolicy(true)).toMatch(/^A session snapshot is taken first/)
    // A running VM CAL cannot suspend is shut down for the snapshot: Launch says what that ends.
    expect(snapshotPolicy(true, null, true)).toBe(
      'A session snapshot is taken first; this VM cannot be suspended, so it is shut down for the snapshot and started again, which ends the programs running in it (Settings → Snapshots).',
    )
    expect(snapshotPolicy(false, null, true)).toMatch(/Backup first takes one before the agent starts; this VM cannot be suspended, so it is shut down/)
  })
  it('blocks Launch once the VM is no longer running, naming the app\'s button rather than a cal command', () => {
    expect(launchBlocked('dev', 'running')).toBeNull()
    expect(launchBlocked('dev', undefined)).toBeNull()
    expect(launchBlocked('dev', 'stopped')).toBe('dev is stopped now, so the agent cannot start. Start it with Start in its Overview, then launch the agent again.')
    expect(launchBlocked('dev', 'error')).toMatch(/^dev is in an error state now/)
    expect(launchBlocked('dev', 'suspended')).toMatch(/Resume it with Start in its Overview/)
    expect(launchBlocked('dev', 'starting')).toBe('dev is starting again, so the agent cannot start yet. Launch it once dev is running.')
    for (const state of ['stopped', 'stopping', 'suspended', 'error', 'starting'] as const) expect(launchBlocked('dev', state)).not.toMatch(/cal |--yes|--force/)
  })

  it('says what a restore, delete or rollback loses', () => {
    const snap = { name: 'before', vm: 'dev', tartName: 'dev--before', kind: 'manual' as const, createdAt: new Date().toISOString(), sizeGb: 1.5 }
    expect(lossText('restore', 'dev', snap, null)).toMatch(/since then is lost/)
    expect(lossText('delete', 'dev', snap, null)).toMatch(/"before" \(1.5 GB\) is deleted for good/)
    expect(lossText('rollback', 'dev', null, null)).toMatch(/last agent session \(never\)/)
  })

  it('says a restore or rollback of a running VM stops it and ends what runs in it', () => {
    const snap = { name: 'before', vm: 'dev', tartName: 'dev--before', kind: 'manual' as const, createdAt: new Date().toISOString(), sizeGb: 1.5 }
    expect(lossText('restore', 'dev', snap, null, true)).toMatch(/dev is stopped and started again: every program running in it .* ends/)
    expect(lossText('rollback', 'dev', null, null, true)).toMatch(/stopped and started again/)
    expect(lossText('restore', 'dev', snap, null, false)).not.toMatch(/stopped and started again/)
    expect(lossText('delete', 'dev', snap, null, true)).not.toMatch(/stopped/)
  })

  it('checks git only where the VM\'s work is at stake: not before deleting a snapshot', () => {
    const snap = { name: 'before', vm: 'dev', tartName: 'dev--before', kind: 'manual' as const, createdAt: new Date().toISOString(), sizeGb: 1.5 }
    const restore = renderToStaticMarkup(<SnapshotConfirmDialog action="restore" vm="dev" snapshot={snap} />)
    expect(restore).toContain('data-testid="safety-report"')
    // A stopped VM's check fails: a snapshot's delete sheet must neither warn of it nor ask for "Delete anyway".
    const del = renderToStaticMarkup(<SnapshotConfirmDialog action="delete" vm="dev" snapshot={snap} />)
    expect(del).not.toContain('safety-report')
    expect(del).not.toContain('anyway')
    expect(del).toMatch(/<button[^>]*data-testid="confirm-action"[^>]*>Delete<\/button>/)
    // Deleted for good: red, as every sheet's irreversible action is, not the blue of a harmless one.
    expect(del).toMatch(/<button[^>]*class="button destructive"[^>]*data-testid="confirm-action"/)
    expect(restore).toMatch(/<button[^>]*class="button destructive"[^>]*data-testid="confirm-action"/)
    expect(del).not.toMatch(/<button[^>]*disabled=""[^>]*data-testid="confirm-action"/)
  })
})

describe('a confirmation the engine refused', () => {
  it('names the repositories whose work changed, since the new report may read like the old one', () => {
    expect(changedText('dev', ['/Users/admin/app'])).toBe(
      'CAL checked dev again before going ahead: the work in /Users/admin/app changed since the report you read (its counts may even look the same), so nothing was changed. Read the report below again.',
    )
    expect(changedText('dev', [])).toMatch(/^CAL checked dev again before going ahead: the work at risk grew or changed since the report you read, so nothing was changed/)
  })

  it('waits while another task works on the VM, naming it, as the Snapshots tab does', () => {
    expect(workingText('dev', [])).toBeNull()
    expect(workingText('dev', [task('t1', { kind: 'snapshot', title: 'Snapshot dev as nightly', vm: 'dev' })])).toBe('Snapshot dev as nightly is in progress on dev: wait until it has finished, then confirm.')
  })
})

describe('the VM limit sheet', () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

  it('says the limit once and names each running VM once, with no command-line hint of CAL', () => {
    const shown = text(renderToStaticMarkup(<LimitDialog vm="c" running={['a', 'b']} />))
    expect(shown.match(/two macOS VMs/gi)).toHaveLength(1)
    expect(shown).toContain('To start c, stop one of these:')
    expect(shown).not.toMatch(/cal stop|at most two|only 2/)
    // A VM the app does not list (rendered without the store here) is named with how to stop it with Tart.
    expect(shown).toContain('a not a workspace: stop it with tart stop a')
  })

  it('says a slot is free once one is', () => {
    const shown = text(renderToStaticMarkup(<LimitDialog vm="c" running={['a']} />))
    expect(shown).toContain('A slot is free now: c can start.')
  })

  it('counts the running workspaces as listed now, and a running VM that is no workspace (a snapshot copy started with Tart)', () => {
    const vms = [vmInfo('a', { state: 'running', ip: '1.2.3.4' }), vmInfo('b'), vmInfo('c')]
    // b stopped since the error: its slot is free.
    expect(slotHolders(vms, ['a', 'b'], 'c')).toEqual(['a'])
    // The copy holds a slot: the sheet said "A slot is free now", and its Start failed again.
    expect(slotHolders(vms, ['a', 'b.snap.s-a'], 'c')).toEqual(['a', 'b.snap.s-a'])
    // The VM refused is not one of them, even while its start winds down.
    expect(slotHolders([...vms.slice(0, 2), vmInfo('c', { state: 'running' })], ['a'], 'c')).toEqual(['a'])
  })
})

describe('deleting the base VM', () => {
  it('warns what deleting it means instead of claiming a protection the sheet then lifts', () => {
    const warning = cleanVmWarning('cal-clean', false)
    expect(warning).not.toMatch(/protects it/)
    expect(warning).toMatch(/--force\); typing its name here deletes it all the same/)
    expect(warning).toMatch(/Workspaces already cloned from it .* stay as they are/)
    expect(warning).not.toMatch(/Settings/)
    expect(cleanVmWarning('cal-clean', true)).toMatch(/creating one fails until you change that setting/)
  })
})

describe('programs an action ends', () => {
  it('lists them as the Stop sheet does, and nothing when none runs', () => {
    const html = renderToStaticMarkup(<RunningPrograms lines={['cal-agent (the agent): claude', 'shell-1: npm test']} lead="Still running in dev:" />)
    expect(html).toContain('Still running in dev:')
    expect(html).toMatch(/<ul[^>]*aria-label="Running programs"[^>]*><li>cal-agent \(the agent\): claude<\/li><li>shell-1: npm test<\/li><\/ul>/)
    expect(renderToStaticMarkup(<RunningPrograms lines={[]} lead="Still running in dev:" />)).toBe('')
  })
})

describe('actions by state', () => {
  const enabled = (vm: ReturnType<typeof vmInfo>, busy = false) => vmActions(vm, busy).filter((a) => a.enabled).map((a) => a.testId)

  it('offers what makes sense for the state', () => {
    expect(enabled(vmInfo('a', { state: 'stopped' }))).toEqual(['vm-start', 'vm-snapshot'])
    expect(enabled(vmInfo('a', { state: 'running', ip: '1.2.3.4', lastSessionSnapshotAt: 'x' }))).toEqual([
      'vm-stop',
      'vm-restart',
      'vm-suspend',
      'vm-launch',
      'vm-terminal',
      'vm-snapshot',
      'vm-rollback',
      'vm-vnc',
    ])
    expect(enabled(vmInfo('a', { state: 'stopping' }))).toEqual([])
  })

  it('offers nothing that goes through SSH for a VM running without an address (its start gave up waiting)', () => {
    expect(enabled(vmInfo('a', { state: 'running', ip: null }))).toEqual(['vm-stop', 'vm-restart', 'vm-suspend', 'vm-snapshot'])
  })

  it('keeps only Stop, the terminal and Screen Sharing while a task works on the VM', () => {
    expect(enabled(vmInfo('a', { state: 'running', ip: '1.2.3.4' }), true)).toEqual(['vm-stop', 'vm-terminal', 'vm-vnc'])
  })

  it('palette offers every enabled action and finds by subsequence', () => {
    const vms = [vmInfo('alpha', { state: 'running', ip: '1.2.3.4' }), vmInfo('beta')]
    const commands = buildCommands({ vms, selected: vms[0]!, activeSession: null, theme: 'system', mod: '⌘' })
    expect(commands.map((c) => c.title)).toEqual(expect.arrayContaining(['Stop alpha', 'Launch agent alpha', 'Switch to beta', 'New workspace…']))
    expect(filterCommands(commands, 'switch beta')[0]?.title).toBe('Switch to beta')
    expect(filterCommands(commands, 'snap')[0]?.title).toBe('Snapshot alpha')
    expect(filterCommands(commands, 'zzzz')).toEqual([])
    expect(filterCommands(commands, 'delete alpha')[0]?.title).toBe('Delete alpha…')
    // Letters in order that start words or follow each other: not letters picked from anywhere.
    expect(filterCommands(commands, 'sw be')[0]?.title).toBe('Switch to beta')
    expect(filterCommands(commands, 'lag')[0]?.title).toBe('Launch agent alpha')
    expect(filterCommands(commands, 'snap').map((c) => c.title)).not.toContain('Use dark appearance')
  })

  it('palette offers what the toolbar does while a task works on the VM', () => {
    const vms = [vmInfo('alpha', { state: 'running', ip: '1.2.3.4', lastSessionSnapshotAt: 'x' })]
    const titles = buildCommands({ vms, selected: vms[0]!, activeSession: null, theme: 'system', mod: '⌘', busy: true }).map((c) => c.title)
    expect(titles).toContain('Stop alpha')
    for (const refused of ['Snapshot alpha', 'Roll back alpha', 'Launch agent alpha', 'Restart alpha', 'Suspend alpha']) expect(titles).not.toContain(refused)
  })
})

describe('snapshots while the VM is busy', () => {
  it('shows the task in progress and holds the snapshot commands until it ends', () => {
    const vm = vmInfo('dev', { state: 'running', ip: '1.2.3.4', lastSessionSnapshotAt: '2025-01-10T12:00:00Z' })
    const idle = renderToStaticMarkup(<SnapshotsPanel vm={vm} snapshots={[]} usage={null} working={[]} />)
    expect(idle).not.toMatch(/<button[^>]*disabled=""[^>]*data-testid="snapshot-create"/)
    expect(idle).not.toMatch(/<button[^>]*disabled=""[^>]*data-testid="rollback"/)
    const working = [task('t1', { kind: 'snapshot', title: 'Snapshot dev', vm: 'dev', state: 'running' })]
    const busy = renderToStaticMarkup(<SnapshotsPanel vm={vm} snapshots={[]} usage={null} working={working} />)
    expect(busy).toContain('data-task-kind="snapshot"')
    expect(busy).toMatch(/<button[^>]*disabled=""[^>]*data-testid="snapshot-create"/)
    expect(busy).toMatch(/<button[^>]*disabled=""[^>]*data-testid="rollback"/)
  })

  it('counts what a restore left beside the VM, and says nothing when there is none', () => {
    const vm = vmInfo('dev', { state: 'stopped' })
    const usage = (leftoverGb: number) => ({ totalGb: 30 + leftoverGb, freeGb: 100, vms: [{ name: 'dev', sizeGb: 30, snapshotsGb: 0, snapshotCount: 0, leftoverGb, deleted: false }] })
    expect(renderToStaticMarkup(<SnapshotsPanel vm={vm} snapshots={[]} usage={usage(12)} working={[]} />)).toMatch(/data-testid="restore-leftover"[^>]*>\+ 12(\.0)? GB left by a restore/)
    expect(renderToStaticMarkup(<SnapshotsPanel vm={vm} snapshots={[]} usage={usage(0)} working={[]} />)).not.toContain('restore-leftover')
  })
})

describe('settings fields', () => {
  it('says why a number is not saved instead of dropping it silently', () => {
    const html = renderToStaticMarkup(<NumberSetting label="Terminal font size" value={200} min={9} max={32} onCommit={() => {}} />)
    expect(html).toContain('aria-invalid="true"')
    expect(html).toContain('Not saved: use a whole number from 9 to 32.')
    expect(renderToStaticMarkup(<NumberSetting label="Font" value={13} min={9} max={32} onCommit={() => {}} />)).not.toContain('Not saved')
  })

  it('takes memory in GB to one decimal, and always shows the range beside what a value means', () => {
    const memory = renderToStaticMarkup(<NumberSetting label="Memory" unit="GB" decimals={1} value={6.5} min={1} max={1024} onCommit={() => {}} />)
    expect(memory).not.toContain('aria-invalid="true"')
    expect(memory).toContain('>1–1024<')
    const keep = renderToStaticMarkup(<NumberSetting label="Keep" value={3} min={0} max={100} onCommit={() => {}} help="0 keeps them all." />)
    expect(keep).toContain('0–100. 0 keeps them all.')
  })

  it('shows a long value whole on hover, but never a password', () => {
    expect(renderToStaticMarkup(<TextSetting label="Base image" value="ghcr.io/x/y:latest" onCommit={() => {}} />)).toContain('title="ghcr.io/x/y:latest"')
    expect(renderToStaticMarkup(<TextSetting label="Password" type="password" value="s3cret-pw" onCommit={() => {}} />)).not.toContain('title="s3cret-pw"')
  })

  it('links its help and its error line to the control, for every kind of setting', () => {
    /** The text a screen reader reads as the control's description: the elements aria-describedby names, in order. */
    const description = (html: string, control: RegExp) => {
      const tag = control.exec(html)?.[0] ?? ''
      const ids = /aria-describedby="([^"]*)"/.exec(tag)?.[1]?.split(' ') ?? []
      return ids.map((id) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1]).join(' | ')
    }
    const toggle = renderToStaticMarkup(<ToggleSetting label="Show in Dock" checked onChange={() => {}} help="Off keeps CAL in the menu bar only." />)
    expect(description(toggle, /<input[^>]*>/)).toContain('Off keeps CAL in the menu bar only.')
    const select = renderToStaticMarkup(<SelectSetting label="Theme" value="a" options={[['a', 'A']]} onChange={() => {}} help="Follows the system." />)
    expect(description(select, /<select[^>]*>/)).toContain('Follows the system.')
    const number = renderToStaticMarkup(<NumberSetting label="Keep" value={300} min={0} max={100} onCommit={() => {}} help="0 = no limit." />)
    expect(description(number, /<input[^>]*>/)).toBe('0–100. 0 = no limit. | Not saved: use a whole number from 0 to 100.')
    const text = renderToStaticMarkup(<TextSetting label="Password" value="" onCommit={() => {}} help="Used once." validate={() => 'Not saved: too short.'} />)
    expect(description(text, /<input[^>]*>/)).toBe('Used once. | Not saved: too short.')
    // A control without help or error text names nothing that is not there.
    const bare = renderToStaticMarkup(<ToggleSetting label="Notifications" checked onChange={() => {}} />)
    expect(bare).not.toContain('aria-describedby')
  })

  it('shows what a text validator refuses', () => {
    const html = renderToStaticMarkup(<TextSetting label="Base image" value="not an image!!" validate={(v) => (v.includes(' ') ? 'Not saved: bad image.' : '')} onCommit={() => {}} />)
    expect(html).toContain('aria-invalid="true"')
    expect(html).toContain('Not saved: bad image.')
  })
})

describe('the agent the banner and overview name', () => {
  it('is the one Launch starts: Settings → Workspaces over the agent chosen at create, else that one, else the default', () => {
    expect(withShownAgent(vmInfo('ws', { agent: 'opencode' }), { ws: 'cursor' }).agent).toBe('cursor')
    expect(withShownAgent(vmInfo('ws', { agent: 'opencode' }), { other: 'cursor' }).agent).toBe('opencode')
    expect(withShownAgent(vmInfo('ws', { agent: null }), undefined).agent).toBe(null)
    const html = renderToStaticMarkup(<StatusBanner vm={withShownAgent(vmInfo('ws', { state: 'running', agent: null }), { ws: 'cursor' })} defaultAgent="claude" />)
    expect(html).toContain('Cursor CLI')
  })
})

describe('a workspace row in the sidebar', () => {
  it('has one name that says the state once', () => {
    expect(vmRowLabel(vmInfo('cal-clean', { state: 'stopped', role: 'clean' }), false)).toBe('cal-clean, Stopped, clean')
    expect(vmRowLabel(vmInfo('dev', { state: 'running', ip: '192.168.64.3' }), true)).toBe('dev, Running, 192.168.64.3, a terminal rang the bell')
    expect(vmRowLabel(vmInfo('dev', { state: 'stopping' }), false, true)).toBe('dev, Suspending')
    // The dot beside a written-out state is skipped by screen readers; on its own it still says the state.
    expect(renderToStaticMarkup(<StateDot state="stopped" decorative />)).toContain('aria-hidden="true"')
    expect(renderToStaticMarkup(<StateDot state="stopped" decorative />)).not.toContain('aria-label')
    expect(renderToStaticMarkup(<StateDot state="stopped" />)).toContain('aria-label="Stopped"')
  })
})

describe('Settings → Tart path', () => {
  const status = { tartFound: true, tartPath: 'tart', tartPathFixed: null, tartVersion: '2.0', calHome: '/c', runningMacVms: 0, macVmLimit: 2, platform: 'darwin', appVersion: '1' }
  it('says what an empty path means now, not that Tart is on PATH when it was not found', () => {
    expect(tartPathPlaceholder({ ...status, tartFound: false, tartPath: null })).toBe('Not found on PATH: type the path to tart')
    expect(tartPathPlaceholder(status)).toBe('Found on PATH')
    expect(tartPathHelp(status)).toBeUndefined()
    expect(tartPathHelp({ ...status, tartPathFixed: '/opt/tart' })).toBe('CAL was started with a Tart path of its own (/opt/tart), so it uses that Tart. A path saved here applies when CAL starts without one.')
    expect(tartPathPlaceholder({ ...status, tartPath: '/opt/homebrew/bin/tart' })).toBe('Found: /opt/homebrew/bin/tart')
    expect(tartPathPlaceholder(null)).toBe('Looking for Tart…')
  })

  it('shows what the engine found wrong with the saved path on the field', () => {
    const html = renderToStaticMarkup(<TextSetting label="Tart path" value="/nowhere/tart" problem={'Tart was not found (looked for "/nowhere/tart").'} onCommit={() => {}} />)
    expect(html).toContain('aria-invalid="true"')
    expect(html).toContain('Tart was not found (looked for &quot;/nowhere/tart&quot;).')
  })
})
