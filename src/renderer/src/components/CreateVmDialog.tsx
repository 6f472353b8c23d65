import { useState, type FormEvent } from 'react'
import { AgentId, type CreateVmInput } from '../../../shared/vm'
import { ImageRef } from '../../../shared/names'
import { defaultSettings } from '../../../shared/settings'
import { useSettings } from '../store/settings'
import { useTasks } from '../store/tasks'
import { useUi } from '../store/ui'
import { useVms } from '../store/vms'
import { cancelTask, createVm } from '../actions'
import { vmNameError } from '../validate'
import { Modal } from './Modal'
import { TaskProgress } from './TaskProgress'
import { AGENT_LABEL } from './StatusBanner'

/** New workspace: a short form, then the pull and setup progress of the task it started. */
export function CreateVmDialog() {
  const close = useUi((s) => s.closeDialog)
  const [taskId, setTaskId] = useState<string | null>(null)
  const task = useTasks((s) => (taskId ? s.byId[taskId] : undefined))
  if (!taskId) return <CreateForm onStarted={setTaskId} onClose={close} />
  const running = !task || task.state === 'running'
  return (
    <Modal
      title="Creating workspace"
      onClose={close}
      wide
      testId="create-progress"
      footer={
        <button type="button" className="button primary" onClick={close} data-testid="create-close">
          {running ? 'Hide' : 'Done'}
        </button>
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

function CreateForm({ onStarted, onClose }: { onStarted: (taskId: string) => void; onClose: () => void }) {
  const stored = useSettings((s) => s.view?.settings ?? null)
  const defaults = stored ?? defaultSettings()
  const vms = useVms((s) => s.vms)
  const taken = vms.map((v) => v.name)
  const [name, setName] = useState('')
  const [image, setImage] = useState(defaults.vmDefaults.baseImage)
  const [cpu, setCpu] = useState(defaults.vmDefaults.cpu)
  const [memoryGb, setMemoryGb] = useState(defaults.vmDefaults.memoryMb / 1024)
  const [diskGb, setDiskGb] = useState(defaults.vmDefaults.diskGb)
  const [agent, setAgent] = useState<AgentId>(defaults.defaultAgent)
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const nameErr = vmNameError(name, taken)
  const imageErr = ImageRef.safeParse(image.trim()).success ? '' : 'Use an image reference such as ghcr.io/cirruslabs/macos-sequoia-base:latest'
  // Whole cores and gigabytes, as the engine's schema takes them: 2.5 cores would pass here and fail there, with the
  // error toast under this sheet's backdrop.
  const numbersOk =
    Number.isInteger(cpu) && cpu >= 1 && cpu <= 64 && memoryGb >= 1 && memoryGb <= 1024 && Number.isInteger(diskGb) && diskGb >= 20 && diskGb <= 4000
  const valid = !nameErr && !imageErr && numbersOk
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setTouched(true)
    if (!valid || busy) return
    setBusy(true)
    const input: CreateVmInput = { name: name.trim(), image: image.trim(), cpu, memoryMb: Math.round(memoryGb * 1024), diskGb, agent }
    const taskId = await createVm(input)
    setBusy(false)
    if (taskId) onStarted(taskId)
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
          <input id="vm-image" className={imageErr ? 'field invalid' : 'field'} value={image} onChange={(e) => setImage(e.target.value)} spellCheck={false} aria-invalid={Boolean(imageErr)} aria-describedby="vm-image-error" />
          <div id="vm-image-error" className="field-error" role="status">
            {imageErr}
          </div>
        </div>
        <label htmlFor="vm-cpu">CPU cores</label>
        <input id="vm-cpu" className="field narrow" type="number" min={1} max={64} value={cpu} onChange={(e) => setCpu(Number(e.target.value))} />
        <label htmlFor="vm-mem">Memory (GB)</label>
        <input id="vm-mem" className="field narrow" type="number" min={1} max={1024} value={memoryGb} onChange={(e) => setMemoryGb(Number(e.target.value))} />
        <label htmlFor="vm-disk">Disk (GB)</label>
        <input id="vm-disk" className="field narrow" type="number" min={20} max={4000} value={diskGb} onChange={(e) => setDiskGb(Number(e.target.value))} />
        <label htmlFor="vm-agent">Agent</label>
        <select id="vm-agent" className="field narrow" value={agent} onChange={(e) => setAgent(AgentId.parse(e.target.value))}>
          {AgentId.options.map((a) => (
            <option key={a} value={a}>
              {AGENT_LABEL[a]}
            </option>
          ))}
        </select>
      </form>
      {!numbersOk && <p className="field-error">CPU 1–64 whole cores, memory 1–1024 GB, disk 20–4000 whole GB.</p>}
    </Modal>
  )
}
