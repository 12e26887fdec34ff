import type { OsFamily } from '../../src-main/api/contract';

/** Small, recognisable OS marks drawn for Hangar (not vendor logos): penguin, four panes, daemon, monitor. */
export function OsIcon({ family, size = 28, title }: { family: OsFamily; size?: number; title?: string }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" role={title ? 'img' : undefined} aria-hidden={title ? undefined : true} aria-label={title} className={`os-icon os-${family}`}>
      <rect x="0" y="0" width="32" height="32" rx="7" className="os-icon-bg" />
      {family === 'linux' && <Penguin />}
      {family === 'windows' && <Panes />}
      {family === 'bsd' && <Daemon />}
      {family === 'other' && <Monitor />}
    </svg>
  );
}

function Penguin() {
  return (
    <g>
      <ellipse cx="16" cy="17.5" rx="7.5" ry="10" fill="#1f2328" />
      <ellipse cx="16" cy="20" rx="5" ry="6.5" fill="#f6f8fa" />
      <circle cx="13.6" cy="11.5" r="1.6" fill="#fff" />
      <circle cx="18.4" cy="11.5" r="1.6" fill="#fff" />
      <circle cx="13.9" cy="11.8" r="0.8" fill="#1f2328" />
      <circle cx="18.1" cy="11.8" r="0.8" fill="#1f2328" />
      <path d="M13.8 14.2h4.4L16 16.4z" fill="#f2a20c" />
      <ellipse cx="12" cy="27.4" rx="3" ry="1.3" fill="#f2a20c" />
      <ellipse cx="20" cy="27.4" rx="3" ry="1.3" fill="#f2a20c" />
    </g>
  );
}

function Panes() {
  return (
    <g fill="#1e88e5">
      <rect x="6" y="6" width="9.2" height="9.2" rx="1" />
      <rect x="16.8" y="6" width="9.2" height="9.2" rx="1" />
      <rect x="6" y="16.8" width="9.2" height="9.2" rx="1" />
      <rect x="16.8" y="16.8" width="9.2" height="9.2" rx="1" />
    </g>
  );
}

function Daemon() {
  return (
    <g>
      <path d="M8 12L6 4.5l6.5 4.5zM24 12l2-7.5L19.5 9z" fill="#c62828" />
      <circle cx="16" cy="18" r="9" fill="#e53935" />
      <ellipse cx="12.6" cy="16.5" rx="2" ry="2.4" fill="#fff" />
      <ellipse cx="19.4" cy="16.5" rx="2" ry="2.4" fill="#fff" />
      <circle cx="13" cy="17" r="1" fill="#1f2328" />
      <circle cx="19" cy="17" r="1" fill="#1f2328" />
      <path d="M12 22c2.4 2 5.6 2 8 0" stroke="#fff" strokeWidth="1.4" fill="none" strokeLinecap="round" />
    </g>
  );
}

function Monitor() {
  return (
    <g>
      <rect x="5" y="7" width="22" height="14.5" rx="2" fill="#78909c" />
      <rect x="7" y="9" width="18" height="10.5" rx="1" fill="#cfd8dc" />
      <path d="M12 26h8M16 21.5V26" stroke="#78909c" strokeWidth="2.2" strokeLinecap="round" />
    </g>
  );
}
