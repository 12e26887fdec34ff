import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import '@xterm/xterm/css/xterm.css';
import type { ChannelOpened } from '../../../src-main/api/contract';
import { api, ApiError, errorMessage } from '../../api';
import { useConnection } from '../../app/connection-store';
import { IconButton } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { useToasts } from '../../components/toast-store';
import { base64ToBytes, binaryStringToBase64, textToBase64 } from './channel-codec';
import './consoles.css';
import { exposeTerminal } from '../../app/test-hooks';

export type TerminalStatus = 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'error';

export interface TerminalViewProps {
  /** Opens the channel (serial or shell); called again on every (re)attach. */
  open(): Promise<ChannelOpened>;
  /** False when there is nothing to attach to (VM not running): shows `unavailableText`. */
  available: boolean;
  unavailableText: string;
  /** Re-attach by itself when the channel closes while `available` (serial); shells end instead. */
  reattach: boolean;
  /** Send the terminal size to the channel (shells; a serial line has no size). */
  sendSize: boolean;
  /** Test key (app/test-hooks.ts, test builds only) and the data-testid prefix. */
  testKey: string;
  label: string;
  /** The channel ended (shell exited, VM stopped). */
  onClosed?(reason: string): void;
}

const RETRY_MS = 1500;
/** A fixed dark palette: terminals read best dark in both themes, like most terminal apps. */
const TERMINAL_THEME = { background: '#111418', foreground: '#d8dee6', cursor: '#5b8dff', selectionBackground: 'rgba(91,141,255,0.35)' };

/**
 * An xterm.js terminal bound to an engine channel: scrollback first, then live bytes; keys go
 * back as `channel.write`. It shows its connection state over the terminal and re-attaches
 * after the engine connection comes back (the scrollback replays, so nothing is lost).
 */
export function TerminalView({ open, available, unavailableText, reattach, sendSize, testKey, label, onClosed }: TerminalViewProps) {
  const { t } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const channelRef = useRef<string | null>(null);
  const connection = useConnection((s) => s.state);
  const [status, setStatus] = useState<TerminalStatus>('connecting');
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [searchOpen, setSearchOpen] = useState(false);
  const [query, setQuery] = useState('');
  const pushToast = useToasts((s) => s.push);

  const copy = useCallback(async () => {
    const text = termRef.current?.getSelection() ?? '';
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      pushToast({ level: 'warning', message: t('console.clipboardDenied') });
    }
  }, [pushToast, t]);

  const paste = useCallback(async () => {
    try {
      const text = await navigator.clipboard.readText();
      if (text) termRef.current?.paste(text);
    } catch {
      pushToast({ level: 'warning', message: t('console.clipboardDenied') });
    }
    termRef.current?.focus();
  }, [pushToast, t]);

  const actions = useRef({ copy, paste, onClosed });
  actions.current = { copy, paste, onClosed };

  // The terminal itself lives as long as the component.
  useEffect(() => {
    const term = new Terminal({
      convertEol: false,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 13,
      scrollback: 10000,
      theme: TERMINAL_THEME,
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.open(host.current!);
    termRef.current = term;
    fitRef.current = fit;
    searchRef.current = search;
    const unexpose = exposeTerminal(testKey, term);
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(host.current!);
    const send = (b64: string) => {
      const channelId = channelRef.current;
      if (channelId) api.call('channel.write', { channelId, data: b64 }).catch(() => undefined);
    };
    const onData = term.onData((d) => send(textToBase64(d)));
    const onBinary = term.onBinary((d) => send(binaryStringToBase64(d)));
    const onResize = term.onResize(({ cols, rows }) => {
      const channelId = channelRef.current;
      if (sendSize && channelId) api.call('channel.resize', { channelId, cols, rows }).catch(() => undefined);
    });
    // Ctrl+Shift+C / Ctrl+Shift+V copy and paste (plain Ctrl+C must still reach the guest).
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
      const key = e.key.toLowerCase();
      if (key === 'c') void actions.current.copy();
      else if (key === 'v') void actions.current.paste();
      else if (key === 'f') setSearchOpen(true);
      else return true;
      e.preventDefault();
      return false;
    });
    return () => {
      observer.disconnect();
      onData.dispose();
      onBinary.dispose();
      onResize.dispose();
      unexpose();
      term.dispose();
      termRef.current = null;
    };
  }, [testKey, sendSize]);

  // Attach: whenever the target is available and the engine connection is up; detach on cleanup.
  useEffect(() => {
    if (!available) {
      setStatus('stopped');
      setMessage(unavailableText);
      return;
    }
    if (connection !== 'connected') {
      setStatus('reconnecting');
      setMessage(null);
      return;
    }
    let cancelled = false;
    let channelId: string | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const offs: Array<() => void> = [];
    setStatus((s) => (s === 'connected' ? 'reconnecting' : s === 'stopped' || s === 'error' ? s : 'connecting'));
    offs.push(
      api.on('channel.data', (d) => {
        if (d.channelId === channelId) termRef.current?.write(base64ToBytes(d.data));
      }),
      api.on('channel.closed', (d) => {
        if (d.channelId !== channelId) return;
        channelId = null;
        channelRef.current = null;
        setStatus('stopped');
        setMessage(d.reason);
        actions.current.onClosed?.(d.reason);
        if (reattach) retry = setTimeout(() => setAttempt((a) => a + 1), RETRY_MS);
      }),
    );
    open().then(
      (opened) => {
        if (cancelled) {
          api.call('channel.close', { channelId: opened.channelId }).catch(() => undefined);
          return;
        }
        channelId = opened.channelId;
        channelRef.current = opened.channelId;
        const term = termRef.current;
        if (term) {
          // a re-attach replays the scrollback: start from a clean screen so nothing doubles
          term.reset();
          term.write(base64ToBytes(opened.scrollback));
          if (sendSize) api.call('channel.resize', { channelId: opened.channelId, cols: term.cols, rows: term.rows }).catch(() => undefined);
        }
        setStatus('connected');
        setMessage(null);
      },
      (err: unknown) => {
        if (cancelled) return;
        // a VM that is stopping or gone: say so and keep trying only while it should be up
        setStatus(err instanceof ApiError && err.code === 'INVALID_STATE' ? 'stopped' : 'error');
        setMessage(errorMessage(err));
        if (reattach) retry = setTimeout(() => setAttempt((a) => a + 1), RETRY_MS * 2);
      },
    );
    return () => {
      cancelled = true;
      if (retry) clearTimeout(retry);
      for (const off of offs) off();
      if (channelId) api.call('channel.close', { channelId }).catch(() => undefined);
      channelRef.current = null;
    };
  }, [available, connection, attempt, open, reattach, sendSize, unavailableText]);

  const find = (backwards: boolean) => {
    if (!query) return;
    const opts = { caseSensitive: false };
    if (backwards) searchRef.current?.findPrevious(query, opts);
    else searchRef.current?.findNext(query, opts);
  };

  const banner =
    status === 'connected' ? null : status === 'connecting' ? t('console.connecting') : status === 'reconnecting' ? t('console.reconnecting') : (message ?? t('console.stopped'));

  return (
    <div className="terminal-view" data-testid={`${testKey}-view`} data-status={status}>
      <div className="console-toolbar" role="toolbar" aria-label={label}>
        <span className={`console-status console-status-${status}`} data-testid={`${testKey}-status`} role="status">
          <span className="console-dot" aria-hidden="true" />
          {t(`console.status.${status}`)}
        </span>
        <span className="console-toolbar-spacer" />
        {searchOpen && (
          <input
            className="console-search"
            type="search"
            autoFocus
            value={query}
            placeholder={t('console.searchPlaceholder')}
            aria-label={t('console.search')}
            data-testid={`${testKey}-search`}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') find(e.shiftKey);
              if (e.key === 'Escape') {
                setSearchOpen(false);
                searchRef.current?.clearDecorations();
                termRef.current?.focus();
              }
            }}
          />
        )}
        <IconButton icon="search" label={t('console.search')} onClick={() => setSearchOpen((o) => !o)} />
        <IconButton icon="copy" label={t('console.copy')} onClick={() => void copy()} />
        <IconButton icon="paste" label={t('console.paste')} onClick={() => void paste()} />
      </div>
      <div className="terminal-frame">
        <div className="terminal-host" ref={host} data-testid={testKey} onClick={() => termRef.current?.focus()} />
        {banner && (
          <div className={`console-banner console-banner-${status}`} data-testid={`${testKey}-banner`}>
            <Icon name={status === 'stopped' || status === 'error' ? 'warning' : 'plug'} size={16} />
            <span>{banner}</span>
          </div>
        )}
      </div>
    </div>
  );
}
