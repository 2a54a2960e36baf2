/**
 * semaphored end to end on a real 3-node cluster with real clients (the client module on
 * ioredis, worker processes, redis-cli): mutual exclusion with fences under contention,
 * a holder killed with kill -9, a holder paused past its lease, and kill -9 of the
 * leader while workers wait in the queue.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { TestCluster, type NodeProcess } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { SemaphoreClient, isRetryableReply, type Permit } from '../../examples/semaphored/client.js';
import { HolderProcess, checkFence, semInfo, waiterIds } from './semaphored-helpers.js';

interface LogEntry {
  readonly kind: 'enter' | 'leave';
  readonly worker: number;
  readonly fence: number;
}

interface Grant {
  readonly worker: number;
  readonly fence: number;
  /** Logical times (the shared counter) when the acquire was sent and its grant received. */
  readonly sentAt: number;
  readonly grantedAt: number;
}

/** The workers' shared record: enter/leave with fences, in the one order this process saw them. */
class SharedLog {
  readonly entries: LogEntry[] = [];
  readonly grants: Grant[] = [];
  readonly problems: string[] = [];
  private clock = 0;
  private inside = new Set<number>();
  maxInside = 0;

  now(): number {
    return this.clock++;
  }

  enter(worker: number, fence: number): void {
    this.entries.push({ kind: 'enter', worker, fence });
    if (this.inside.has(fence)) this.problems.push(`fence ${fence} entered twice`);
    this.inside.add(fence);
    this.maxInside = Math.max(this.maxInside, this.inside.size);
  }

  leave(worker: number, fence: number): void {
    this.entries.push({ kind: 'leave', worker, fence });
    this.inside.delete(fence);
  }
}

function clientFor(node: NodeProcess, onRetryableError?: (message: string) => void): SemaphoreClient {
  return new SemaphoreClient({
    redis: { host: '127.0.0.1', port: node.port },
    isRetryable: (message) => {
      onRetryableError?.(message);
      return isRetryableReply(message);
    },
  });
}

/** Grant B was asked for after grant A arrived: B's fence must be greater. */
function fenceOrderViolations(grants: readonly Grant[]): string[] {
  const out: string[] = [];
  const byGranted = [...grants].sort((x, y) => x.grantedAt - y.grantedAt);
  for (const b of grants) {
    for (const a of byGranted) {
      if (a.grantedAt >= b.sentAt) break;
      if (b.fence <= a.fence) out.push(`fence ${b.fence} (asked at ${b.sentAt}) after ${a.fence} (granted at ${a.grantedAt})`);
    }
  }
  return out;
}

describe('semaphored on a 3-node cluster', () => {
  let cluster: TestCluster;
  let admin: Redis;

  const followers = async (): Promise<NodeProcess[]> => {
    const leader = await cluster.waitForLeader();
    return cluster.running().filter((n) => n !== leader);
  };

  before(async () => {
    cluster = await TestCluster.start({ app: 'semaphored', nodes: 3 });
    admin = (await cluster.waitForLeader()).client();
  });
  after(async () => {
    admin?.disconnect();
    await cluster?.stop();
  });

  test('(a) 20 workers x 50 critical sections on capacity 3: at most 3 inside, fences strictly increase', async (t) => {
    const WORKERS = 20;
    const ROUNDS = 50;
    await admin.call('SEM.CREATE', 'a', 3);
    const log = new SharedLog();
    const clients = Array.from({ length: WORKERS }, (_, i) => clientFor(cluster.nodes[i % 3] as NodeProcess));
    const deadline = Date.now() + 40_000;
    const worker = async (id: number, client: SemaphoreClient): Promise<void> => {
      for (let round = 0; round < ROUNDS && Date.now() < deadline; round++) {
        const sentAt = log.now();
        const permit: Permit | null = await client.acquire('a', { timeoutMs: 20_000, leaseMs: 10_000 });
        if (permit === null) throw new Error(`worker ${id} got no permit within 20 s`);
        log.grants.push({ worker: id, fence: permit.fence, sentAt, grantedAt: log.now() });
        if (!(await permit.check())) log.problems.push(`fence ${permit.fence} invalid before entering`);
        log.enter(id, permit.fence);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3)));
        if (!(await permit.check())) log.problems.push(`fence ${permit.fence} invalid before leaving`);
        log.leave(id, permit.fence);
        if (!(await permit.release())) log.problems.push(`release of fence ${permit.fence} answered 0`);
      }
    };
    const started = Date.now();
    try {
      await Promise.all(clients.map((c, i) => worker(i, c)));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(`${log.grants.length} critical sections in ${seconds.toFixed(1)} s, at most ${log.maxInside} inside at once`);

    assert.deepEqual(log.problems, []);
    assert.equal(log.grants.length, WORKERS * ROUNDS, 'every worker finished its rounds within 40 s');
    assert.ok(log.maxInside <= 3, `${log.maxInside} workers inside at once`);
    assert.equal(log.maxInside, 3, 'the semaphore was contended (3 inside at some point)');
    assert.equal(new Set(log.grants.map((g) => g.fence)).size, log.grants.length, 'every grant has its own fence');
    for (const kind of ['enter', 'leave'] as const) {
      const fences = log.entries.filter((e) => e.kind === kind).map((e) => e.fence);
      assert.deepEqual(new Set(fences), new Set(log.grants.map((g) => g.fence)), `each fence has one ${kind} in the log`);
      assert.equal(fences.length, log.grants.length);
    }
    assert.deepEqual(fenceOrderViolations(log.grants), []);
    const info = await semInfo(admin, 'a');
    assert.equal(info.available, 3, 'every permit came back');
    assert.equal(info.waiters, 0);
  });

  test('(b) kill -9 of a worker process holding a permit: the permit returns when its lease ends', async (t) => {
    const LEASE_MS = 1500;
    await admin.call('SEM.CREATE', 'b', 1);
    const follower = (await followers())[0] as NodeProcess;
    const holder = new HolderProcess(follower.port, 'b', LEASE_MS, 'holder-b');
    const fence = (await holder.next('granted')).fence as number;
    assert.equal(await checkFence(admin, 'b', fence), true);
    const killedAt = Date.now();
    await holder.kill9();
    // A waiter queued behind the dead holder is served when (and only when) the lease ends.
    const waiter = admin.duplicate();
    try {
      const reply = (await waiter.call('SEM.ACQUIRE', 'b', 'TIMEOUT', 10_000, 'ID', 'next-b')) as number[] | null;
      const waitedMs = Date.now() - killedAt;
      t.diagnostic(`the dead holder's permit came back ${waitedMs} ms after kill -9 (lease ${LEASE_MS} ms, renewed every third)`);
      assert.ok(reply !== null, 'the waiter was granted');
      assert.ok((reply[0] as number) > fence, 'with a greater fence');
      assert.equal(await checkFence(admin, 'b', fence), false, "the dead holder's fence is no longer valid");
      // Renewed at most a third of the lease before the kill: the rest of the lease still ran.
      assert.ok(waitedMs >= LEASE_MS / 2, `freed after ${waitedMs} ms: before its lease could have ended`);
      assert.ok(waitedMs <= LEASE_MS + 1000, `freed only after ${waitedMs} ms`);
    } finally {
      waiter.disconnect();
    }
  });

  test('(d) a holder paused with SIGSTOP past its lease: on resume SEM.CHECK says its fence is invalid', async () => {
    const LEASE_MS = 1000;
    await admin.call('SEM.CREATE', 'd', 1);
    const follower = (await followers())[1] as NodeProcess;
    const holder = new HolderProcess(follower.port, 'd', LEASE_MS, 'holder-d');
    try {
      const fence = (await holder.next('granted')).fence as number;
      holder.signal('SIGSTOP');
      const pausedAt = Date.now();
      await waitFor('the paused holder\'s lease to end', async () => !(await checkFence(admin, 'd', fence)), { timeoutMs: 5000 });
      assert.ok(Date.now() - pausedAt >= LEASE_MS / 2, 'the lease ran on while the holder was paused');
      const next = (await admin.call('SEM.ACQUIRE', 'd', 'TIMEOUT', 5000)) as number[];
      assert.ok((next[0] as number) > fence, 'someone else holds the semaphore now, with a greater fence');
      holder.signal('SIGCONT');
      const from = holder.events.length;
      holder.send('check');
      const check = await holder.next('check', from);
      assert.equal(check.valid, false, 'the resumed holder learns that its fence no longer holds');
      const lost = await holder.next('lost');
      assert.match(lost.reason ?? '', /no longer holds|lease ended/);
      await admin.call('SEM.RELEASE', 'd', next[0] as number);
    } finally {
      holder.signal('SIGCONT');
      await holder.kill9();
    }
  });

  test('(c) kill -9 of the leader while 10 workers wait: each ends once, none lost or granted twice, FIFO after', async (t) => {
    await admin.call('SEM.CREATE', 'c', 1);
    const leader = await cluster.waitForLeader();
    const [f1, f2] = (await followers()) as [NodeProcess, NodeProcess];
    const holder = (await admin.call('SEM.ACQUIRE', 'c', 'LEASE', 60_000, 'ID', 'holder-c')) as number[];
    // Ten workers queue in a known order, each through a follower (the leader is about to die).
    // Each worker notes the errors it retried on: proof that the failover reached it.
    const retried = Array.from({ length: 10 }, () => [] as string[]);
    const clients = Array.from({ length: 10 }, (_, i) => clientFor(i % 2 === 0 ? f1 : f2, (message) => retried[i]!.push(message)));
    const grantOrder: string[] = [];
    const fences: number[] = [];
    const outcomes = new Map<string, string[]>();
    const settle = (id: string, outcome: string): void => {
      outcomes.set(id, [...(outcomes.get(id) ?? []), outcome]);
    };
    const runs: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) {
      const id = `w${i}`;
      // w9 gives up 8 s after queueing: its deadline passes after the failover and the grace.
      const run = clients[i]!.acquire('c', { id, timeoutMs: i === 9 ? 8000 : 0, leaseMs: 10_000 }).then(async (permit) => {
        if (permit === null) return settle(id, 'null');
        settle(id, 'granted');
        grantOrder.push(id);
        fences.push(permit.fence);
        await permit.release();
      });
      runs.push(run.catch((error: Error) => settle(id, `error: ${error.message}`)));
      await waitFor(`${id} to queue`, async () => (await waiterIds(admin, 'c')).length === i + 1);
    }
    admin.disconnect();
    const killedAt = Date.now();
    await leader.kill9();
    const newLeader = await cluster.waitForLeader();
    const electedAt = Date.now();
    admin = newLeader.client();
    t.diagnostic(`leader ${leader.id} killed; node ${newLeader.id} leads after ${electedAt - killedAt} ms`);
    // Past the abandon grace (3 s): a new leader cancels waits nobody re-attached to. Every worker did.
    await waitFor('the abandon grace to pass', () => Date.now() > electedAt + 3500, { timeoutMs: 10_000, intervalMs: 100 });
    assert.deepEqual(await waiterIds(admin, 'c'), ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9']);
    assert.equal(await admin.call('SEM.CANCEL', 'c', 'w5'), 1);
    await waitFor('w5 (cancelled) and w9 (timed out) to end', () => outcomes.has('w5') && outcomes.has('w9'), { timeoutMs: 10_000 });
    assert.deepEqual(await waiterIds(admin, 'c'), ['w0', 'w1', 'w2', 'w3', 'w4', 'w6', 'w7', 'w8']);
    assert.equal(await admin.call('SEM.RELEASE', 'c', holder[0] as number), 1);
    await Promise.all(runs);
    await Promise.all(clients.map((c) => c.close()));

    t.diagnostic(`errors the workers retried with their IDs: ${[...new Set(retried.flat())].join(' | ')}`);
    retried.forEach((errors, i) => assert.ok(errors.length > 0, `w${i} saw the failover`));
    assert.deepEqual(grantOrder, ['w0', 'w1', 'w2', 'w3', 'w4', 'w6', 'w7', 'w8'], 'grants in queue order');
    assert.deepEqual(fences, [...fences].sort((a, b) => a - b), 'fences increase with each grant');
    assert.ok((fences[0] as number) > (holder[0] as number));
    for (let i = 0; i < 10; i++) {
      const expected = i === 5 || i === 9 ? ['null'] : ['granted'];
      assert.deepEqual(outcomes.get(`w${i}`), expected, `w${i} ended exactly once`);
    }
    // The server's record of each request agrees: released, cancelled or timed out (null).
    const ends = await Promise.all(
      Array.from({ length: 10 }, (_, i) => admin.call('SEM.ACQUIRE', 'c', 'ID', `w${i}`, 'NOWAIT').catch((e: Error) => e.message)),
    );
    ends.forEach((end, i) => {
      if (i === 9) assert.equal(end, null, 'w9 timed out');
      else if (i === 5) assert.match(String(end), /^ENDED .*cancelled/);
      else assert.match(String(end), /^ENDED .*released/, `w${i} was granted once and released`);
    });
    const info = await semInfo(admin, 'c');
    assert.equal(info.available, 1);
    assert.equal(info.waiters, 0);
  });
});
