import { useMemo, useState, type KeyboardEvent } from 'react'
import { buildCommands, filterCommands } from '../commands'
import { activeTab, useSessions } from '../store/sessions'
import { useSettings } from '../store/settings'
import { useTasks } from '../store/tasks'
import { useUi } from '../store/ui'
import { useVms } from '../store/vms'
import { Modal } from './Modal'

/** ⌘K: every action by name, as a combobox over a listbox. */
export function CommandPalette({ mod }: { mod: string }) {
  const close = () => useUi.getState().setPaletteOpen(false)
  const vms = useVms((s) => s.vms)
  const selectedName = useVms((s) => s.selected)
  const sessions = useSessions((s) => s.sessions)
  const activeByContext = useSessions((s) => s.activeByContext)
  const theme = useSettings((s) => s.view?.settings.theme ?? 'system')
  const busy = useTasks((s) => Object.values(s.byId).some((t) => t.state === 'running' && t.vm !== null && t.vm === selectedName))
  const [query, setQuery] = useState('')
  const [index, setIndex] = useState(0)
  const commands = useMemo(() => {
    const selected = vms.find((v) => v.name === selectedName) ?? null
    // The tab the terminal view shows: in a new window, before any tab was picked, its first.
    const activeSession = activeTab(sessions, activeByContext, selectedName)
    return buildCommands({ vms, selected, activeSession, theme, mod, busy })
  }, [vms, selectedName, sessions, activeByContext, theme, mod, busy])
  const results = filterCommands(commands, query).slice(0, 50)
  const current = Math.min(index, Math.max(0, results.length - 1))
  const run = (i: number) => {
    const command = results[i]
    if (!command) return
    close()
    command.run()
  }
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      const step = e.key === 'ArrowDown' ? 1 : -1
      setIndex((current + step + results.length) % Math.max(1, results.length))
    } else if (e.key === 'Enter') {
      e.preventDefault()
      run(current)
    }
  }
  return (
    <Modal title={<span className="visually-hidden">Command palette</span>} onClose={close} testId="palette">
      <input
        className="field palette-input"
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={results[current] ? `cmd-${results[current].id}` : undefined}
        aria-label="Search actions"
        placeholder="Type an action or a workspace…"
        value={query}
        autoFocus
        onChange={(e) => {
          setQuery(e.target.value)
          setIndex(0)
        }}
        onKeyDown={onKeyDown}
        data-testid="palette-input"
      />
      <ul id="palette-list" role="listbox" className="palette-list" aria-label="Actions">
        {results.map((c, i) => (
          <li
            key={c.id}
            id={`cmd-${c.id}`}
            role="option"
            aria-selected={i === current}
            className={i === current ? 'palette-item current' : 'palette-item'}
            onMouseMove={() => setIndex(i)}
            onClick={() => run(i)}
          >
            <span>{c.title}</span>
            <span className="palette-group">{c.group}</span>
            {c.hint && <kbd>{c.hint}</kbd>}
          </li>
        ))}
        {results.length === 0 && <li className="palette-empty">No matching action.</li>}
      </ul>
    </Modal>
  )
}
