import { useRef, useState } from 'react'
import { TAB_NAME_MAX } from '../store/tabNames'

/** How renaming ended: Enter and a click elsewhere keep the name typed, Escape the one before. */
export type RenameEnd = { how: 'enter' | 'blur'; name: string } | { how: 'escape' }

/** A tab's title as a text field, over the tab (which keeps its role and name meanwhile). */
export function TabNameField({ initial, placeholder, onEnd }: { initial: string; placeholder: string; onEnd: (end: RenameEnd) => void }) {
  const [value, setValue] = useState(initial)
  // Enter and Escape unmount the field, which may blur it too: only the first ending counts.
  const ended = useRef(false)
  const end = (e: RenameEnd) => {
    if (ended.current) return
    ended.current = true
    onEnd(e)
  }
  return (
    <input
      className="field tab-rename"
      aria-label="Tab name"
      data-testid="tab-rename"
      autoFocus
      spellCheck={false}
      maxLength={TAB_NAME_MAX}
      placeholder={placeholder}
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onFocus={(e) => e.currentTarget.select()}
      onBlur={() => end({ how: 'blur', name: value })}
      onKeyDown={(e) => {
        if (e.key === 'Enter') end({ how: 'enter', name: value })
        else if (e.key === 'Escape') end({ how: 'escape' })
        else return
        e.preventDefault()
        e.stopPropagation()
      }}
    />
  )
}
