/**
 * The semaphore workload (semaphored, raw commands): workers acquire a permit of a
 * mutex or a small pool with a request ID, a TIMEOUT and a LEASE; a granted worker
 * enters its critical section only after SEM.CHECK says the fence is valid, works a
 * little, checks again on leaving (the "hold" record), then releases. A request whose
 * answer was lost is retried with the same ID until it gets one (also after the run).
 * Workers also read SEM.TIME, the replicated clock. Judged by the semaphore checker and
 * the lease checker (no lease cut short, replicated time never back nor ahead).
 */
import type { Redis } from 'ioredis';
import { checkLeases } from '../checker/lease.js';
import { checkSemaphore } from '../checker/semaphore.js';
import type { CheckResult } from '../checker/verdict.js';
import type { History, Json } from '../history.js';
import { pauseMs, Session, type WorkloadContext } from '../runner/clients.js';
import type { Workload } from './workload.js';

export const SEMAPHORES: Readonly<Record<string, number>> = { mutex: 1, pool: 2 };
export const TIME_KEY = '_time';
const LEASE_MS = 3000;

interface Acquire {
  key: string;
  rid: string;
  timeoutMs: number;
}

type AcquireReply = { fence: number; leaseMs: number; permits: number } | { ended: string } | null;

/** SEM.ACQUIRE's reply as the history records it; an ENDED error is an answer too. */
async function acquireCall(client: Redis, a: Acquire): Promise<AcquireReply> {
  try {
    const reply = (await client.call('SEM.ACQUIRE', a.key, 'TIMEOUT', String(a.timeoutMs), 'LEASE', String(LEASE_MS), 'ID', a.rid)) as
      | [number, number, number]
      | null;
    if (reply === null) return null;
    return { fence: Number(reply[0]), leaseMs: Number(reply[1]), permits: Number(reply[2]) };
  } catch (err) {
    const m = /^ENDED .*: (its wait was cancelled|its grant was released|its lease expired|its grant was revoked|its semaphore was deleted|the capacity shrank)/.exec(
      (err as Error).message,
    );
    if (!m) throw err;
    const reasons: Record<string, string> = {
      'its wait was cancelled': 'cancelled', 'its grant was released': 'released', 'its lease expired': 'expired',
      'its grant was revoked': 'revoked', 'its semaphore was deleted': 'deleted', 'the capacity shrank': 'shrunk',
    };
    return { ended: reasons[m[1] as string] as string };
  }
}

export class SemaphoreWorkload implements Workload {
  readonly name = 'semaphore';
  readonly app = 'semaphored' as const;
  private seq = 0;
  /** Requests that never got an answer: retried after the run. */
  private readonly unresolved = new Map<string, Acquire>();

  constructor(readonly workers = 8) {}

  async setup(ctx: WorkloadContext): Promise<void> {
    const session = new Session(ctx);
    for (const [key, capacity] of Object.entries(SEMAPHORES)) {
      for (let tries = 0; ; tries++) {
        const r = await session.run({ f: 'create', key, arg: { capacity } }, (c) => c.call('SEM.CREATE', key, String(capacity)), () => 'OK');
        if (r?.outcome === 'ok') break;
        if (tries > 50) throw new Error(`SEM.CREATE ${key} kept failing`);
      }
    }
    session.drop();
  }

  async worker(ctx: WorkloadContext): Promise<void> {
    const session = new Session(ctx);
    const keys = Object.keys(SEMAPHORES);
    while (!ctx.stopped()) {
      if (ctx.rng.chance(0.2)) {
        await session.run({ f: 'time', key: TIME_KEY }, (c) => c.call('SEM.TIME'), (v) => Number(v));
        continue;
      }
      const a: Acquire = { key: keys[ctx.rng.int(keys.length)] as string, rid: `q${this.seq++}`, timeoutMs: ctx.rng.range(300, 2500) };
      const reply = await this.acquire(ctx, session, a, () => ctx.stopped());
      if (reply && 'fence' in reply) await this.hold(ctx, session, a.key, reply.fence);
      await pauseMs(ctx.rng.int(20));
    }
    session.drop();
  }

  /** Sends the acquire (again, same ID) until it is answered or `giveUp()`. */
  private async acquire(ctx: WorkloadContext, session: Session, a: Acquire, giveUp: () => boolean): Promise<AcquireReply | undefined> {
    this.unresolved.set(a.rid, a);
    const arg: Json = { rid: a.rid, timeoutMs: a.timeoutMs, leaseMs: LEASE_MS };
    for (;;) {
      const r = await session.run({ f: 'acquire', key: a.key, arg }, (c) => acquireCall(c, a), (v) => v);
      if (r?.outcome === 'ok') {
        this.unresolved.delete(a.rid);
        return r.value;
      }
      if (giveUp()) return undefined;
      if (r?.outcome === 'fail') await pauseMs(50);
    }
  }

  /** The fence-checked critical section, then the release (retried: it is idempotent). */
  private async hold(ctx: WorkloadContext, session: Session, key: string, fence: number): Promise<void> {
    const check = async (): Promise<boolean> => {
      const r = await session.run({ f: 'check', key, arg: { fence } }, (c) => c.call('SEM.CHECK', key, String(fence)), (v) => Number(v));
      return r?.outcome === 'ok' && r.value === 1;
    };
    const validBefore = await check();
    const enteredMs = ctx.recorder.now();
    if (validBefore) await pauseMs(ctx.rng.range(10, 150)); // the "work" done under the permit
    const leftMs = ctx.recorder.now();
    const validAfter = validBefore && (await check());
    if (validBefore) {
      ctx.recorder.log({ process: session.process, f: 'hold', key, arg: { fence, permits: 1 } }, { invokeMs: enteredMs, completeMs: leftMs }, 'ok', { validBefore, validAfter });
    }
    for (let tries = 0; tries < 20; tries++) {
      const r = await session.run({ f: 'release', key, arg: { fence } }, (c) => c.call('SEM.RELEASE', key, String(fence)), (v) => Number(v));
      if (r?.outcome === 'ok') return;
    }
  }

  async final(ctx: WorkloadContext): Promise<void> {
    const session = new Session(ctx);
    const deadline = Date.now() + 60_000;
    for (const a of [...this.unresolved.values()]) {
      const reply = await this.acquire(ctx, session, a, () => Date.now() > deadline);
      if (reply && 'fence' in reply) await this.hold(ctx, session, a.key, reply.fence);
    }
    session.drop();
  }

  check(history: History): CheckResult[] {
    const semOps = history.ops.filter((op) => op.key !== TIME_KEY);
    // Timing rules are not judged while a fault (or the recovery after it) can delay replies;
    // clock jumps are not excused: those are what the lease checker is for.
    const excuse = history.nemesis
      .filter((e) => e.nemesis !== 'clock' && e.nemesis !== 'snapshot')
      .map((e) => ({ startMs: e.startMs, endMs: e.endMs + 3000 }));
    return [
      checkSemaphore(semOps, { capacity: SEMAPHORES, excuse, slackMs: 1000, fifoSlackMs: 100 }),
      checkLeases(history.ops, { timeKey: TIME_KEY }),
    ];
  }
}
