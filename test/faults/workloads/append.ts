/**
 * The set / append workload: APPEND of a token unique per attempt (space-delimited) to a
 * few rotating keys, and GETs that split the string back into tokens; after the faults,
 * a final read of every key ever used. Judged by the set checker in ordered mode (an
 * APPEND string is an append-only list: reads must be prefixes of each other).
 */
import { checkSet } from '../checker/set.js';
import type { CheckResult } from '../checker/verdict.js';
import type { History } from '../history.js';
import { pauseMs, Session, type WorkloadContext } from '../runner/clients.js';
import { finalRead } from './final-read.js';
import { KeyRotation, type Workload } from './workload.js';

const tokens = (value: string | null): string[] => (value ?? '').split(' ').filter((t) => t !== '');

export class AppendWorkload implements Workload {
  readonly name = 'set';
  readonly app = 'kvd' as const;
  private readonly keys: KeyRotation;
  private seq = 0;

  constructor(
    readonly workers = 8,
    private readonly slots = 3,
    opsPerKey = 300,
  ) {
    this.keys = new KeyRotation('s', slots, opsPerKey);
  }

  async setup(): Promise<void> {}

  async worker(ctx: WorkloadContext): Promise<void> {
    const session = new Session(ctx);
    while (!ctx.stopped()) {
      const key = this.keys.next(ctx.rng.int(this.slots));
      if (ctx.rng.chance(0.75)) {
        const token = `t${this.seq++}`;
        await session.run({ f: 'add', key, arg: token }, (c) => c.append(key, ` ${token}`), (v) => v);
      } else {
        await session.run({ f: 'read', key }, (c) => c.get(key), tokens);
      }
      await pauseMs(ctx.rng.int(8));
    }
    session.drop();
  }

  async final(ctx: WorkloadContext): Promise<void> {
    for (const key of this.keys.allKeys) await finalRead(ctx, { f: 'read', key }, (c) => c.get(key), tokens);
  }

  check(history: History): CheckResult[] {
    return [checkSet(history.ops, { ordered: true })];
  }
}
