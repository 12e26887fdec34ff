/**
 * A fixed-size ring of the latest samples (10 minutes at 1 s = 600 per VM). Memory stays flat
 * however long the engine runs; older data lives in the SQLite rollups.
 */
export class RingBuffer<T extends { t: number }> {
  private readonly items: Array<T | undefined>;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Oldest first, optionally only those with t >= since. */
  toArray(since = -Infinity): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) {
      const item = this.items[(this.next - this.count + i + this.capacity) % this.capacity]!;
      if (item.t >= since) out.push(item);
    }
    return out;
  }

  latest(): T | null {
    return this.count ? this.items[(this.next - 1 + this.capacity) % this.capacity]! : null;
  }

  get size(): number {
    return this.count;
  }
}
