import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { Toaster } from '../../components/Toaster';
import { StateBadge } from '../machines/StateBadge';
import { useMachines } from '../machines/store';
import { TerminalView } from './TerminalView';
import { VmConsole } from './VmConsole';
import './consoles.css';

/** `#/console/<vm>`: one VM's console alone in a window (detached from the main window). */
export function ConsoleWindow({ vmRef }: { vmRef: string }) {
  const { t } = useTranslation();
  const loaded = useMachines((s) => s.loaded);
  const vm = useMachines((s) => s.byId[vmRef] ?? Object.values(s.byId).find((v) => v.name === vmRef) ?? null);
  useEffect(() => {
    document.title = vm ? t('console.windowTitle', { name: vm.name }) : 'Hangar';
  }, [vm, t]);
  return (
    <div className="console-page" data-testid="console-window">
      <header className="console-page-header">
        <Icon name="terminal" size={18} />
        <h1>{vm?.name ?? vmRef}</h1>
        {vm && <StateBadge state={vm.state} testId="console-window-state" />}
      </header>
      <div className="console-page-body">
        {vm ? (
          <VmConsole vm={vm} detached />
        ) : (
          <EmptyState title={loaded ? t('console.noSuchVm') : t('app.loading')} testId="console-window-missing">
            {loaded && <p className="muted">{t('console.noSuchVmText', { name: vmRef })}</p>}
          </EmptyState>
        )}
      </div>
      <Toaster />
    </div>
  );
}

/**
 * A shell on the local host (node-pty in the engine). A new one after the shell exits. With `sshVm`
 * the terminal runs ssh to that cloud VM instead (the engine builds the argv: "Connect with SSH").
 */
export function HostShell({ hostId = 'local', sshVm }: { hostId?: string; sshVm?: string }) {
  const { t } = useTranslation();
  const [session, setSession] = useState(0);
  const [ended, setEnded] = useState(false);
  const sshName = useMachines((s) => (sshVm ? (s.byId[sshVm]?.name ?? sshVm) : null));
  const title = sshName ? t('cloudTerminal.title', { name: sshName }) : t('console.hostShellTitle');
  const open = useCallback(() => api.call('channel.open', { kind: 'shell', hostId, cols: 80, rows: 24, ...(sshVm && { sshVm }) }), [hostId, sshVm]);
  useEffect(() => {
    document.title = title;
  }, [title]);
  const onClosed = useCallback(() => setEnded(true), []);
  return (
    <div className="console-page" data-testid="host-shell-page">
      <header className="console-page-header">
        <Icon name="server" size={18} />
        <h1>{title}</h1>
        <span className="console-toolbar-spacer" />
        {ended && (
          <Button
            icon="reset"
            onClick={() => {
              setEnded(false);
              setSession((s) => s + 1);
            }}
            data-testid="host-shell-new"
          >
            {t('console.newShell')}
          </Button>
        )}
      </header>
      <div className="console-page-body">
        <TerminalView key={session} open={open} available unavailableText="" reattach={false} sendSize testKey={sshVm ? 'ssh-shell' : 'host-shell'} label={title} onClosed={onClosed} />
      </div>
      <Toaster />
    </div>
  );
}
