/** ReadIndex batching: one round in flight, reads served once applied, retried and timed out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadBatcher } from '../../lib/framework/read-batcher.js';
import type { Reply } from '../../lib/resp/types.js';
import { ReadLease } from '../../lib/framework/read-lease.js';

interface Harness {
  rb: ReadBatcher;
  lease: ReadLease | null;
  requests: Uint8Array[];
  clock: { ms: number };
  applied: { index: number };
  commit: { index: number };
  state: { eligible: boolean };
}

/** A batcher on a controllable clock; with leaseMs, also the leader's lease. */
function setup(options: { leaseMs?: number; roundRetryMs?: number } = {}): Harness {
  const requests: Uint8Array[] = [];
  const clock = { ms: 0 };
  const applied = { index: 0 };
  const commit = { index: 0 };
  const state = { eligible: true };
  const lease = options.leaseMs === undefined ? null : new ReadLease({ durationMs: options.leaseMs, monoNowMs: () => clock.ms, eligible: () => state.eligible });
  const rb = new ReadBatcher({
    timeoutMs: 1000,
    roundRetryMs: options.roundRetryMs ?? 200,
    requestReadIndex: (ctx) => requests.push(ctx),
    appliedIndex: () => applied.index,
    commitIndex: () => Math.max(commit.index, applied.index),
    nowMs: () => clock.ms,
    monoNowMs: () => clock.ms,
    lease,
  });
  return { rb, lease, requests, clock, applied, commit, state };
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


function leased(): Harness & { lease: ReadLease } {
  const h = setup({ leaseMs: 360, roundRetryMs: 500 });
  return { ...h, lease: h.lease as ReadLease };
}

test('a confirmed round gives the leader a lease: later reads need no round until it lapses', async () => {
  const { rb, requests, clock, applied } = leased();
  clock.ms = 100;
  rb.submit(() => 'first', 0);
  await nextTurn();
  applied.index = 7;
  clock.ms = 110;
  rb.onReadStates([{ index: 7, ctx: requests[0] as Uint8Array }]);
  clock.ms = 200;
  const r = rb.submit(() => 'leased', 0);
  assert.equal(r.reply, 'leased', 'answered at once');
  assert.equal(requests.length, 1);
  clock.ms = 100 + 360; // timed from the request, not the answer
  rb.submit(() => 'after', 0);
  await nextTurn();
  assert.equal(requests.length, 2, 'a lapsed lease means a round again');
});

test('a lease read waits until the index of the round that earned the lease is applied', async () => {
  const { rb, requests, applied } = leased();
  rb.submit(() => 'x', 0);
  await nextTurn();
  applied.index = 3;
  rb.onReadStates([{ index: 9, ctx: requests[0] as Uint8Array }]);
  const r = rb.submit(() => 'y', 0);
  assert.equal(r.done, false, 'entries up to 9 were committed before: they must be applied first');
  applied.index = 9;
  rb.onApplied(9);
  assert.equal(r.reply, 'y');
});

test('a lease read waits for the commit index, not only the round index (a follower may have applied more)', async () => {
  const { rb, requests, applied, commit } = leased();
  rb.submit(() => 'x', 0);
  await nextTurn();
  applied.index = 5;
  rb.onReadStates([{ index: 5, ctx: requests[0] as Uint8Array }]);
  commit.index = 8; // committed since the round; a follower's ReadIndex read may already show it
  const r = rb.submit(() => 'y', 0);
  assert.equal(r.done, false, 'entries up to 8 are committed: the leader applies them before answering');
  applied.index = 8;
  rb.onApplied(8);
  assert.equal(r.reply, 'y');
});

test('no lease across a leadership change, during a transfer, or from a round of an older leadership', async () => {
  const { rb, lease, requests, applied, state } = leased();
  rb.submit(() => 'x', 0);
  await nextTurn();
  lease.reset(); // leadership changed while the round was in flight
  rb.onReadStates([{ index: 0, ctx: requests[0] as Uint8Array }]);
  assert.equal(lease.readFloor(), null);
  rb.submit(() => 'y', 0);
  await nextTurn();
  rb.onReadStates([{ index: 0, ctx: requests[1] as Uint8Array }]);
  assert.equal(lease.readFloor(), 0);
  state.eligible = false; // a transfer began
  applied.index = 0;
  const r = rb.submit(() => 'z', 0);
  assert.equal(r.done, false, 'back to a round');
});

test('steady reads renew the lease in the background before it lapses', async () => {
  const { rb, requests, clock } = leased();
  rb.submit(() => 'x', 0);
  await nextTurn();
  rb.onReadStates([{ index: 0, ctx: requests[0] as Uint8Array }]);
  clock.ms = 100;
  rb.submit(() => 'y', 0);
  assert.equal(requests.length, 1, 'plenty of lease left');
  clock.ms = 200;
  const r = rb.submit(() => 'z', 0);
  assert.equal(r.reply, 'z');
  assert.equal(requests.length, 2, 'under half left: a renewal round starts');
});

test('canServeNow: only under a lease, and only once the commit index and the client\'s own writes are applied', async () => {
  const { rb, requests, applied, commit, clock } = leased();
  assert.equal(rb.canServeNow(0), false, 'no lease yet');
  rb.submit(() => 'x', 0);
  await nextTurn();
  applied.index = 4;
  rb.onReadStates([{ index: 4, ctx: requests[0] as Uint8Array }]);
  assert.equal(rb.canServeNow(0), true);
  assert.equal(rb.canServeNow(5), false, 'the client wrote index 5, not yet applied');
  commit.index = 6;
  assert.equal(rb.canServeNow(0), false, 'committed entries wait to be applied');
  applied.index = 6;
  assert.equal(rb.canServeNow(0), true);
  clock.ms = 360;
  assert.equal(rb.canServeNow(0), false, 'the lease lapsed');
});
