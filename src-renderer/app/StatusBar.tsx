import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Icon } from '../components/Icon';
import { useMachines } from '../features/machines/store';
import { runningCount, useTasks } from '../features/tasks/store';
import { useConnection } from './connection-store';
import { useUi } from './ui-store';

export function StatusBar() {
  const { t } = useTranslation();
  const connection = useConnection((s) => s.state);
  const counts = useMachines((s) => {
    let running = 0;
    let total = 0;
    for (const vm of Object.values(s.byId)) {
      total++;
      if (vm.state === 'running' || vm.state === 'starting' || vm.state === 'stopping' || vm.state === 'paused') running++;
    }
    return `${total}:${running}`;
  });
  const [total, running] = counts.split(':').map(Number) as [number, number];
  const tasks = useTasks((s) => s.tasks);
  const busyTasks = runningCount(tasks);
  const open = useUi((s) => s.taskPanelOpen);
  const toggle = useUi((s) => s.toggleTaskPanel);
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className={`conn conn-${connection}`} role="status" data-testid="connection" data-state={connection}>
        <span className="conn-dot" aria-hidden="true" />
        {connection === 'connected' ? t('status.connected') : t('status.reconnecting')}
        <span className="muted"> · {api.kind === 'electron' ? t('status.desktop') : t('status.browser')}</span>
      </span>
      <span className="status-vms">{t('status.machines', { count: total, running })}</span>
      <span className="footer-spacer" />
      <button type="button" className={`status-tasks${open ? ' active' : ''}`} aria-pressed={open} onClick={() => toggle()} data-testid="tasks-toggle">
        {busyTasks > 0 ? <span className="spinner small" aria-hidden="true" /> : <Icon name="tasks" size={14} />}
        {busyTasks > 0 ? t('status.tasksRunning', { count: busyTasks }) : t('status.tasks')}
      </button>
    </footer>
  );
}
