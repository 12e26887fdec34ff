/**
 * The ONE place where Hangar turns an argv into a command line for a remote shell.
 *
 * sshd runs every exec request through the login user's shell (`$SHELL -c "<string>"`), so an
 * argv must become a string that shell splits back into exactly the same words. Each word is
 * wrapped in single quotes, inside which POSIX shells interpret nothing at all ($, `, \, newlines,
 * globs are literal); a single quote itself is written as '\'' (close, escaped quote, reopen).
 * Works for sh, dash, bash, zsh and ksh. csh/fish login shells are not supported (refused at
 * connect time by SshHost, which checks the shell splits a probe argv back correctly).
 */
export function quoteArg(word: string): string {
  if (word.includes('\0')) throw new Error('An argument contains a NUL byte, which no command line can carry.');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quote every word and join with spaces: the string to send in an SSH exec request. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('An empty command cannot be run.');
  return argv.map(quoteArg).join(' ');
}

/**
 * Constant helper scripts run as `sh -c SCRIPT name args...`: every value reaches them as a
 * positional parameter (never spliced into the script), and the whole argv goes through quoteArgv.
 */

/** `sh -c RUN_IN_DIR sh DIR CMD ARGS...`: change directory, then exec the command. */
export const RUN_IN_DIR_SCRIPT = 'cd "$1" || exit 126; shift; exec "$@"';

/**
 * `sh -c DETACH_SCRIPT sh LOGFILE DIR CMD ARGS...`: start CMD in its own session (setsid -f forks,
 * so this returns at once) with stdin from /dev/null and output appended to LOGFILE. Nothing stays
 * tied to the SSH channel, so the process survives the session closing and the network dropping.
 * umask 077 keeps its log and files private to the user, as the local keeper's are.
 */
export const DETACH_SCRIPT = 'umask 077; log=$1; dir=$2; shift 2; cd "$dir" || exit 126; exec setsid -f "$@" </dev/null >>"$log" 2>&1';

/** argv for running `cmd args` on a remote host with an optional working directory and environment. */
export function remoteArgv(cmd: string, args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string[] {
  const envWords = Object.entries(opts.env ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`"${k}" is not a valid environment variable name.`);
    return `${k}=${v}`;
  });
  const base = envWords.length ? ['env', ...envWords, cmd, ...args] : [cmd, ...args];
  return opts.cwd ? ['/bin/sh', '-c', RUN_IN_DIR_SCRIPT, 'sh', opts.cwd, ...base] : base;
}
