/**
 * A counting semaphore for SSH session channels. sshd's default MaxSessions is 10 per
 * connection and an exec or shell above it is refused outright, so Hangar queues instead.
 */
export class SessionSlots {
  private readonly queue: Array<() => void> = [];

  constructor(private free: number) {}

  /** Wait for a slot; call the returned function (once) to give it back. */
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    return this.releaser();
  }

  /** A slot now, or null when all are taken (for long-lived sessions that must not queue). */
  tryTake(): (() => void) | null {
    if (this.free === 0) return null;
    this.free--;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    };
  }
}
