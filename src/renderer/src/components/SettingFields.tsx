import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react'
import { numberProblem, numberRuleText } from '../validate'

/**
 * The control's aria-describedby: its help (the range, what 0 means, what Off does) and, for a field that can refuse a
 * value, its error line, so a screen reader reads both with the control and not only when the pointer passes them.
 */
function describedBy(id: string, help: string | undefined, validates: boolean): string | undefined {
  const ids = [help ? `${id}-help` : '', validates ? `${id}-error` : ''].filter(Boolean)
  return ids.length > 0 ? ids.join(' ') : undefined
}

/** Settings rows in the System Settings style: label left, control right, applied as soon as committed. */
export function Row({ label, htmlFor, help, error, children }: { label: string; htmlFor: string; help?: string; error?: string; children: ReactNode }) {
  return (
    <div className="setting-row">
      <div className="setting-label">
        <label htmlFor={htmlFor}>{label}</label>
        {help && (
          <div id={`${htmlFor}-help`} className="setting-help">
            {help}
          </div>
        )}
        {/* For a field that can refuse a value: always in the page (empty when fine), so screen readers announce the
            message as it appears. */}
        {error !== undefined && (
          <div id={`${htmlFor}-error`} className="field-error" role="status">
            {error}
          </div>
        )}
      </div>
      <div className="setting-control">{children}</div>
    </div>
  )
}

/**
 * A field's commit, run on blur and Enter by the field, and here once more when the field goes from the page: a
 * shortcut that changes the view (Ctrl+Shift+2, Ctrl+Shift+T) removes the field without a blur, and the edit would be
 * lost. `commit` saves only a valid edit that was not saved yet, so running it again is harmless.
 */
function useCommitOnUnmount(commit: () => void): void {
  const latest = useRef(commit)
  useLayoutEffect(() => {
    latest.current = commit
  })
  useEffect(() => () => latest.current(), [])
}

/**
 * Text committed on blur or Enter (or when the field goes, see useCommitOnUnmount), so every keystroke does not write
 * the settings file. A value `validate` refuses
 * stays in the field with the reason next to it, and is not saved.
 */
export function TextSetting(props: {
  label: string
  value: string
  onCommit: (v: string) => void
  help?: string
  type?: 'text' | 'password'
  placeholder?: string
  validate?: (v: string) => string
  /**
   * What is wrong with the saved value, found after saving it (the Tart path, checked by the engine): shown as an
   * error until the value is edited, without stopping it from being saved.
   */
  problem?: string
}) {
  const id = useId()
  const [draft, setDraft] = useState(props.value)
  useEffect(() => setDraft(props.value), [props.value])
  const error = props.validate?.(draft) ?? ''
  const shown = error || (draft === props.value ? (props.problem ?? '') : '')
  // What was last handed to onCommit: a blur then the field's removal save it once.
  const sent = useRef<string | null>(null)
  const commit = () => {
    if (error || draft === props.value || draft === sent.current) return
    sent.current = draft
    props.onCommit(draft)
  }
  useCommitOnUnmount(commit)
  return (
    <Row label={props.label} htmlFor={id} help={props.help} error={shown}>
      <input
        id={id}
        className={shown ? 'field invalid' : 'field'}
        type={props.type ?? 'text'}
        value={draft}
        // The whole value on hover, for a long image reference; never for a password.
        title={props.type === 'password' ? undefined : draft}
        aria-invalid={Boolean(shown)}
        aria-describedby={describedBy(id, props.help, true)}
        placeholder={props.placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => {
          sent.current = null
          setDraft(e.target.value)
        }}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </Row>
  )
}

/**
 * A number committed on blur or Enter, or when the field goes. Emptied, the field stays empty and says a value is required (Number('') is 0,
 * which would be saved otherwise); out of range, it says why. Either way the saved value stays until a valid one.
 */
export function NumberSetting(props: {
  label: string
  value: number
  min: number
  max: number
  onCommit: (v: number) => void
  /** Digits allowed after the point (memory in GB: 1); whole numbers by default. */
  decimals?: number
  unit?: string
  /** What the value means, beyond its range (which is always shown), e.g. what 0 does. */
  help?: string
}) {
  const id = useId()
  const [draft, setDraft] = useState(String(props.value))
  useEffect(() => setDraft(String(props.value)), [props.value])
  const rule = { min: props.min, max: props.max, decimals: props.decimals }
  const problem = numberProblem(draft, rule)
  const n = Number(draft)
  const sent = useRef<number | null>(null)
  const commit = () => {
    if (problem || n === props.value || n === sent.current) return
    sent.current = n
    props.onCommit(n)
  }
  useCommitOnUnmount(commit)
  const saved = `${props.value}${props.unit ? ` ${props.unit}` : ''}`
  const error =
    problem === 'required'
      ? `Required: ${numberRuleText(rule)}. ${saved} stays saved until then.`
      : problem === 'invalid'
        ? `Not saved: use ${numberRuleText(rule)}.`
        : ''
  const range = `${props.min}–${props.max}`
  const help = props.help ? `${range}. ${props.help}` : range
  return (
    <Row label={props.label} htmlFor={id} help={help} error={error}>
      <input
        id={id}
        className={problem ? 'field narrow invalid' : 'field narrow'}
        type="number"
        min={props.min}
        max={props.max}
        step={props.decimals ? 'any' : 1}
        required
        value={draft}
        aria-invalid={Boolean(problem)}
        aria-describedby={describedBy(id, help, true)}
        onChange={(e) => {
          sent.current = null
          setDraft(e.target.value)
        }}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      {props.unit && <span className="unit">{props.unit}</span>}
    </Row>
  )
}

export function ToggleSetting(props: { label: string; checked: boolean; onChange: (v: boolean) => void; help?: string; disabled?: boolean }) {
  const id = useId()
  return (
    <Row label={props.label} htmlFor={id} help={props.help}>
      <input
        id={id}
        type="checkbox"
        role="switch"
        className="switch"
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={describedBy(id, props.help, false)}
        onChange={(e) => props.onChange(e.target.checked)}
      />
    </Row>
  )
}

export function SelectSetting<T extends string>(props: { label: string; value: T; options: Array<[T, string]>; onChange: (v: T) => void; help?: string }) {
  const id = useId()
  return (
    <Row label={props.label} htmlFor={id} help={props.help}>
      <select id={id} className="field narrow" value={props.value} aria-describedby={describedBy(id, props.help, false)} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    </Row>
  )
}

export function Group({ title, children }: { title: string; children: ReactNode }) {
  const id = useId()
  return (
    <section className="settings-group" aria-labelledby={id}>
      <h3 id={id} className="group-title">
        {title}
      </h3>
      <div className="group-box">{children}</div>
    </section>
  )
}
