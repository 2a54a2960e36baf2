/**
 * The register workload: GET / SET (a value unique per attempt) / DEL on a few rotating
 * keys, judged by the linearizability checker.
 */
import { checkLinearizable } from '../checker/linearizable.js';
import type { CheckResult } from '../checker/verdict.js';
import type { History } from '../history.js';
import { pauseMs, Session, type WorkloadContext } from '../runner/clients.js';
import { KeyRotation, type Workload } from './workload.js';

export class RegisterWorkload implements Workload {
  readonly name = 'register';
  readonly app = 'kvd' as const;
  private readonly keys: KeyRotation;
  private seq = 0;

  constructor(
    readonly workers = 8,
    slots = 4,
    opsPerKey = 150,
    private readonly checkTimeLimitMs = 60_000,
  ) {
    this.keys = new KeyRotation('r', slots, opsPerKey);
  }

  async setup(): Promise<void> {}

  async worker(ctx: WorkloadContext): Promise<void> {
    const session = new Session(ctx);
    while (!ctx.stopped()) {
      const key = this.keys.next(ctx.rng.int(4));
      const roll = ctx.rng.float();
      if (roll < 0.5) {
        await session.run({ f: 'get', key }, (c) => c.get(key), (v) => v);
      } else if (roll < 0.9) {
        const value = `v${this.seq++}`;
        await session.run({ f: 'set', key, arg: value }, (c) => c.set(key, value), (v) => v);
      } else {
        await session.run({ f: 'del', key }, (c) => c.del(key), (v) => v);
      }
      await pauseMs(ctx.rng.int(8));
    }
    session.drop();
  }

  async final(): Promise<void> {}

  check(history: History): CheckResult[] {
    return [checkLinearizable(history.ops, { timeLimitMs: this.checkTimeLimitMs })];
  }
}
