import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { session } from '../test/fixtures'
import { useSessions } from './sessions'
import { defaultTabTitle, loadTabNames, namesFor, saveTabNames, stripTitle, TAB_NAME_MAX, tabTitle, TMUX_NAMES_KEPT, withTabName } from './tabNames'

/** The page's localStorage, as a Map. */
function fakeStorage(): Map<string, string> {
  const map = new Map<string, string>()
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  })
  return map
}

beforeEach(() => {
  useSessions.setState({ sessions: [], messages: {}, activeByContext: {}, attention: {}, names: {}, dismissed: {}, renaming: null })
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('tab names', () => {
  it('shows the name given, else the default title', () => {
    const s = session('s1', 'dev', { title: 'dev: shell-1' })
    expect(tabTitle(s, {})).toBe('dev: shell-1')
    expect(tabTitle(s, { s1: 'build' })).toBe('build')
    // In the VM's own strip, without the VM's name in front; a name the user gave stays as given.
    expect(stripTitle(s, {})).toBe('shell-1')
    expect(stripTitle(s, { s1: 'dev: mine' })).toBe('dev: mine')
    expect(stripTitle(s, { s1: 'build' })).toBe('build')
    expect(defaultTabTitle(session('h', null, { kind: 'host', title: '' }))).toBe('Host')
  })

  it('trims and folds spaces, cuts long names, and an empty name restores the default', () => {
    expect(withTabName({}, 's1', '  tests   and\tlint ')).toEqual({ s1: 'tests and lint' })
    expect(withTabName({ s1: 'a', s2: 'b' }, 's1', '   ')).toEqual({ s2: 'b' })
    expect(withTabName({}, 's1', 'x'.repeat(200)).s1).toHaveLength(TAB_NAME_MAX)
  })

  it('forgets the names of tabs that are gone, and keeps the same object when nothing is', () => {
    const names = { s1: 'a', gone: 'b' }
    expect(namesFor(names, [session('s1', 'dev')])).toEqual({ s1: 'a' })
    const kept = { s1: 'a' }
    expect(namesFor(kept, [session('s1', 'dev')])).toBe(kept)
  })

  it("keeps names in the page's storage, and reads junk there as none", () => {
    const storage = fakeStorage()
    saveTabNames({ s1: 'build' })
    expect(loadTabNames()).toEqual({ s1: 'build' })
    storage.set('cal.tabNames', '{not json')
    expect(loadTabNames()).toEqual({})
    storage.set('cal.tabNames', JSON.stringify({ s1: 42 }))
    expect(loadTabNames()).toEqual({})
  })

  it('renames through the store, saves it, and a tab that closes takes its name with it', () => {
    const storage = fakeStorage()
    const store = useSessions.getState()
    store.add(session('s1', 'dev'), 'dev')
    store.add(session('s2', 'dev'), 'dev')
    store.setRenaming('s1')
    store.rename('s1', 'server')
    store.rename('s2', 'tests')
    expect(useSessions.getState().names).toEqual({ s1: 'server', s2: 'tests' })
    expect(JSON.parse(storage.get('cal.tabNames')!)).toEqual({ s1: 'server', s2: 'tests' })
    store.remove('s1')
    expect(useSessions.getState()).toMatchObject({ names: { s2: 'tests' }, renaming: null })
    expect(JSON.parse(storage.get('cal.tabNames')!)).toEqual({ s2: 'tests' })
    // The engine's list after a reload: names of its sessions stay.
    store.setAll([session('s2', 'dev')])
    expect(useSessions.getState().names).toEqual({ s2: 'tests' })
    store.rename('s2', '')
    expect(useSessions.getState().names).toEqual({})
  })
})

describe('a dismissed note', () => {
  it('stays dismissed when a reload lists it again, until the engine says something else; forgotten with its tab', async () => {
    const storage = fakeStorage()
    const ended = 'The VM restarted, and "shell-1" ended with it.'
    const store = useSessions.getState()
    store.setAll([{ ...session('s1', 'dev'), message: ended }])
    expect(useSessions.getState().messages.s1).toBe(ended)
    store.dismissMessage('s1')
    expect(useSessions.getState().messages.s1).toBeNull()
    expect(JSON.parse(storage.get('cal.dismissedNotes')!)).toEqual({ s1: ended })
    // A new page: what it keeps comes from storage, and the engine lists the same note. It came back before.
    const { loadBySession, BySession } = await import('./pageStorage')
    useSessions.setState({ messages: {}, dismissed: loadBySession('cal.dismissedNotes', BySession(4000)) })
    useSessions.getState().setAll([{ ...session('s1', 'dev'), message: ended }])
    expect(useSessions.getState().messages.s1).toBeNull()
    useSessions.getState().setState('s1', 'reconnecting', 'The connection to the VM was lost.')
    expect(useSessions.getState().messages.s1).toBe('The connection to the VM was lost.')
    useSessions.getState().remove('s1')
    expect(JSON.parse(storage.get('cal.dismissedNotes')!)).toEqual({})
  })
})

describe("a tmux session's name", () => {
  it('outlives its tab: a tab reattached to the session has it, until the session is ended from CAL', () => {
    fakeStorage()
    const store = useSessions.getState()
    store.add(session('s1', 'dev', { tmuxSession: 'shell-2' }), 'dev')
    store.rename('s1', 'build 日本 server')
    expect(useSessions.getState().names).toEqual({ 'tmux:dev:shell-2': 'build 日本 server' })
    // Closing the tab detaches it: it came back as "shell-2" before.
    store.remove('s1')
    store.add(session('s9', 'dev', { tmuxSession: 'shell-2' }), 'dev')
    expect(tabTitle(useSessions.getState().sessions[0]!, useSessions.getState().names)).toBe('build 日本 server')
    // Another VM's session of the same name is another session.
    expect(tabTitle(session('s3', 'other', { tmuxSession: 'shell-2', title: 'other: shell-2' }), useSessions.getState().names)).toBe('other: shell-2')
    store.forgetName('dev', 'shell-2')
    expect(useSessions.getState().names).toEqual({})
  })

  it('takes over a name kept by tab id before, and keeps only the latest TMUX_NAMES_KEPT', () => {
    const tab = session('s1', 'dev', { tmuxSession: 'shell-1' })
    expect(namesFor({ s1: 'old style', gone: 'x' }, [tab])).toEqual({ 'tmux:dev:shell-1': 'old style' })
    const many = Object.fromEntries(Array.from({ length: TMUX_NAMES_KEPT + 5 }, (_, i) => [`tmux:dev:s-${i}`, `n${i}`]))
    const kept = namesFor(many, [])
    expect(Object.keys(kept)).toHaveLength(TMUX_NAMES_KEPT)
    expect(kept['tmux:dev:s-4']).toBeUndefined()
    expect(kept[`tmux:dev:s-${TMUX_NAMES_KEPT + 4}`]).toBe(`n${TMUX_NAMES_KEPT + 4}`)
    expect(namesFor(kept, [])).toBe(kept)
  })
})
