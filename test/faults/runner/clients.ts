/**
 * What a workload's clients share: the recorder, the cluster, the run's seeded rng and
 * its end; and Session, one logical client process (Jepsen's "process"): a connection
 * to one node that is replaced, under a new process number, whenever an op's outcome
 * is unknown (the old op may still be in flight, so that process never issues again).
 */
import type { Redis } from 'ioredis';
import type { Rng } from '../../../lib/util/rng.js';
import type { Json } from '../history.js';
import type { Recorded, Recorder } from '../recorder.js';
import type { FaultCluster, FaultNode } from './cluster.js';

export interface WorkloadContext {
  readonly recorder: Recorder;
  readonly cluster: FaultCluster;
  readonly rng: Rng;
  /** True once the workload should stop issuing new ops. */
  stopped(): boolean;
  /** Process numbers, unique for the run. */
  newProcess(): number;
}

/** Waits `ms` (a client's think time, not a wait for a condition). */
export function pauseMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Session {
  process: number;
  private client: Redis | null = null;
  private node: FaultNode | null = null;

  /** `pinned`: always this node (the final reads go through every member). */
  constructor(
    private readonly ctx: WorkloadContext,
    private readonly pinned?: FaultNode,
  ) {
    this.process = ctx.newProcess();
  }

  /** A ready connection to a random running member, or null if none connected quickly. */
  async connection(): Promise<Redis | null> {
    if (this.client && this.client.status === 'ready' && this.node?.running) return this.client;
    this.drop();
    const candidates = this.pinned ? [this.pinned] : this.ctx.cluster.members.filter((n) => n.running && !n.paused);
    if (candidates.length === 0) return null;
    const node = candidates[this.ctx.rng.int(candidates.length)] as FaultNode;
    const client = node.client();
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
      client.once('end', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!ready) {
      client.disconnect();
      return null;
    }
    this.client = client;
    this.node = node;
    return client;
  }

  /** Forgets the connection and becomes a new process (after an unknown outcome). */
  crash(): void {
    this.drop();
    this.process = this.ctx.newProcess();
  }

  drop(): void {
    this.client?.disconnect();
    this.client = null;
    this.node = null;
  }

  /**
   * Records one command. Returns undefined when no node could be reached (nothing was
   * sent, nothing recorded). An unknown outcome crashes the session.
   */
  async run<R>(
    spec: { f: string; key: string; arg?: Json; final?: boolean },
    call: (client: Redis) => Promise<R>,
    toResult: (value: R) => Json,
  ): Promise<Recorded<R> | undefined> {
    const client = await this.connection();
    if (!client) {
      await pauseMs(50);
      return undefined;
    }
    const node = this.node?.id;
    const recorded = await this.ctx.recorder.record({ process: this.process, ...spec, ...(node ? { node } : {}) }, () => call(client), toResult);
    if (recorded.outcome === 'unknown') this.crash();
    return recorded;
  }
}

