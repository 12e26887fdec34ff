import type { SVGProps } from 'react';

/**
 * Line icons drawn for Hangar (24×24 grid, stroke = currentColor) so they follow the theme and
 * need no icon font. Decorative by default (aria-hidden): the button around them carries the label.
 */
export type IconName =
  | 'plus' | 'sliders' | 'play' | 'power' | 'pause' | 'reset' | 'stop' | 'trash' | 'search' | 'gear' | 'help'
  | 'tasks' | 'close' | 'warning' | 'info' | 'check' | 'error' | 'folder' | 'chevronDown' | 'chevronRight'
  | 'sortAsc' | 'sortDesc' | 'cpu' | 'memory' | 'disk' | 'network' | 'display' | 'disc' | 'minus' | 'terminal'
  | 'chart' | 'camera' | 'server' | 'plug' | 'copy' | 'paste' | 'expand' | 'keyboard' | 'external' | 'clock';

const PATHS: Record<IconName, string> = {
  plus: 'M12 5v14M5 12h14',
  minus: 'M5 12h14',
  sliders: 'M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1M15 4v4M9 10v4M17 16v4',
  play: 'M7 4.5v15l12.5-7.5z',
  power: 'M12 3v8M6.6 6.6a8 8 0 1 0 10.8 0',
  pause: 'M8 5v14M16 5v14',
  reset: 'M4 12a8 8 0 1 0 2.4-5.7M4 4v4.5h4.5',
  stop: 'M6 6h12v12H6z',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM16 16l4.5 4.5',
  gear: gearPath(),
  help: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6M12 17.2v.1',
  tasks: 'M9 6h11M9 12h11M9 18h11M4 6l1 1 2-2M4 12l1 1 2-2M4 18l1 1 2-2',
  close: 'M6 6l12 12M18 6L6 18',
  warning: 'M12 3.5L2.5 20h19zM12 10v4.5M12 17.3v.1',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v6M12 7.7v.1',
  check: 'M4.5 12.5l5 5 10-11',
  error: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9 9l6 6M15 9l-6 6',
  folder: 'M3 6.5V19h18V8.5h-9L10 6H3z',
  chevronDown: 'M6 9l6 6 6-6',
  chevronRight: 'M9 6l6 6-6 6',
  sortAsc: 'M7 4v16M3.5 7.5L7 4l3.5 3.5M13 6h4M13 12h6M13 18h8',
  sortDesc: 'M7 4v16M3.5 16.5L7 20l3.5-3.5M13 6h8M13 12h6M13 18h4',
  cpu: 'M7 7h10v10H7zM10 10h4v4h-4zM9.5 3v4M14.5 3v4M9.5 17v4M14.5 17v4M3 9.5h4M3 14.5h4M17 9.5h4M17 14.5h4',
  memory: 'M3 8h18v8H3zM7 11v2M11 11v2M15 11v2M6 16v3M10 16v3M14 16v3M18 16v3',
  disk: 'M4 14l2.5-9h11l2.5 9M4 14h16v5H4zM16.5 16.5v.1',
  network: 'M12 3v6M5 15v-3h14v3M12 9v3M3 15h4v5H3zM10 15h4v5h-4zM17 15h4v5h-4zM9 3h6v6H9z',
  display: 'M3 4h18v12H3zM8 20h8M12 16v4',
  disc: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 14.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
  terminal: 'M3 4h18v16H3zM7 9l3 3-3 3M12 15h5',
  chart: 'M3 3v18h18M7 15l4-5 3 3 5-7',
  camera: 'M3 7h4l2-3h6l2 3h4v13H3zM12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
  server: 'M4 4h16v7H4zM4 13h16v7H4zM8 7.5v.1M8 16.5v.1',
  plug: 'M9 3v5M15 3v5M6 8h12v3a6 6 0 0 1-12 0zM12 17v4',
  copy: 'M8 8h12v12H8zM16 8V4H4v12h4',
  paste: 'M8 4H5v17h14V4h-3M9 2.5h6v3.5H9zM9 12h6M9 16h4',
  expand: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5',
  keyboard: 'M2.5 6h19v12h-19zM6 9.5h.1M9.5 9.5h.1M13 9.5h.1M16.5 9.5h1M6 12.5h.1M9.5 12.5h.1M13 12.5h.1M16.5 12.5h1M8 15.5h8',
  external: 'M14 4h6v6M20 4l-9 9M18 14v6H4V6h6',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3.5 2',
};

/** A gear outline computed once: 8 teeth around a ring. */
function gearPath(): string {
  const pts: string[] = [];
  const teeth = 8;
  for (let i = 0; i < teeth * 4; i++) {
    const a = (i / (teeth * 4)) * Math.PI * 2 - Math.PI / 2;
    const r = i % 4 === 0 || i % 4 === 1 ? 9.5 : 7.2;
    pts.push(`${(12 + r * Math.cos(a)).toFixed(2)} ${(12 + r * Math.sin(a)).toFixed(2)}`);
  }
  return `M${pts.join('L')}zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z`;
}

export function Icon({ name, size = 18, ...rest }: { name: IconName; size?: number } & Omit<SVGProps<SVGSVGElement>, 'name'>) {
  const filled = name === 'play';
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill={filled ? 'currentColor' : 'none'}
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
