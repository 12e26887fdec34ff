import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SshStatus, VmInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { toast } from '../../components/toast-store';
import { sshRoute } from '../consoles/console-logic';
import { openDetached } from '../consoles/open-window';
import './cloudinit.css';

/**
 * A cloud VM's way in: "SSH ready" once the forward answers with an SSH banner (the engine probes
 * it every few seconds while the VM runs), "Connect with SSH" (copies the ssh command), "Open in
 * terminal" (the same ssh in Hangar's host terminal window, run by the engine on its computer), and
 * "Re-run cloud-init" (a new instance-id; the VM must be stopped).
 */
export function SshPanel({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const c = vm.spec.cloudInit;
  const [status, setStatus] = useState<SshStatus | null>(null);
  const [command, setCommand] = useState<string | null>(null);
  const running = vm.state === 'running';

  useEffect(() => {
    setStatus(null);
    if (!c || !running) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const s = await api.call('cloudinit.sshStatus', { vm: vm.id }).catch(() => null);
      if (stop) return;
      setStatus(s);
      // once ready, check less often
      timer = setTimeout(() => void poll(), s?.ready ? 15000 : 3000);
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [vm.id, running, c]);

  if (!c) return null;
  const connect = async () => {
    try {
      const r = await api.call('cloudinit.sshCommand', { vm: vm.id });
      setCommand(r.command);
      await navigator.clipboard?.writeText(r.command).catch(() => undefined);
      toast({ level: 'success', message: t('cloud.ssh.copied') });
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  };
  const rerun = async () => {
    try {
      await api.call('cloudinit.rerun', { vm: vm.id });
      toast({ level: 'success', message: t('cloud.rerunDone', { name: vm.name }) });
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  };
  const ready = running && status?.ready === true;
  return (
    <section className="detail-section cloud-ssh" aria-labelledby="cloud-ssh-title" data-testid="cloud-ssh">
      <h3 id="cloud-ssh-title">{t('cloud.ssh.title')}</h3>
      <p>
        <span className={`chip${ready ? ' chip-ok' : ''}`} data-testid={ready ? 'ssh-ready' : 'ssh-waiting'}>
          {ready ? t('cloud.ssh.ready') : running ? t('cloud.ssh.waiting') : t('cloud.ssh.notRunning')}
        </span>{' '}
        <span className="muted">{c.sshPort ? t('cloud.ssh.forward', { user: c.user, port: c.sshPort }) : t('cloud.ssh.noForward')}</span>
      </p>
      <div className="cloud-ssh-actions">
        <Button onClick={() => void connect()} disabled={!c.sshPort} data-testid="ssh-connect">
          {t('cloud.ssh.connect')}
        </Button>
        <Button icon="terminal" onClick={() => openDetached(sshRoute(vm.id), `hangar-ssh-${vm.id}`)} disabled={!c.sshPort || !running} title={t('cloudTerminal.openHint')} data-testid="ssh-terminal">
          {t('cloudTerminal.open')}
        </Button>
        <Button onClick={() => void rerun()} disabled={running || vm.state === 'paused'} data-testid="cloud-rerun">
          {t('cloud.rerun')}
        </Button>
      </div>
      {command && (
        <pre className="mono cloud-ssh-command" data-testid="ssh-command">
          {command}
        </pre>
      )}
    </section>
  );
}
