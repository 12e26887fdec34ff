import * as os from 'node:os';
import * as path from 'node:path';

/** Where Hangar keeps its data: $HANGAR_HOME, else the XDG data dir (~/.local/share/hangar). */
export function defaultHangarHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HANGAR_HOME) return path.resolve(env.HANGAR_HOME);
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(xdg, 'hangar');
}
