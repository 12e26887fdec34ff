import { useTranslation } from 'react-i18next';
import type { VmState } from '../../../src-main/api/contract';

/** A state mark that differs in shape as well as colour (play, bars, square, warning, spinner). */
export function StateIcon({ state, size = 14 }: { state: VmState; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" className={`state-icon state-${state}`}>
      {state === 'running' && (
        <>
          <circle cx="8" cy="8" r="7.5" fill="var(--state-running)" />
          <path d="M6 4.5v7l5.5-3.5z" fill="#fff" />
        </>
      )}
      {state === 'paused' && (
        <>
          <circle cx="8" cy="8" r="7.5" fill="var(--state-paused)" />
          <path d="M5.8 4.8v6.4M10.2 4.8v6.4" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
        </>
      )}
      {state === 'stopped' && <rect x="1.5" y="1.5" width="13" height="13" rx="3" fill="none" stroke="var(--state-stopped)" strokeWidth="2" />}
      {state === 'crashed' && (
        <>
          <path d="M8 1L15.5 14.5H.5z" fill="var(--state-crashed)" strokeLinejoin="round" />
          <path d="M8 6v4M8 12.2v.1" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
        </>
      )}
      {(state === 'starting' || state === 'stopping') && (
        <g className="spin">
          <circle cx="8" cy="8" r="6" fill="none" stroke="var(--state-transition)" strokeWidth="2.5" strokeDasharray="26 12" strokeLinecap="round" />
        </g>
      )}
    </svg>
  );
}

export function StateBadge({ state, testId = 'vm-state', compact = false }: { state: VmState; testId?: string; compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <span className={`state-badge state-${state}${compact ? ' compact' : ''}`} data-testid={testId} data-state={state}>
      <StateIcon state={state} />
      <span className="state-text">{t(`state.${state}`)}</span>
    </span>
  );
}
