import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmInfo } from '../../../src-main/api/contract';
import { api } from '../../api';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { consoleRoute, isVmActive } from './console-logic';
import { openDetached } from './open-window';
import { TerminalView } from './TerminalView';
import { VncDisplay } from './VncDisplay';
import './consoles.css';

type View = 'screen' | 'serial';

/** A VM's serial console as a terminal (scrollback + live), re-attaching while the VM runs. */
export function SerialConsole({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const open = useCallback(() => api.call('channel.open', { kind: 'serial', vm: vm.id }), [vm.id]);
  return (
    <TerminalView
      open={open}
      available={isVmActive(vm.state)}
      unavailableText={t('console.vmStopped', { name: vm.name })}
      reattach
      sendSize={false}
      testKey={`serial-${vm.id}`}
      label={t('console.serialToolbar')}
    />
  );
}

/**
 * The Console tab (and the detached console window): the graphical screen when the VM has one,
 * the serial console always; a stopped VM gets a clear message instead of a dead canvas.
 */
export function VmConsole({ vm, detached = false }: { vm: VmInfo; detached?: boolean }) {
  // keyed by VM: selecting another machine starts from its own view, not the previous one's
  return <VmConsoleOf key={vm.id} vm={vm} detached={detached} />;
}

function VmConsoleOf({ vm, detached }: { vm: VmInfo; detached: boolean }) {
  const { t } = useTranslation();
  const hasScreen = vm.spec.display === 'vnc';
  const [view, setView] = useState<View>(hasScreen ? 'screen' : 'serial');
  const active = isVmActive(vm.state);
  // once attached, keep the console on screen after the VM stops: its last lines matter
  const [seenActive, setSeenActive] = useState(active);
  useEffect(() => {
    if (active) setSeenActive(true);
  }, [active]);
  useEffect(() => {
    if (!hasScreen) setView('serial');
  }, [hasScreen]);

  if (!active && !seenActive) {
    return (
      <EmptyState art={<Icon name="terminal" size={48} />} title={t('console.stoppedTitle')} testId="console-stopped">
        <p className="muted">{t('console.vmStopped', { name: vm.name })}</p>
      </EmptyState>
    );
  }

  return (
    <div className={`vm-console${detached ? ' vm-console-detached' : ''}`} data-testid="vm-console">
      <div className="console-switch">
        <div className="console-segmented" role="group" aria-label={t('console.view')}>
          {(['screen', 'serial'] as const).map((v) => (
            <button
              key={v}
              type="button"
              aria-pressed={view === v}
              className={view === v ? 'active' : ''}
              disabled={v === 'screen' && !hasScreen}
              title={v === 'screen' && !hasScreen ? t('console.noScreen') : undefined}
              onClick={() => setView(v)}
              data-testid={`console-view-${v}`}
            >
              <Icon name={v === 'screen' ? 'display' : 'terminal'} size={15} />
              {t(`console.${v}`)}
            </button>
          ))}
        </div>
        {!detached && (
          <Button icon="external" onClick={() => openDetached(consoleRoute(vm.id), `hangar-console-${vm.id}`)} data-testid="console-detach">
            {t('console.openWindow')}
          </Button>
        )}
      </div>
      <div className="console-body">{view === 'screen' && hasScreen ? <VncDisplay vm={vm} /> : <SerialConsole vm={vm} />}</div>
    </div>
  );
}
