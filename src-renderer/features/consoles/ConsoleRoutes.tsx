import { lazy, Suspense, useEffect, useState } from 'react';
import { useApplyTheme } from '../../app/theme';
import { parseRoute, type Route } from './console-logic';

// Loaded on demand: a detached console window needs xterm.js/noVNC, the main window does not.
const ConsoleWindow = lazy(() => import('./ConsolePages').then((m) => ({ default: m.ConsoleWindow })));
const HostShell = lazy(() => import('./ConsolePages').then((m) => ({ default: m.HostShell })));

/** The window's route from its hash: the main app, a detached console, or the host shell. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** Windows that show one console only (no list, no toolbar). */
export function ConsoleRoute({ route }: { route: Exclude<Route, { kind: 'main' }> }) {
  useApplyTheme();
  return <Suspense fallback={null}>{route.kind === 'console' ? <ConsoleWindow vmRef={route.vm} /> : <HostShell hostId={route.hostId ?? 'local'} sshVm={route.sshVm} />}</Suspense>;
}
