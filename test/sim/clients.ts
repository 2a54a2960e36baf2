/**
 * Simulated clients of the KV service and the read checker.
 *
 * Writes are proposed at the node the client thinks leads; a write is acknowledged when
 * that node applies it at the index propose() returned. Reads go to any node through
 * ReadIndex and are served once the node applied up to the read index.
 *
 * Reads never stale (a register history check): a read of key k that started after
 * write w to k was acknowledged must return w's value or a later write's. Since every
 * value records the log index that wrote it, that is: the index the read returns must
 * be >= the largest index of a write to k acknowledged before the read started.
 */
import type { NodeId, ReadState } from '../../lib/raft/core/types.js';
import type { Rng } from '../../lib/util/rng.js';
import { SimViolation } from './checker.js';
import { encodeWrite, type Write } from './kv.js';
import type { SimNode } from './sim-node.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface PendingWrite {
  readonly kind: 'write';
  readonly write: Write;
  readonly node: SimNode;
  readonly incarnation: number;
  readonly index: number;
  readonly deadline: number;
}

interface PendingRead {
  readonly kind: 'read';
  readonly key: string;
  readonly ctx: string;
  readonly node: SimNode;
  readonly incarnation: number;
  /** Largest index of a write to `key` acknowledged before this read started. */
  readonly floor: number;
  readonly deadline: number;
}

interface Client {
  readonly id: number;
  seq: number;
  op: PendingWrite | PendingRead | null;
  leaderHint: NodeId | null;
  nextStep: number;
}

export interface ClientStats {
  writesAcked: number;
  writesFailed: number;
  readsChecked: number;
  opsTimedOut: number;
}

export interface Workload {
  readonly clients: number;
  readonly keys: number;
  /** Chance per step that an idle client starts an operation. */
  readonly opRate: number;
  readonly readRatio: number;
  readonly timeoutSteps: number;
  /** Bug injection for checker tests: serve reads from local state without ReadIndex. */
  readonly staleLocalReads?: boolean;
}

export class Clients {
  private readonly clients: Client[] = [];
  private readonly ackedMax = new Map<string, number>();
  private readonly readsByCtx = new Map<string, Client>();
  readonly stats: ClientStats = { writesAcked: 0, writesFailed: 0, readsChecked: 0, opsTimedOut: 0 };
  lastAckStep = -1;

  constructor(
    private readonly rng: Rng,
    private readonly workload: Workload,
  ) {
    for (let i = 0; i < workload.clients; i++) this.clients.push({ id: i, seq: 0, op: null, leaderHint: null, nextStep: 0 });
  }

  /** Called at the start of every step with the nodes that are up. */
  atStep(step: number, nodes: readonly SimNode[]): void {
    for (const c of this.clients) {
      if (c.op !== null) {
        if (step >= c.op.deadline || !c.op.node.up || c.op.node.incarnation !== c.op.incarnation) this.abandon(c, step);
        continue;
      }
      if (step < c.nextStep || nodes.length === 0 || !this.rng.chance(this.workload.opRate)) continue;
      if (this.rng.chance(this.workload.readRatio)) this.startRead(c, step, nodes);
      else this.startWrite(c, step, nodes);
    }
  }

  private key(): string {
    return `k${this.rng.int(this.workload.keys)}`;
  }

  private abandon(c: Client, step: number): void {
    if (c.op?.kind === 'read') this.readsByCtx.delete(c.op.ctx);
    // As a real client would, try elsewhere: the node may be a deposed leader.
    c.leaderHint = null;
    c.op = null;
    c.nextStep = step + 1;
    this.stats.opsTimedOut++;
  }

  private startWrite(c: Client, step: number, nodes: readonly SimNode[]): void {
    const hinted = nodes.find((n) => n.id === c.leaderHint);
    const node = hinted ?? (nodes[this.rng.int(nodes.length)] as SimNode);
    c.seq++;
    const write: Write = { client: c.id, seq: c.seq, key: this.key(), value: `c${c.id}.${c.seq}` };
    const res = node.withCore((core) => core.propose(encodeWrite(write)));
    if (res === undefined || !res.ok) {
      c.leaderHint = node.core?.raft.lead ?? null;
      c.nextStep = step + 1 + this.rng.int(3);
      return;
    }
    c.op = { kind: 'write', write, node, incarnation: node.incarnation, index: res.index, deadline: step + this.workload.timeoutSteps };
  }

  private startRead(c: Client, step: number, nodes: readonly SimNode[]): void {
    const hinted = this.rng.chance(0.5) ? nodes.find((n) => n.id === c.leaderHint) : undefined;
    const node = hinted ?? (nodes[this.rng.int(nodes.length)] as SimNode);
    c.seq++;
    const key = this.key();
    const ctx = `r${c.id}.${c.seq}`;
    const floor = this.ackedMax.get(key) ?? 0;
    if (this.workload.staleLocalReads === true) {
      this.checkRead(node, key, floor);
      return;
    }
    const op: PendingRead = { kind: 'read', key, ctx, node, incarnation: node.incarnation, floor, deadline: step + this.workload.timeoutSteps };
    c.op = op;
    this.readsByCtx.set(ctx, c);
    node.withCore((core) => core.readIndex(encoder.encode(ctx)));
  }

  /** A node applied a write; acknowledges it if it is the one its client waits for at that node. */
  onApply(node: SimNode, index: number, write: Write | null, step: number): void {
    for (const c of this.clients) {
      const op = c.op;
      if (op === null || op.kind !== 'write' || op.node !== node || op.index !== index) continue;
      if (node.incarnation !== op.incarnation) continue;
      c.op = null;
      c.nextStep = step + 1;
      if (write !== null && write.client === op.write.client && write.seq === op.write.seq) {
        this.ackedMax.set(op.write.key, Math.max(this.ackedMax.get(op.write.key) ?? 0, index));
        this.stats.writesAcked++;
        this.lastAckStep = step;
      } else {
        this.stats.writesFailed++;
      }
    }
  }

  onReadState(node: SimNode, rs: ReadState, step: number): void {
    const ctx = decoder.decode(rs.ctx);
    const c = this.readsByCtx.get(ctx);
    const op = c?.op;
    if (c === undefined || op === undefined || op === null || op.kind !== 'read' || op.ctx !== ctx) return;
    if (op.node !== node || node.incarnation !== op.incarnation) return;
    this.readsByCtx.delete(ctx);
    c.op = null;
    c.nextStep = step + 1;
    this.checkRead(node, op.key, op.floor);
  }

  private checkRead(node: SimNode, key: string, floor: number): void {
    const cell = node.kv.read(key);
    this.stats.readsChecked++;
    if (cell.index < floor) {
      throw new SimViolation(`stale read: ${node.id} returned ${key}=${cell.value || '(none)'} written at index ${cell.index}, but a write at index ${floor} was acknowledged before the read started`);
    }
  }
}
