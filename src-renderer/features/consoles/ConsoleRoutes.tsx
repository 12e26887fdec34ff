import { useEffect, useState } from 'react';
import { useApplyTheme } from '../../app/theme';
import { ConsoleWindow, HostShell } from './ConsolePages';
import { parseRoute, type Route } from './console-logic';

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
  return route.kind === 'console' ? <ConsoleWindow vmRef={route.vm} /> : <HostShell hostId={route.hostId ?? 'local'} />;
}
