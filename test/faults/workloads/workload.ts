/**
 * A workload: the commands its clients send, what they record, the final reads after the
 * faults healed, and which checkers judge the history.
 */
import type { CheckResult } from '../checker/verdict.js';
import type { History } from '../history.js';
import type { AppName } from '../runner/cluster.js';
import type { WorkloadContext } from '../runner/clients.js';

export interface Workload {
  readonly name: string;
  readonly app: AppName;
  /** Concurrent client loops. */
  readonly workers: number;
  /** Creates what the clients need (a semaphore...), before any fault. */
  setup(ctx: WorkloadContext): Promise<void>;
  /** One client loop; returns once ctx.stopped() (an op in flight may finish first). */
  worker(ctx: WorkloadContext): Promise<void>;
  /** After every fault healed: the reads marked final, retries of unresolved requests. */
  final(ctx: WorkloadContext): Promise<void>;
  check(history: History): CheckResult[];
}

/** Rotating keys: each slot's key is retired after `opsPerKey` ops, so the linearizability
 *  search and the collections stay small however long the run (Jepsen's independent keys). */
export class KeyRotation {
  private readonly used: number[];
  private readonly generation: number[];
  readonly allKeys: string[] = [];

  constructor(
    private readonly prefix: string,
    private readonly slots: number,
    private readonly opsPerKey: number,
  ) {
    this.used = Array.from({ length: slots }, () => 0);
    this.generation = Array.from({ length: slots }, () => 0);
    for (let s = 0; s < slots; s++) this.allKeys.push(this.name(s));
  }

  /** The key for the next op on slot `slot`. */
  next(slot: number): string {
    const s = slot % this.slots;
    if ((this.used[s] as number) >= this.opsPerKey) {
      this.used[s] = 0;
      this.generation[s] = (this.generation[s] as number) + 1;
      this.allKeys.push(this.name(s));
    }
    this.used[s] = (this.used[s] as number) + 1;
    return this.name(s);
  }

  private name(slot: number): string {
    return `${this.prefix}${slot}-${this.generation[slot] as number}`;
  }
}
