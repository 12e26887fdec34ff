import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SessionSlots } from '../../src-main/hosts/session-slots';

describe('SSH session slots (sshd MaxSessions)', () => {
  test('never more than the limit at once; waiters run in order; a double release gives back one slot', async () => {
    const slots = new SessionSlots(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, async (_, i) => {
        const release = await slots.take();
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        release();
        release(); // harmless
      }),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6]);
    const a = slots.tryTake();
    const b = slots.tryTake();
    assert.ok(a && b);
    assert.equal(slots.tryTake(), null, 'all taken: no third');
    a();
    assert.ok(slots.tryTake());
  });
});
