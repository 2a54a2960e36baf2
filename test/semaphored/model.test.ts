/**
 * Property tests on random command sequences (fast-check, shrinking to a small failing
 * case): the invariants hold after every step, and a replica restored from a snapshot
 * taken at any point answers every later command and wakes every client exactly as the
 * original does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createSemaphoredApp } from '../../examples/semaphored/app.js';
import { available } from '../../examples/semaphored/transitions.js';
import { isClientId, recordKey, waitKey, type SemState } from '../../examples/semaphored/state.js';
import { SemHost, plain, type Arg, type Result, type Wake } from './harness.js';

const app = createSemaphoredApp({ maxWaitersPerKey: 6, maxHoldersPerKey: 5, maxRequestRecords: 30, requestRetentionMs: 2_000 });
const KEYS = ['a', 'b'];
const RIDS = Array.from({ length: 12 }, (_, i) => `r${i}`);

type Op =
  | { t: 'cmd'; args: Arg[]; pick: number }
  | { t: 'advance'; ms: number }
  | { t: 'abandon'; pick: number };

const key = fc.constantFrom(...KEYS);
/** Stands for a fence chosen when the command runs: mostly a live holder's, sometimes a stale one. */
const FENCE = '$fence';
const fence = fc.constant(FENCE);
const rid = fc.constantFrom(...RIDS);
const opt = <T>(name: string, value: fc.Arbitrary<T>): fc.Arbitrary<Arg[]> =>
  fc.option(value, { nil: undefined }).map((v) => (v === undefined ? [] : [name, String(v)]));

const create = fc
  .tuple(key, fc.integer({ min: 1, max: 4 }), opt('POLICY', fc.constantFrom('FIFO', 'FIRSTFIT')), opt('LOCKDELAY', fc.constantFrom(0, 80, 300)), opt('MAXLEASE', fc.constantFrom(1000, 5000)), fc.boolean())
  .map(([k, cap, policy, delay, max, nx]): Arg[] => ['SEM.CREATE', k, cap, ...policy, ...delay, ...max, ...(nx ? ['NX'] : [])]);
const acquire = fc
  .tuple(key, opt('PERMITS', fc.integer({ min: 1, max: 3 })), opt('TIMEOUT', fc.constantFrom(0, 60, 250, 1000)), opt('LEASE', fc.constantFrom(100, 400, 900, 3000)), opt('ID', rid), fc.boolean())
  .map(([k, permits, timeout, lease, id, nowait]): Arg[] => ['SEM.ACQUIRE', k, ...permits, ...(nowait ? ['NOWAIT'] : timeout), ...lease, ...id]);
const command = fc.oneof(
  { weight: 2, arbitrary: create },
  { weight: 10, arbitrary: acquire },
  { weight: 3, arbitrary: fc.tuple(key, fence).map(([k, f]): Arg[] => ['SEM.RELEASE', k, f]) },
  { weight: 2, arbitrary: fc.tuple(key, fence, opt('LEASE', fc.constantFrom(60, 300))).map(([k, f, l]): Arg[] => ['SEM.RENEW', k, f, ...l]) },
  { weight: 1, arbitrary: fc.tuple(key, rid).map(([k, r]): Arg[] => ['SEM.CANCEL', k, r]) },
  { weight: 1, arbitrary: fc.tuple(key, fence).map(([k, f]): Arg[] => ['SEM.REVOKE', k, f]) },
  { weight: 1, arbitrary: fc.tuple(key, fc.integer({ min: 0, max: 7 })).map(([k, n]): Arg[] => (n === 0 ? ['SEM.DELETE', k] : ['SEM.CREATE', k, 1 + (n % 4), 'NX'])) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('SEM.INFO', 'SEM.HOLDERS', 'SEM.WAITERS'), key).map(([c, k]): Arg[] => [c, k]) },
  { weight: 1, arbitrary: fc.tuple(key, fence).map(([k, f]): Arg[] => ['SEM.CHECK', k, f]) },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(command, fc.nat()).map(([args, pick]): Op => ({ t: 'cmd', args, pick })) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }).map((ms): Op => ({ t: 'advance', ms })) },
  { weight: 1, arbitrary: fc.nat().map((pick): Op => ({ t: 'abandon', pick })) },
);

function apply(h: SemHost, o: Op): { reply: Result | undefined; wakes: Wake[] } {
  let reply: Result | undefined;
  if (o.t === 'cmd') reply = h.send(...o.args.map((a) => (a === FENCE ? pickFence(h, String(o.args[1]), o.pick) : a)));
  else if (o.t === 'advance') h.advance(o.ms);
  else if (h.blocked.size > 0) {
    // The framework's move when a parked client is gone: propose its abandon command.
    const onAbandon = [...h.blocked.values()][o.pick % h.blocked.size] as readonly (string | Uint8Array)[];
    reply = h.sendCommand(onAbandon);
  }
  return { reply, wakes: h.takeWakes() };
}

function pickFence(h: SemHost, key: string, pick: number): number {
  const live = [...(h.data.sems.get(key)?.holders.keys() ?? [])];
  const choice = live[pick % (live.length + 1)];
  return choice ?? Math.max(1, h.data.lastFence - (pick % 4));
}

/** What the checker remembers between steps. */
class Observer {
  lastFence = 0;
  /** (key, client ID) -> its latest grant, and when that grant's record ended. */
  readonly grants = new Map<string, { fence: number; endedAt: number | null }>();
  deadlines = new Map<string, number | null>();
  usage = new Map<string, number>();

  before(s: SemState): void {
    this.deadlines = new Map();
    for (const sem of s.sems.values()) for (const w of sem.waiters.values()) this.deadlines.set(waitKey(sem.key, w.rid), w.deadline);
  }

  after(h: SemHost, reply: Result | undefined, wakes: Wake[], sent: Op): void {
    const grants: [string | null, unknown][] = wakes.map((w) => [w.key, plain(w.reply)]);
    if (sent.t === 'cmd' && sent.args[0] === 'SEM.ACQUIRE') grants.push([null, plain(reply ?? null)]);
    for (const [wk, value] of grants) {
      if (!Array.isArray(value) || typeof value[0] !== 'number') continue;
      const fence = value[0];
      const retry = sent.t === 'cmd' && wk === null && this.isRetryOf(sent.args, fence);
      if (!retry) {
        assert.ok(fence > this.lastFence, `fence ${fence} after ${this.lastFence}: fences strictly increase`);
        this.lastFence = fence;
      }
      if (wk !== null) {
        const deadline = this.deadlines.get(wk);
        assert.ok(deadline === null || (deadline !== undefined && deadline > h.now()), `${wk} granted at or after its deadline`);
      }
    }
    this.trackClientGrants(h);
    checkState(h, this.usage);
  }

  private isRetryOf(args: Arg[], fence: number): boolean {
    const idAt = args.indexOf('ID');
    return idAt > 0 && this.grants.get(recordKey(String(args[1]), String(args[idAt + 1])))?.fence === fence;
  }

  /** One request ID, one grant: a second only after the first ended and its record was forgotten. */
  private trackClientGrants(h: SemHost): void {
    const s = h.data;
    for (const [id, grant] of this.grants) {
      if (grant.endedAt !== null) continue;
      const record = s.records.get(id);
      assert.ok(record !== undefined, `the record of live grant ${id} vanished`);
      if (record.state !== 'granted') grant.endedAt = record.endedAt;
    }
    for (const sem of s.sems.values()) {
      for (const holder of sem.holders.values()) {
        if (!isClientId(holder.rid)) continue;
        const id = recordKey(sem.key, holder.rid);
        const previous = this.grants.get(id);
        if (previous?.fence === holder.fence) continue;
        if (previous !== undefined) {
          const forgotten = previous.endedAt !== null && h.now() - previous.endedAt >= s.limits.requestRetentionMs;
          assert.ok(forgotten, `${id} granted twice (fences ${previous.fence} and ${holder.fence})`);
        }
        this.grants.set(id, { fence: holder.fence, endedAt: null });
      }
    }
  }
}

function checkState(h: SemHost, usage: Map<string, number>): void {
  const s = h.data;
  const now = h.now();
  const parked = new Set<string>();
  let holders = 0;
  let timed = 0;
  let delays = 0;
  for (const sem of s.sems.values()) {
    const held = [...sem.holders.values()].reduce((n, x) => n + x.permits, 0);
    const delayed = [...sem.delays].reduce((n, d) => n + d.permits, 0);
    assert.equal(sem.held, held, 'held is the sum of holders\' permits');
    assert.equal(sem.delayed, delayed, 'delayed is the sum of lock-delays');
    const used = held + delayed;
    // Over capacity only after a shrink, and then usage never grows until it is back under.
    const before = usage.get(sem.key) ?? 0;
    assert.ok(used <= sem.capacity || used <= before, `${sem.key}: ${used} permits used of capacity ${sem.capacity}`);
    usage.set(sem.key, used);
    assert.ok(sem.holders.size <= s.limits.maxHoldersPerKey);
    for (const x of sem.holders.values()) assert.ok(x.expiresAt > now, 'no holder outlives its lease');
    for (const w of sem.waiters.values()) {
      assert.ok(w.deadline === null || w.deadline > now, 'no waiter outlives its deadline');
      parked.add(waitKey(sem.key, w.rid));
      if (w.deadline !== null) timed++;
    }
    const head = sem.waiters.values().next().value;
    if (head !== undefined) {
      const blocked = (w: { permits: number }) => w.permits > available(sem) || sem.holders.size >= s.limits.maxHoldersPerKey;
      if (sem.policy === 'fifo') assert.ok(blocked(head), `${sem.key}: the FIFO head could be granted but waits`);
      else for (const w of sem.waiters.values()) assert.ok(blocked(w), `${sem.key}: a FIRSTFIT waiter fits but waits`);
    }
    holders += sem.holders.size;
    delays += sem.delays.size;
  }
  for (const key of [...usage.keys()]) if (!s.sems.has(key)) usage.delete(key);
  assert.deepEqual(new Set(h.blocked.keys()), parked, 'exactly the queued requests have a parked client');
  assert.deepEqual([s.leases.size, s.deadlines.size, s.delayTimers.size], [holders, timed, delays], 'timers match the state');
  for (const r of s.records.values()) {
    const sem = s.sems.get(r.key);
    if (r.state === 'waiting') assert.ok(sem?.waiters.has(r.rid), `waiting record ${r.rid} has its waiter`);
    if (r.state === 'granted') assert.equal(sem?.holders.get(r.fence ?? -1)?.rid, r.rid, `granted record ${r.rid} has its holder`);
  }
  assert.ok(s.records.size <= s.limits.maxRequestRecords);
}

test('random command sequences keep every invariant, and a snapshot restored mid-way has the same future', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 150, size: 'max' }), fc.nat(), (ops, cut) => {
      const original = new SemHost(app);
      original.send('SEM.CREATE', 'a', 2);
      original.send('SEM.CREATE', 'b', 3, 'POLICY', 'FIRSTFIT');
      const observer = new Observer();
      const split = cut % (ops.length + 1);
      for (const o of ops.slice(0, split)) {
        observer.before(original.data);
        const { reply, wakes } = apply(original, o);
        observer.after(original, reply, wakes, o);
      }
      const restored = original.restoredCopy();
      for (const o of ops.slice(split)) {
        observer.before(original.data);
        const a = apply(original, o);
        const b = apply(restored, o);
        assert.deepEqual(plain(b.reply ?? null), plain(a.reply ?? null), `reply to ${JSON.stringify(o)}`);
        assert.deepEqual(b.wakes.map((w) => [w.key, plain(w.reply)]), a.wakes.map((w) => [w.key, plain(w.reply)]), 'wakes');
        observer.after(original, a.reply, a.wakes, o);
      }
      assert.deepEqual(restored.snapshotBatches(), original.snapshotBatches(), 'the two states end equal');
    }),
    { numRuns: Number(process.env.SEM_MODEL_RUNS ?? 500) },
  );
});
