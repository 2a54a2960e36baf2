/**
 * The counter workload: INCR on a few keys and GETs of them; after the faults, a final
 * read of every key. Judged by the counter checker (acknowledged bounds, monotonic
 * reads, disjoint INCR replies).
 */
import { checkCounter } from '../checker/counter.js';
import type { CheckResult } from '../checker/verdict.js';
import type { History } from '../history.js';
import { pauseMs, Session, type WorkloadContext } from '../runner/clients.js';
import { finalRead } from './final-read.js';
import type { Workload } from './workload.js';

export class CounterWorkload implements Workload {
  readonly name = 'counter';
  readonly app = 'kvd' as const;
  private readonly keys: string[];

  constructor(
    readonly workers = 8,
    keys = 3,
  ) {
    this.keys = Array.from({ length: keys }, (_, i) => `c${i}`);
  }

  async setup(): Promise<void> {}

  async worker(ctx: WorkloadContext): Promise<void> {
    const session = new Session(ctx);
    while (!ctx.stopped()) {
      const key = this.keys[ctx.rng.int(this.keys.length)] as string;
      if (ctx.rng.chance(0.7)) {
        await session.run({ f: 'incr', key, arg: 1 }, (c) => c.incr(key), (v) => v);
      } else {
        await session.run({ f: 'read', key }, (c) => c.get(key), (v) => (v === null ? null : Number(v)));
      }
      await pauseMs(ctx.rng.int(8));
    }
    session.drop();
  }

  async final(ctx: WorkloadContext): Promise<void> {
    for (const key of this.keys) {
      await finalRead(ctx, { f: 'read', key }, (c) => c.get(key), (v) => (v === null ? null : Number(v)));
    }
  }

  check(history: History): CheckResult[] {
    return [checkCounter(history.ops)];
  }
}
