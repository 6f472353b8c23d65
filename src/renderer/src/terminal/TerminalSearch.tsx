import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react'
import type { ISearchOptions } from '@xterm/addon-search'
import { Icon } from '../components/icons'
import { findResultLabel, type FindResults } from '../format'
import { onTerminalThemeChange, type TermEntry } from './registry'
import { searchDecorations } from './theme'

type Results = FindResults | null

/**
 * The find bar over a terminal (⌘F / Ctrl+Shift+F): every match highlighted, the current one marked, a count,
 * previous / next (Shift+Enter / Enter), match case and regular expression toggles; Escape closes it and gives
 * the keyboard back to the terminal.
 */
export function TerminalSearch({ entry, focusRequest, onClose }: { entry: TermEntry; focusRequest: number; onClose: () => void }) {
  const [query, setQuery] = useState('')
  const [caseSensitive, setCaseSensitive] = useState(false)
  const [regex, setRegex] = useState(false)
  const [results, setResults] = useState<Results>(null)
  const [invalid, setInvalid] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => {
    input.current?.focus()
    input.current?.select()
  }, [focusRequest])

  useEffect(() => {
    const sub = entry.search.onDidChangeResults(({ resultIndex, resultCount }) => setResults({ index: resultIndex, count: resultCount }))
    return () => {
      sub.dispose()
      entry.search.clearDecorations()
    }
  }, [entry])

  const options = (): ISearchOptions => ({
    caseSensitive,
    regex,
    decorations: searchDecorations(entry.term.options.theme),
  })

  /**
   * 'previous' searches up from the match shown, or from the bottom when none is: typing finds the newest match first
   * (the one on screen, as a local terminal does), not the oldest one 10,000 lines up, and typing on keeps it.
   */
  const find = (direction: 'next' | 'previous', text = query) => {
    if (!text) {
      entry.search.clearDecorations()
      setResults(null)
      setInvalid(false)
      return
    }
    if (regex && !validPattern(text)) {
      entry.search.clearDecorations()
      setInvalid(true)
      return
    }
    setInvalid(false)
    if (direction === 'next') entry.search.findNext(text, options())
    else entry.search.findPrevious(text, options())
  }

  // A changed toggle or theme searches again from where the user is. The addon (0.16) does not notice changed
  // options for the same text, so its cached term is dropped first.
  const again = useRef(() => {})
  again.current = () => {
    entry.search.clearDecorations()
    find('previous', query)
  }
  useEffect(() => again.current(), [caseSensitive, regex]) // only the toggles: typing searches in onChange
  useEffect(() => onTerminalThemeChange(() => again.current()), [])

  const close = () => {
    entry.search.clearDecorations()
    onClose()
    entry.term.focus()
  }

  const onKey = (ev: ReactKeyboardEvent<HTMLInputElement>) => {
    if (ev.key === 'Escape') {
      ev.preventDefault()
      close()
    } else if (ev.key === 'Enter') {
      // The first match is the newest: Enter goes on up to older ones, Shift+Enter back down.
      ev.preventDefault()
      find(ev.shiftKey ? 'next' : 'previous')
    }
  }

  const label = findResultLabel(results, query, invalid)
  const toggle = (on: boolean, set: (v: boolean) => void, title: string, text: string, testId: string) => (
    <button
      type="button"
      className={on ? 'find-toggle on' : 'find-toggle'}
      aria-pressed={on}
      title={title}
      onClick={() => {
        set(!on)
        input.current?.focus()
      }}
      data-testid={testId}
    >
      {text}
    </button>
  )

  return (
    <div className="terminal-find" role="search" data-testid="terminal-find">
      <input
        ref={input}
        aria-label="Find in terminal"
        placeholder="Find"
        value={query}
        spellCheck={false}
        onChange={(ev) => {
          setQuery(ev.target.value)
          find('previous', ev.target.value)
        }}
        onKeyDown={onKey}
        data-testid="terminal-find-input"
      />
      {toggle(caseSensitive, setCaseSensitive, 'Match case', 'Aa', 'terminal-find-case')}
      {toggle(regex, setRegex, 'Regular expression', '.*', 'terminal-find-regex')}
      <span className={invalid ? 'find-count invalid' : 'find-count'} aria-live="polite" data-testid="terminal-find-count">
        {label}
      </span>
      <button type="button" className="find-button" title="Older match, up (Enter)" aria-label="Older match" onClick={() => find('previous')} disabled={!query}>
        <Icon name="up" />
      </button>
      <button type="button" className="find-button" title="Newer match, down (Shift+Enter)" aria-label="Newer match" onClick={() => find('next')} disabled={!query}>
        <Icon name="down" />
      </button>
      <button type="button" className="find-button" title="Close (Escape)" aria-label="Close find" onClick={close}>
        <Icon name="close" />
      </button>
    </div>
  )
}

function validPattern(text: string): boolean {
  try {
    new RegExp(text)
    return true
  } catch {
    return false
  }
}
