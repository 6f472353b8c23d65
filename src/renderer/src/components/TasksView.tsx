import { useShallow } from 'zustand/react/shallow'
import { orderTasks, useTasks } from '../store/tasks'
import { cancelTask } from '../actions'
import { TaskProgress } from './TaskProgress'
import { useEscapeBack } from '../hooks/useEscapeBack'

/** Activity: every task the engine knows, running first. */
export function TasksView() {
  const tasks = useTasks(useShallow((s) => orderTasks(Object.values(s.byId))))
  const pane = useEscapeBack()
  return (
    <div ref={pane} tabIndex={-1} className="pane-scroll" data-testid="tasks-view">
      {tasks.length === 0 ? (
        <div className="empty small">
          <p>Nothing has run yet.</p>
          <p className="muted">Image pulls, starts, snapshots and restores show their progress here.</p>
        </div>
      ) : (
        tasks.map((t) => <TaskProgress key={t.id} task={t} onCancel={(id) => void cancelTask(id)} />)
      )}
    </div>
  )
}
