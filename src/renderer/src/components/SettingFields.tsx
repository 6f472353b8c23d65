import { useEffect, useId, useState, type ReactNode } from 'react'

/** Settings rows in the System Settings style: label left, control right, applied as soon as committed. */
export function Row({ label, htmlFor, help, error, children }: { label: string; htmlFor?: string; help?: string; error?: string; children: ReactNode }) {
  return (
    <div className="setting-row">
      <div className="setting-label">
        <label htmlFor={htmlFor}>{label}</label>
        {help && <div className="setting-help">{help}</div>}
        {/* Always in the page (empty when fine), so screen readers announce the message as it appears. */}
        {htmlFor && (
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
 * Text committed on blur or Enter, so every keystroke does not write the settings file. A value `validate` refuses
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
}) {
  const id = useId()
  const [draft, setDraft] = useState(props.value)
  useEffect(() => setDraft(props.value), [props.value])
  const error = props.validate?.(draft) ?? ''
  const commit = () => !error && draft !== props.value && props.onCommit(draft)
  return (
    <Row label={props.label} htmlFor={id} help={props.help} error={error}>
      <input
        id={id}
        className={error ? 'field invalid' : 'field'}
        type={props.type ?? 'text'}
        value={draft}
        // The whole value on hover, for a long image reference; never for a password.
        title={props.type === 'password' ? undefined : draft}
        aria-invalid={Boolean(error)}
        aria-describedby={`${id}-error`}
        placeholder={props.placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </Row>
  )
}

export function NumberSetting(props: { label: string; value: number; min: number; max: number; onCommit: (v: number) => void; unit?: string; help?: string }) {
  const id = useId()
  const [draft, setDraft] = useState(String(props.value))
  useEffect(() => setDraft(String(props.value)), [props.value])
  const n = Number(draft)
  const valid = draft.trim() !== '' && Number.isInteger(n) && n >= props.min && n <= props.max
  // An invalid number stays in the field with the reason, unsaved: reverting it silently on blur hid that it was refused.
  const commit = () => {
    if (valid && n !== props.value) props.onCommit(n)
  }
  return (
    <Row label={props.label} htmlFor={id} help={props.help ?? `${props.min}–${props.max}`} error={valid ? '' : `Not saved: use a whole number from ${props.min} to ${props.max}.`}>
      <input
        id={id}
        className={valid ? 'field narrow' : 'field narrow invalid'}
        type="number"
        min={props.min}
        max={props.max}
        value={draft}
        aria-invalid={!valid}
        aria-describedby={`${id}-error`}
        onChange={(e) => setDraft(e.target.value)}
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
      <input id={id} type="checkbox" role="switch" className="switch" checked={props.checked} disabled={props.disabled} onChange={(e) => props.onChange(e.target.checked)} />
    </Row>
  )
}

export function SelectSetting<T extends string>(props: { label: string; value: T; options: Array<[T, string]>; onChange: (v: T) => void; help?: string }) {
  const id = useId()
  return (
    <Row label={props.label} htmlFor={id} help={props.help}>
      <select id={id} className="field narrow" value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
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
