import { useEffect, useRef, useState } from 'react';
import { OptionList } from '../../components/OptionList';
import { useTranslation } from 'react-i18next';
import RFB from '@novnc/novnc';
import type { VmInfo } from '../../../src-main/api/contract';
import { api, ApiError, errorMessage } from '../../api';
import { useConnection } from '../../app/connection-store';
import { Button, IconButton } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { KEY_COMBOS, sendCombo, typeText } from './keys';
import { isVmActive, vncUrl } from './console-logic';
import './consoles.css';
import { exposeDisplay } from '../../app/test-hooks';

type DisplayStatus = 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'error';
const RETRY_MS = 2000;
const RESIZE_KEY = 'hangar.console.resizeGuest';

/**
 * The VM's screen through noVNC. Each (re)connection asks the engine for a one-time ticket and
 * opens the `/vnc` WebSocket with it. Code 4000 from the proxy (or a VM that is no longer
 * running) shows "VM stopped" instead of retrying for ever.
 */
export function VncDisplay({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const frame = useRef<HTMLDivElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const connection = useConnection((s) => s.state);
  const active = isVmActive(vm.state);
  const [status, setStatus] = useState<DisplayStatus>('connecting');
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [scale, setScale] = useState(true);
  const [clipOpen, setClipOpen] = useState(false);
  const [clipText, setClipText] = useState('');
  // display resize (noVNC resizeSession → SetDesktopSize): remembered per browser, off by default
  const [resize, setResize] = useState(() => localStorage.getItem(RESIZE_KEY) === '1');

  useEffect(() => {
    if (!active) {
      setStatus('stopped');
      setMessage(t('console.vmStopped', { name: vm.name }));
      return;
    }
    if (connection !== 'connected') {
      setStatus('reconnecting');
      return;
    }
    let cancelled = false;
    let rfb: RFB | null = null;
    let unexpose = () => undefined as void;
    let retry: ReturnType<typeof setTimeout> | null = null;
    setStatus((s) => (s === 'connected' ? 'reconnecting' : 'connecting'));
    api.call('vnc.ticket', { vm: vm.id }).then(
      (ticket) => {
        if (cancelled || !screen.current) return;
        rfb = new RFB(screen.current, vncUrl(ticket, window.location), { shared: true });
        rfb.scaleViewport = scale;
        rfb.resizeSession = resize;
        rfb.background = 'var(--vnc-bg)';
        rfb.focusOnClick = true;
        rfbRef.current = rfb;
        unexpose = exposeDisplay(vm.id, rfb);
        rfb.addEventListener('connect', () => {
          setStatus('connected');
          setMessage(null);
        });
        rfb.addEventListener('disconnect', () => {
          // noVNC objects are single-use: forget it so cleanup does not disconnect it twice
          unexpose();
          rfb = null;
          rfbRef.current = null;
          if (cancelled) return;
          // the engine refreshes VM state; until then, say "stopped" if QEMU went away
          setStatus('stopped');
          setMessage(t('console.displayClosed'));
          retry = setTimeout(() => setAttempt((a) => a + 1), RETRY_MS);
        });
        rfb.addEventListener('clipboard', (e) => {
          const text = (e as CustomEvent<{ text: string }>).detail.text;
          navigator.clipboard?.writeText(text).catch(() => undefined);
        });
      },
      (err: unknown) => {
        if (cancelled) return;
        setStatus(err instanceof ApiError && err.code === 'INVALID_STATE' ? 'stopped' : 'error');
        setMessage(errorMessage(err));
        if (!(err instanceof ApiError) || err.code === 'INVALID_STATE') retry = setTimeout(() => setAttempt((a) => a + 1), RETRY_MS * 2);
      },
    );
    return () => {
      cancelled = true;
      if (retry) clearTimeout(retry);
      unexpose();
      rfb?.disconnect();
      rfbRef.current = null;
    };
    // `scale` and `resize` are left out on purpose: they are applied live below, not by reconnecting
  }, [active, connection, attempt, vm.id, vm.name, t]);

  useEffect(() => {
    if (rfbRef.current) rfbRef.current.scaleViewport = scale;
  }, [scale]);

  useEffect(() => {
    localStorage.setItem(RESIZE_KEY, resize ? '1' : '0');
    if (rfbRef.current) rfbRef.current.resizeSession = resize;
  }, [resize]);

  const fullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void frame.current?.requestFullscreen().catch(() => undefined);
  };
  const connected = status === 'connected';
  const banner = connected ? null : status === 'connecting' ? t('console.connecting') : status === 'reconnecting' ? t('console.reconnecting') : (message ?? t('console.stopped'));

  return (
    <div className="vnc-view" ref={frame} data-testid="vnc-view" data-status={status}>
      <div className="console-toolbar" role="toolbar" aria-label={t('console.displayToolbar')}>
        <span className={`console-status console-status-${status}`} data-testid="vnc-status" role="status">
          <span className="console-dot" aria-hidden="true" />
          {t(`console.status.${status}`)}
        </span>
        <span className="console-toolbar-spacer" />
        <Button icon="keyboard" disabled={!connected} onClick={() => rfbRef.current?.sendCtrlAltDel()} data-testid="vnc-cad">
          {t('console.ctrlAltDel')}
        </Button>
        <select
          className="console-select"
          aria-label={t('console.sendKeys')}
          disabled={!connected}
          value=""
          data-testid="vnc-keys"
          onChange={(e) => {
            const combo = KEY_COMBOS.find((c) => c.id === e.target.value);
            if (combo && rfbRef.current) sendCombo(rfbRef.current, combo);
            rfbRef.current?.focus();
          }}
        >
          <option value="">{t('console.sendKeys')}</option>
          <OptionList items={KEY_COMBOS} value={(c) => c.id} label={(c) => c.label} />
        </select>
        <IconButton icon="paste" label={t('console.clipboard')} aria-pressed={clipOpen} disabled={!connected} onClick={() => setClipOpen((o) => !o)} data-testid="vnc-clipboard" />
        <Button onClick={() => setScale((s) => !s)} aria-pressed={scale} title={t('console.scaleHint')} data-testid="vnc-scale">
          {t('console.scaleFit')}
        </Button>
        <Button onClick={() => setResize((r) => !r)} aria-pressed={resize} title={t('guestIntegration.resizeHint')} data-testid="vnc-resize">
          {t('guestIntegration.resize')}
        </Button>
        <IconButton icon="expand" label={t('console.fullscreen')} onClick={fullscreen} data-testid="vnc-fullscreen" />
      </div>
      {clipOpen && (
        <div className="vnc-clipboard" data-testid="vnc-clipboard-panel">
          <textarea aria-label={t('console.clipboardText')} placeholder={t('console.clipboardHint')} value={clipText} onChange={(e) => setClipText(e.target.value)} rows={3} />
          <div className="vnc-clipboard-actions">
            <Button onClick={() => rfbRef.current?.clipboardPasteFrom(clipText)}>{t('console.sendClipboard')}</Button>
            <Button
              variant="primary"
              data-testid="vnc-type"
              onClick={() => {
                if (rfbRef.current) typeText(rfbRef.current, clipText);
                rfbRef.current?.focus();
              }}
            >
              {t('console.typeText')}
            </Button>
          </div>
        </div>
      )}
      <div className={`vnc-screen${scale ? ' vnc-scaled' : ''}`} ref={screen} data-testid="vnc-screen" />
      {banner && (
        <div className={`console-banner console-banner-${status}`} data-testid="vnc-banner">
          <Icon name={status === 'stopped' || status === 'error' ? 'warning' : 'plug'} size={16} />
          <span>{banner}</span>
        </div>
      )}
    </div>
  );
}
