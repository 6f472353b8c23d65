import { useEffect, useRef, useState, type FormEvent } from 'react'
import { AgentId, type CreateVmInput, type VmInfo } from '../../../shared/vm'
import { defaultSettings } from '../../../shared/settings'
import { useSettings } from '../store/settings'
import { useTasks } from '../store/tasks'
import { useUi } from '../store/ui'
import { useVms } from '../store/vms'
import { cancelTask, createVm } from '../actions'
import { baseImageError, numberError, vmNameError } from '../validate'
import { memoryGb, memoryMb, VM_FIELDS } from '../format'
import { appHintOf, type CalErrorData } from '../../../shared/errors'
import { Modal } from './Modal'
import { TaskProgress } from './TaskProgress'
import { AGENT_LABEL } from './StatusBanner'

/**
 * New workspace: a short form, then the pull and setup progress of the task it started. The task's id lives in the
 * dialog's state, so a failure the sheet shows is not repeated in a toast (report.ts, events.ts).
 */
export function CreateVmDialog() {
  const close = useUi((s) => s.closeDialog)
  const dialog = useUi((s) => (s.dialog?.kind === 'create' ? s.dialog : null))
  const taskId = dialog?.taskId ?? null
  const input = dialog?.input
  const task = useTasks((s) => (taskId ? s.byId[taskId] : undefined))
  const onStarted = (id: string, asked: CreateVmInput) => {
    useUi.getState().openDialog({ kind: 'create', taskId: id, input: asked })
    // A task that ended before its id came back was reported as a toast: the sheet says it now.
    useUi.getState().dismissToast(`task:${id}`)
  }
  const running = !task || task.state === 'running'
  const failed = task?.state === 'failed'
  const done = useRef<HTMLButtonElement>(null)
  // The task's Cancel button goes when it ends, and the keyboard with it (to the page): it goes to Done (or Close).
  useEffect(() => {
    const sheet = done.current?.closest('[role="dialog"]')
    if (!running && (document.activeElement === document.body || !sheet?.contains(document.activeElement))) done.current?.focus()
  }, [running])
  if (!taskId) return <CreateForm key={input ? 'again' : 'new'} initial={input} onStarted={onStarted} onClose={close} />
  return (
    <Modal
      title="Creating workspace"
      onClose={close}
      wide
      testId="create-progress"
      footer={
        <>
          {failed && input && (
            // Back to the form with what was typed (a refused size, a mistyped image), rather than from scratch.
            <button type="button" className="button" onClick={() => useUi.getState().openDialog({ kind: 'create', input })} data-testid="create-edit">
              Edit and try again
            </button>
          )}
          <button ref={done} type="button" className="button primary" onClick={close} data-testid="create-close">
            {running ? 'Hide' : failed ? 'Close' : 'Done'}
          </button>
        </>
      }
    >
      {task ? (
        <TaskProgress task={task} onCancel={(id) => void cancelTask(id)} />
      ) : (
        <p role="status">
          <span className="spinner" aria-hidden="true" /> Starting…
        </p>
      )}
      {running && <p className="muted">You can hide this window: the work goes on, and Activity shows it.</p>}
    </Modal>
  )
}

/** A number field of the form, kept as typed: emptied, it stays empty and says so (Number('') would be 0). */
function NumberField({ id, label, value, onChange, error, show }: { id: string; label: string; value: string; onChange: (v: string) => void; error: string; show: boolean }) {
  const flagged = show && Boolean(error)
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div>
        <input
          id={id}
          className={flagged ? 'field narrow invalid' : 'field narrow'}
          type="number"
          required
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={flagged}
          aria-describedby={`${id}-error`}
        />
        <div id={`${id}-error`} className="field-error" role="status">
          {show && error}
        </div>
      </div>
    </>
  )
}

/** The VMs a workspace is most often cloned from first (cal-init, cal-dev, cal-clean), then the others. */
function baseCandidates(vms: VmInfo[]): string[] {
  const rank = (v: VmInfo) => ['init', 'dev', 'clean'].indexOf(v.role)
  return [...vms].sort((a, b) => (rank(a) < 0 ? 9 : rank(a)) - (rank(b) < 0 ? 9 : rank(b))).map((v) => v.name)
}

function CreateForm({ initial, onStarted, onClose }: { initial?: CreateVmInput; onStarted: (taskId: string, input: CreateVmInput) => void; onClose: () => void }) {
  const stored = useSettings((s) => s.view?.settings ?? null)
  const defaults = stored ?? defaultSettings()
  const vms = useVms((s) => s.vms)
  const taken = vms.map((v) => v.name)
  const [name, setName] = useState(initial?.name ?? '')
  const [image, setImage] = useState(initial?.image ?? defaults.vmDefaults.baseImage)
  const [cpu, setCpu] = useState(String(initial?.cpu ?? defaults.vmDefaults.cpu))
  const [memory, setMemory] = useState(String(memoryGb(initial?.memoryMb ?? defaults.vmDefaults.memoryMb)))
  const [disk, setDisk] = useState(String(initial?.diskGb ?? defaults.vmDefaults.diskGb))
  const [agent, setAgent] = useState<AgentId>(initial?.agent ?? defaults.defaultAgent)
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  // A refusal of the create call itself: shown here, since a toast would sit under this sheet's backdrop.
  const [failure, setFailure] = useState<CalErrorData | null>(null)
  const nameErr = vmNameError(name, taken)
  const imageErr = baseImageError(image, taken)
  // Whole cores and gigabytes of disk, as the engine's schema takes them: 2.5 cores would pass here and fail there.
  const cpuErr = numberError(cpu, VM_FIELDS.cpu)
  const memoryErr = numberError(memory, VM_FIELDS.memoryGb)
  const diskErr = numberError(disk, VM_FIELDS.diskGb)
  const valid = !nameErr && !imageErr && !cpuErr && !memoryErr && !diskErr
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setTouched(true)
    if (!valid || busy) return
    setBusy(true)
    setFailure(null)
    const input: CreateVmInput = { name: name.trim(), image: image.trim(), cpu: Number(cpu), memoryMb: memoryMb(Number(memory)), diskGb: Number(disk), agent }
    const started = await createVm(input)
    setBusy(false)
    if ('taskId' in started) onStarted(started.taskId, input)
    else setFailure(started.error)
  }
  return (
    <Modal
      title="New workspace"
      onClose={onClose}
      testId="create-dialog"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="create-form" className="button primary" disabled={busy || (touched && !valid)} data-testid="create-submit">
            Create
          </button>
        </>
      }
    >
      <form id="create-form" className="form-grid" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor="vm-name">Name</label>
        <div>
          <input
            id="vm-name"
            className={name && nameErr ? 'field invalid' : 'field'}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="my-workspace"
            autoFocus
            autoComplete="off"
            spellCheck={false}
            aria-invalid={Boolean(name && nameErr)}
            aria-describedby="vm-name-error"
            data-testid="create-name"
          />
          <div id="vm-name-error" className="field-error" role="status">
            {(name || touched) && nameErr}
          </div>
        </div>
        <label htmlFor="vm-image">Base image</label>
        <div>
          <input
            id="vm-image"
            className={imageErr ? 'field invalid' : 'field'}
            value={image}
            onChange={(e) => setImage(e.target.value)}
            spellCheck={false}
            list="vm-image-options"
            aria-invalid={Boolean(imageErr)}
            aria-describedby="vm-image-error"
          />
          {/* The seeds' chain: a workspace cloned from cal-init (or cal-dev, cal-clean), as well as from an image. */}
          <datalist id="vm-image-options">
            {[...new Set([defaults.vmDefaults.baseImage, ...baseCandidates(vms)])].map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
          {/* What the field takes, in the error's place while there is none. */}
          <div id="vm-image-error" className={imageErr ? 'field-error' : 'field-error field-note'} role="status">
            {imageErr || 'An image, or a VM on this Mac to clone (such as cal-init).'}
          </div>
        </div>
        {/* A field's problem shows as soon as it is edited away from its default, or on Create. */}
        <NumberField id="vm-cpu" label="CPU cores" value={cpu} onChange={setCpu} error={cpuErr} show={touched || cpu !== String(defaults.vmDefaults.cpu)} />
        <NumberField id="vm-mem" label="Memory (GB)" value={memory} onChange={setMemory} error={memoryErr} show={touched || memory !== String(memoryGb(defaults.vmDefaults.memoryMb))} />
        <NumberField id="vm-disk" label="Disk (GB)" value={disk} onChange={setDisk} error={diskErr} show={touched || disk !== String(defaults.vmDefaults.diskGb)} />
        <label htmlFor="vm-agent">Agent</label>
        <select id="vm-agent" className="field narrow" value={agent} onChange={(e) => setAgent(AgentId.parse(e.target.value))}>
          {AgentId.options.map((a) => (
            <option key={a} value={a}>
              {AGENT_LABEL[a]}
            </option>
          ))}
        </select>
      </form>
      {failure && (
        <div className="callout callout-error" role="alert" data-testid="create-error">
          <strong>{failure.message}</strong> {appHintOf(failure)}
        </div>
      )}
    </Modal>
  )
}
