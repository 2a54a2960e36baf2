/** ReadIndex batching: one round in flight, reads served once applied, retried and timed out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadBatcher } from '../../lib/framework/read-batcher.js';
import type { Reply } from '../../lib/resp/types.js';

function setup(): { rb: ReadBatcher; requests: Uint8Array[]; clock: { ms: number }; applied: { index: number } } {
  const requests: Uint8Array[] = [];
  const clock = { ms: 0 };
  const applied = { index: 0 };
  const rb = new ReadBatcher({
    timeoutMs: 1000,
    roundRetryMs: 200,
    requestReadIndex: (ctx) => requests.push(ctx),
    appliedIndex: () => applied.index,
    nowMs: () => clock.ms,
  });
  return { rb, requests, clock, applied };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('reads of one turn share a round; reads during a round wait for the next one', async () => {
  const { rb, requests, applied } = setup();
  const a = rb.submit(() => 'a', 0);
  const b = rb.submit(() => 'b', 0);
  await nextTurn();
  assert.equal(requests.length, 1);
  const c = rb.submit(() => 'c', 0);
  await nextTurn();
  assert.equal(requests.length, 1, 'no second round while one is in flight');
  applied.index = 5;
  rb.onReadStates([{ index: 5, ctx: requests[0] as Uint8Array }]);
  assert.deepEqual([a.reply, b.reply, a.done, b.done], ['a', 'b', true, true]);
  assert.equal(c.done, false);
  assert.equal(requests.length, 2, 'the next round starts as soon as one is answered');
  rb.onReadStates([{ index: 5, ctx: requests[1] as Uint8Array }]);
  assert.equal(c.reply, 'c');
});

test('a read waits until the read index, and its own last write, are applied', async () => {
  const { rb, requests, applied } = setup();
  const seen: Reply[] = [];
  const r = rb.submit(() => 'x', 12);
  r.listen((reply) => seen.push(reply));
  await nextTurn();
  applied.index = 9;
  rb.onReadStates([{ index: 10, ctx: requests[0] as Uint8Array }]);
  rb.onApplied(10);
  assert.equal(r.done, false, 'still below the client\'s own write at 12');
  applied.index = 12;
  rb.onApplied(12);
  assert.deepEqual(seen, ['x']);
});

test('an unanswered round is asked again; reads past the timeout fail with TRYAGAIN', async () => {
  const { rb, requests, clock } = setup();
  const r = rb.submit(() => 'x', 0);
  await nextTurn();
  clock.ms = 250;
  rb.sweep();
  assert.equal(requests.length, 2, 'asked again after roundRetryMs');
  clock.ms = 1001;
  rb.sweep();
  assert.equal(r.done, true);
  assert.match(String((r.reply as Error).message), /^TRYAGAIN could not confirm a linearizable read point within 1000 ms/);
});
