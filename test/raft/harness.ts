/**
 * A small synchronous cluster of Raft cores for the paper tests and the golden scripts:
 * each node has the in-memory storage twins, a state machine that records applied
 * entries, and a mailbox. Nothing happens unless a test says so: process a node's Ready,
 * deliver its mailbox, tick it, or `stabilize()` until nothing is left to do.
 *
 * A node with asyncPersistence writes a Ready's entries and hard state when processing
 * it but syncs them only on `persist` (then calls persisted() and releases the Ready's
 * held messages, in order); `stabilize()` persists everything it finds pending. With
 * `autoPersist` every Ready is persisted as it is processed.
 */
import { RawNode } from '../../lib/raft/core/raw-node.js';
import { decodeConfChange } from '../../lib/raft/core/conf-change-codec.js';
import { EntryKind, type ConfState, type Entry, type Message, type NodeId, type RaftConfig, type ReadState, type Ready } from '../../lib/raft/core/types.js';
import { MemoryLogStore } from '../../lib/raft/storage/memory-log.js';
import { MemoryStableStore } from '../../lib/raft/storage/memory-stable.js';
import { MemorySnapshotStore } from '../../lib/raft/storage/memory-snapshots.js';
import { createRaftStorageView, reconcileLogWithSnapshot } from '../../lib/raft/storage/raft-storage-view.js';
import { rngFromSeed } from '../../lib/util/rng.js';

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

/** A node's history for scenario tests (see TestNode.preload). */
export interface Preload {
  readonly conf: ConfState;
  readonly terms: readonly number[];
  readonly term?: number;
  readonly vote?: NodeId;
  readonly commit?: number;
}

export type ConfigOverrides = Partial<Omit<RaftConfig, 'id' | 'storage' | 'applied' | 'rng'>>;

export const DEFAULT_TEST_CONFIG = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: false,
  checkQuorum: false,
  maxMsgBytes: 1024 * 1024,
  maxInflightMsgs: 256,
  snapshotChunkBytes: 1024,
  maxInflightSnapshotChunks: 4,
} as const;

/** asyncPersistence: a processed Ready whose writes are not synced yet, or whose messages wait behind one. */
interface HeldWrite {
  readonly persistTo: { readonly index: number; readonly term: number } | null;
  readonly messages: readonly Message[];
}

export class TestNode {
  readonly log = new MemoryLogStore();
  readonly stable = new MemoryStableStore();
  readonly snapshots = new MemorySnapshotStore({ nowMs: () => 0 });
  core!: RawNode;
  /** Data of every applied Normal entry, by index (the state machine). */
  applied: { index: number; term: number; data: string }[] = [];
  appliedIndex = 0;
  readStates: ReadState[] = [];
  /** asyncPersistence: processed Readys not yet persisted (or behind one), oldest first. */
  held: HeldWrite[] = [];
  /** asyncPersistence: persist each Ready while processing it. */
  autoPersist: boolean;
  private seed: number;

  private readonly overrides: ConfigOverrides;

  constructor(
    readonly id: NodeId,
    overrides: ConfigOverrides,
    bootstrap: ConfState | undefined,
    seed: number,
    preload?: Preload,
  ) {
    this.seed = seed;
    // RAFT_TEST_ASYNC=1 runs every test in asyncPersistence mode, each Ready persisted
    // as it is processed: the paper's claims must hold in both modes.
    const asyncAll = process.env['RAFT_TEST_ASYNC'] === '1';
    this.overrides = asyncAll ? { asyncPersistence: true, ...overrides } : overrides;
    this.autoPersist = asyncAll;
    if (preload !== undefined) this.preload(preload);
    this.start(bootstrap);
  }

  /**
   * Gives the node a history before it starts: a snapshot at index 1 (term 1) holding the
   * configuration, then entries 2, 3, ... with the given terms.
   */
  private preload(p: Preload): void {
    const writer = this.snapshots.create({ index: 1, term: 1, conf: p.conf });
    writer.writeBatch([]);
    void writer.commit();
    void this.log.reset(1, 1);
    this.log.append(p.terms.map((term, i) => ({ index: i + 2, term, kind: EntryKind.Normal, data: encoder.encode(`t${term}`) })));
    this.log.syncNow();
    const term = Math.max(1, p.term ?? 0, ...p.terms);
    void this.stable.save({ term, vote: p.vote ?? null, commit: p.commit ?? 1 }, { sync: true });
    this.appliedIndex = 1;
  }

  private start(bootstrap?: ConfState): void {
    void reconcileLogWithSnapshot(this.log, this.snapshots);
    const storage = createRaftStorageView(this.log, this.stable, this.snapshots, bootstrap);
    this.core = new RawNode({
      ...DEFAULT_TEST_CONFIG,
      ...this.overrides,
      id: this.id,
      storage,
      applied: this.appliedIndex,
      rng: rngFromSeed(this.seed++),
    });
  }

  /** Loses everything not synced and starts a new core from what is durable. */
  restart(): void {
    this.held = [];
    this.log.crash();
    this.stable.crash();
    this.restoreFromSnapshot();
    this.start();
  }

  private restoreFromSnapshot(): void {
    const snap = this.snapshots.latest();
    this.applied = [];
    this.appliedIndex = 0;
    if (snap === null) return;
    for (const batch of this.snapshots.readBatches()) {
      for (const item of batch as { index: number; term: number; data: string }[]) this.applied.push(item);
    }
    this.appliedIndex = snap.meta.index;
  }

  /** Handles one Ready as the contract says; returns it (for printing) and the messages it sent. */
  handleReady(rd: Ready): Message[] {
    if (rd.snapshot !== null) {
      if (this.held.length > 0) throw new Error(`${this.id}: a snapshot was handed out while writes were in flight`);
      void this.snapshots.install(rd.snapshot.meta, rd.snapshot.data);
      void this.log.reset(rd.snapshot.meta.index, rd.snapshot.meta.term);
      this.restoreFromSnapshot();
    }
    const out = [...rd.messagesBeforePersist];
    this.log.append(rd.entries);
    const async = rd.persistTo !== undefined && rd.persistTo !== null;
    if (rd.hardState !== null) void this.stable.save(rd.hardState, { sync: !async });
    if (async || this.held.length > 0) {
      this.held.push({ persistTo: rd.persistTo ?? null, messages: rd.messages });
      // A Ready with a snapshot is persisted before advance() (the contract's rule).
      out.push(...(rd.snapshot !== null || this.autoPersist ? this.persist() : this.persist(0)));
    } else {
      this.log.syncNow();
      out.push(...rd.messages);
    }
    for (const e of rd.committedEntries) this.apply(e);
    this.readStates.push(...rd.readStates);
    this.core.advance();
    return out;
  }

  /**
   * asyncPersistence: the disk syncs, and the oldest `count` writes are acknowledged with
   * persisted() (all by default). Returns the held messages that may now leave.
   */
  persist(count = Number.POSITIVE_INFINITY): Message[] {
    if (count > 0) {
      this.log.syncNow();
      this.stable.syncNow();
    }
    const out: Message[] = [];
    let acked = 0;
    for (;;) {
      const next = this.held[0];
      if (next === undefined || (next.persistTo !== null && acked >= count)) break;
      this.held.shift();
      if (next.persistTo !== null) {
        this.core.persisted(next.persistTo.index, next.persistTo.term);
        acked++;
      }
      out.push(...next.messages);
    }
    return out;
  }

  private apply(e: Entry): void {
    if (e.index !== this.appliedIndex + 1) throw new Error(`${this.id} applied ${e.index} after ${this.appliedIndex}`);
    this.appliedIndex = e.index;
    if (e.kind === EntryKind.Normal && e.data.byteLength > 0) this.applied.push({ index: e.index, term: e.term, data: decoder.decode(e.data) });
  }

  /** Takes a snapshot at the applied index and compacts the log up to `compactTo` (default: all). */
  takeSnapshot(compactTo?: number): void {
    const index = this.appliedIndex;
    const status = this.core.status();
    const meta = { index, term: this.core.termAt(index), conf: status.conf };
    const writer = this.snapshots.create(meta);
    writer.writeBatch(this.applied);
    void writer.commit();
    this.core.snapshotTaken(meta);
    const to = compactTo ?? index;
    void this.log.compact(to, this.core.termAt(to));
  }

  appliedData(): string[] {
    return this.applied.map((a) => a.data);
  }
}

export class Cluster {
  readonly nodes = new Map<NodeId, TestNode>();
  readonly mailbox = new Map<NodeId, Message[]>();
  /** Directed links that drop messages: "from->to". */
  readonly cut = new Set<string>();
  private seed = 1;

  constructor(private readonly overrides: ConfigOverrides = {}) {}

  /** Bootstrapped voters (and learners) with the same configuration, or joiners with none. */
  add(ids: readonly NodeId[], opts: { learners?: readonly NodeId[]; join?: boolean; overrides?: ConfigOverrides } = {}): void {
    const conf: ConfState = {
      voters: ids.map((id) => ({ id, addr: `${id}:1` })),
      learners: (opts.learners ?? []).map((id) => ({ id, addr: `${id}:1` })),
    };
    for (const id of [...ids, ...(opts.learners ?? [])]) {
      const node = new TestNode(id, { ...this.overrides, ...opts.overrides }, opts.join === true ? undefined : conf, this.seed++ * 1000);
      this.nodes.set(id, node);
      this.mailbox.set(id, []);
    }
  }

  /** Nodes with a given history (Figure 7 / 8 style); `logs` maps id to the terms of entries 2.. */
  addWithLogs(logs: Record<NodeId, readonly number[]>, opts: { term?: number; overrides?: ConfigOverrides } = {}): void {
    const ids = Object.keys(logs);
    const conf: ConfState = { voters: ids.map((id) => ({ id, addr: `${id}:1` })), learners: [] };
    for (const id of ids) {
      const preload: Preload = { conf, terms: logs[id] ?? [], ...(opts.term === undefined ? {} : { term: opts.term }) };
      this.nodes.set(id, new TestNode(id, { ...this.overrides, ...opts.overrides }, undefined, this.seed++ * 1000, preload));
      this.mailbox.set(id, []);
    }
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  core(id: NodeId): RawNode {
    return this.node(id).core;
  }

  /** Processes one Ready of `id` if it has one; returns it with the messages sent. */
  processReady(id: NodeId): { ready: Ready; sent: Message[] } | null {
    const node = this.node(id);
    if (!node.core.hasReady()) return null;
    const ready = node.core.ready();
    const sent = node.handleReady(ready);
    for (const m of sent) this.post(m);
    return { ready, sent };
  }

  /** asyncPersistence: persists `count` writes of `id` (all by default) and posts what they release. */
  persist(id: NodeId, count?: number): Message[] {
    const sent = this.node(id).persist(count);
    for (const m of sent) this.post(m);
    return sent;
  }

  post(m: Message): boolean {
    if (this.cut.has(`${m.from}->${m.to}`)) return false;
    const box = this.mailbox.get(m.to);
    if (box === undefined) return false;
    box.push(m);
    return true;
  }

  /** Delivers (steps) every queued message for `id`; returns them. */
  deliver(id: NodeId): Message[] {
    const box = this.mailbox.get(id) ?? [];
    this.mailbox.set(id, []);
    const core = this.core(id);
    for (const m of box) core.step(m);
    return box;
  }

  drop(id: NodeId): Message[] {
    const box = this.mailbox.get(id) ?? [];
    this.mailbox.set(id, []);
    return box;
  }

  /** Processes Readies and delivers messages until nothing changes (bounded). */
  stabilize(ids: readonly NodeId[] = [...this.nodes.keys()], onEvent?: (what: string, id: NodeId, detail: unknown) => void): void {
    for (let round = 0; round < 1000; round++) {
      let busy = false;
      for (const id of ids) {
        const r = this.processReady(id);
        if (r !== null) {
          busy = true;
          onEvent?.('ready', id, r.ready);
        }
      }
      for (const id of ids) {
        const node = this.node(id);
        if (node.held.length === 0) continue;
        busy = true;
        const from = node.held.length;
        const sent = this.persist(id);
        onEvent?.('persist', id, { writes: from, sent });
      }
      for (const id of ids) {
        if ((this.mailbox.get(id) ?? []).length === 0) continue;
        busy = true;
        const msgs = this.deliver(id);
        onEvent?.('deliver', id, msgs);
      }
      if (!busy) return;
    }
    throw new Error('cluster did not stabilize in 1000 rounds');
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  tick(id: NodeId, count = 1): void {
    for (let i = 0; i < count; i++) this.core(id).tick();
  }

  leader(): NodeId | null {
    for (const [id, n] of this.nodes) if (n.core.status().role === 'leader') return id;
    return null;
  }

  /** Elects `id` (campaign + stabilize). */
  elect(id: NodeId): void {
    this.core(id).campaign();
    this.stabilize();
  }

  /** The terms of entries [from, lastIndex] in a node's log. */
  terms(id: NodeId, from = 2): number[] {
    const core = this.core(id);
    const out: number[] = [];
    for (let i = from; i <= core.status().lastIndex; i++) out.push(core.termAt(i));
    return out;
  }

  /** Messages queued for `to` (optionally of one type), without delivering them. */
  queued(to: NodeId, type?: Message['type']): Message[] {
    return (this.mailbox.get(to) ?? []).filter((m) => type === undefined || m.type === type);
  }

  propose(id: NodeId, data: string): number {
    const res = this.core(id).propose(encoder.encode(data));
    if (!res.ok) throw new Error(`propose at ${id} refused: ${res.reason}`);
    return res.index;
  }
}

export function confChangeText(e: Entry): string {
  const c = decodeConfChange(e.data);
  return `${c.op} ${c.id}`;
}

/** A bootstrapped cluster of `size` voters (n1, n2, ...) in which n1 was elected. */
export function electedCluster(size = 3, overrides: ConfigOverrides = {}): Cluster {
  const c = new Cluster(overrides);
  c.add(Array.from({ length: size }, (_, i) => `n${i + 1}`));
  c.stabilize();
  c.elect('n1');
  return c;
}

/** `rounds` times: tick every node once, then let the messages settle. */
export function tickAll(c: Cluster, rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    for (const id of c.nodes.keys()) c.tick(id);
    c.stabilize();
  }
}
