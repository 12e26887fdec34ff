import { useTranslation } from 'react-i18next';
import type { TaskInfo } from '../../../src-main/api/contract';
import { Button, IconButton } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { useUi } from '../../app/ui-store';
import { useTasks } from './store';
import { formatDateTime } from '../../i18n/format';
import { engineText } from '../../i18n/engine-text';
import { useMachines } from '../machines/store';
import { useImages } from '../images/store';
import { useStorage } from '../storage/store';

function TaskRow({ task }: { task: TaskInfo }) {
  const { t } = useTranslation();
  const cancel = useTasks((s) => s.cancel);
  const vms = useMachines((s) => s.byId);
  const images = useImages((s) => s.images);
  const volumes = useStorage((s) => s.volumes);
  // what the task made or touched, by name: ids ("imageId: 4f2d…") mean nothing to a person
  const named: Record<string, (id: string) => string | undefined> = {
    vmId: (id) => vms[id]?.name,
    imageId: (id) => images.find((i) => i.id === id)?.name,
    volumeId: (id) => volumes.find((v) => v.id === id)?.name,
  };
  const resultText = task.result
    ? Object.entries(task.result)
        .map(([k, v]) => {
          const lookup = named[k];
          if (lookup) {
            const name = typeof v === 'string' ? lookup(v) : undefined;
            return name ? `${t(`newUser.taskResult.${k}`)}: ${name}` : null;
          }
          if (/Id$/.test(k) || typeof v === 'object') return null;
          return `${k}: ${String(v)}`;
        })
        .filter((x): x is string => x !== null)
        .join(' · ') || null
    : null;
  return (
    <li className={`task task-${task.state}`} data-testid="task">
      <div className="task-head">
        <strong className="task-title">{task.title}</strong>
        <span className={`task-state task-state-${task.state}`}>{t(`tasks.state.${task.state}`)}</span>
        {task.state === 'running' && task.cancellable && (
          <Button className="btn-small" onClick={() => void cancel(task.id)} data-testid="task-cancel">
            {t('common.cancel')}
          </Button>
        )}
      </div>
      {task.state === 'running' && <ProgressBar value={task.progress} label={task.title} />}
      {task.message && <p className="task-message">{task.message}</p>}
      {task.error && (
        <p className="task-error" role="alert">
          <Icon name="error" size={14} /> {engineText(task.error.message)}
        </p>
      )}
      {task.state === 'succeeded' && resultText && <p className="task-result muted">{resultText}</p>}
      <p className="task-time muted">{formatDateTime(task.createdAt)}</p>
    </li>
  );
}

/** Long operations: live progress, cancel, and how each one ended. Toggled from the status bar. */
export function TaskPanel() {
  const { t } = useTranslation();
  const tasks = useTasks((s) => s.tasks);
  const clearFinished = useTasks((s) => s.clearFinished);
  const toggle = useUi((s) => s.toggleTaskPanel);
  const finished = tasks.some((task) => task.state !== 'running');
  return (
    <aside className="task-panel" aria-label={t('tasks.title')} data-testid="task-panel">
      <header className="task-panel-head">
        <h2>{t('tasks.title')}</h2>
        <span className="footer-spacer" />
        {finished && (
          <Button className="btn-small" variant="ghost" onClick={() => void clearFinished()}>
            {t('tasks.clearFinished')}
          </Button>
        )}
        <IconButton icon="close" label={t('tasks.hide')} onClick={() => toggle(false)} />
      </header>
      {tasks.length === 0 ? (
        <EmptyState title={t('tasks.none')}>
          <p className="muted">{t('tasks.noneHint')}</p>
        </EmptyState>
      ) : (
        <ul className="task-list">
          {tasks.map((task) => (
            <TaskRow key={task.id} task={task} />
          ))}
        </ul>
      )}
    </aside>
  );
}
