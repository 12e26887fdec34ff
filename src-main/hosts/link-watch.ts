import type { Socket } from 'node:net';
import type { Client } from 'ssh2';
import { HangarError } from '../api/errors';

/**
 * Notices a dead link to a LAN host while a call waits on it, long before the SSH keepalive does.
 * Found in a LAN-host trial: a call made after the network dropped but before the keepalive had
 * marked the host offline hung ~7 s and ended in "Internal error: QMP connection closed".
 *
 * How: every byte from the server counts as a sign of life. An operation on the host (exec, SFTP,
 * opening a stream, a write into a QMP/serial stream) that has heard nothing for `suspectAfterMs`
 * sends one SSH ping (the `keepalive@openssh.com` global request every sshd answers) and waits
 * `answerWithinMs` for any byte. None: the link is declared dead — the connection is destroyed
 * (the host turns offline and reconnects by itself) and every waiting call fails at once with a
 * sentence naming the host and the reason. A healthy but slow operation costs one tiny ping per
 * silent interval and is never failed.
 *
 * The ping goes through ssh2's protocol object (its public API has no ping); when that is not
 * there, an SFTP `realpath` round trip is used instead.
 */
export interface LinkWatchOptions {
  suspectAfterMs?: number;
  answerWithinMs?: number;
}

interface Ssh2Internals {
  _sock?: Socket;
  _protocol?: { ping?: () => void };
  _callbacks?: Array<(failed: boolean) => void>;
}

export class LinkWatch {
  private lastHeard = Date.now();
  private probing: Promise<boolean> | null = null;
  private client: Client | null = null;
  private readonly suspectAfterMs: number;
  private readonly answerWithinMs: number;
  /** The sentence of the last death, until the next connection. */
  deadError: HangarError | null = null;
  /** Set by stop(): the host was closed for good. */
  private stopped: HangarError | null = null;
  /** How to fail each call waiting in guard() now (stop()). */
  private readonly waiting = new Set<(e: HangarError) => void>();

  constructor(
    private readonly hostLabel: string,
    private readonly onDead: (reason: string) => void,
    private readonly fallbackPing: () => Promise<void>,
    opts: LinkWatchOptions = {},
  ) {
    this.suspectAfterMs = opts.suspectAfterMs ?? 1000;
    this.answerWithinMs = opts.answerWithinMs ?? 2500;
  }

  /** A new connection: listen to its bytes. */
  attach(client: Client): void {
    this.client = client;
    this.deadError = null;
    this.lastHeard = Date.now();
    (client as unknown as Ssh2Internals)._sock?.on('data', () => {
      this.lastHeard = Date.now();
    });
  }

  detach(client: Client): void {
    if (this.client === client) this.client = null;
  }

  /**
   * The host is closed for good (engine closing): nothing is probed any more (its silence is no
   * dead link), and every call still waiting fails now with `reason` rather than waiting forever
   * on a connection that will not answer (its re-check timer kept the process alive).
   */
  stop(reason: HangarError): void {
    this.stopped = reason;
    this.client = null;
    for (const fail of this.waiting) fail(reason);
    this.waiting.clear();
  }

  /** Run `op`; fail it fast with the host's sentence if the link dies meanwhile. */
  guard<T>(op: Promise<T>): Promise<T> {
    if (this.stopped) {
      op.catch(() => undefined);
      return Promise.reject(this.stopped);
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const failNow = (e: HangarError) => finish(() => reject(e));
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.waiting.delete(failNow);
        if (timer) clearTimeout(timer);
        fn();
      };
      this.waiting.add(failNow);
      op.then(
        (v) => finish(() => resolve(v)),
        (e: unknown) => finish(() => reject(this.deadError ?? e)),
      );
      const check = () => {
        if (settled) return;
        if (Date.now() - this.lastHeard < this.suspectAfterMs) {
          timer = setTimeout(check, this.suspectAfterMs);
          return;
        }
        void this.probe().then((ok) => {
          if (ok) timer = setTimeout(check, this.suspectAfterMs);
          else finish(() => reject(this.deadError ?? this.deathError('no answer')));
        });
      };
      timer = setTimeout(check, this.suspectAfterMs);
    });
  }

  /** Something was sent that the far end answers (a QMP command): check the link soon. */
  expectAnswer(): void {
    const sentAt = Date.now();
    const t = setTimeout(() => {
      if (this.lastHeard < sentAt) void this.probe();
    }, this.suspectAfterMs);
    t.unref();
  }

  private deathError(detail: string): HangarError {
    return new HangarError(
      'HOST_UNREACHABLE',
      `${this.hostLabel} does not answer (${detail}): the network link seems down. Hangar marks it offline and reconnects by itself; "Test connection" on the Hosts page retries now.`,
    );
  }

  /** One ping at a time; true when the server answered. */
  private probe(): Promise<boolean> {
    if (!this.probing) {
      const client = this.client;
      const sentAt = Date.now();
      this.probing = new Promise<boolean>((resolve) => {
        if (!client) return resolve(true); // not connected (yet): connecting has its own time limit
        const internals = client as unknown as Ssh2Internals;
        const timer = setTimeout(() => {
          clearInterval(poll);
          // let the poll phase read what already arrived (a busy event loop runs timers first)
          setImmediate(() => resolve(this.lastHeard >= sentAt));
        }, this.answerWithinMs);
        const poll = setInterval(() => {
          if (this.lastHeard >= sentAt) {
            clearTimeout(timer);
            clearInterval(poll);
            resolve(true);
          }
        }, 25);
        if (internals._protocol?.ping && internals._callbacks) {
          internals._callbacks.push(() => undefined); // keeps ssh2's reply callbacks in order
          internals._protocol.ping();
        } else void this.fallbackPing().catch(() => undefined);
      }).then((ok) => {
        this.probing = null;
        if (!ok && this.client === client && client) {
          const seconds = (this.answerWithinMs / 1000).toLocaleString('en');
          this.deadError = this.deathError(`no reply to an SSH ping within ${seconds} s`);
          this.onDead(this.deadError.message);
        }
        return ok;
      });
    }
    return this.probing;
  }
}
