/**
 * One simulated node: a Raft core, the in-memory storage twins (a disk that loses what
 * was not synced), the KV state machine, and a small synchronous driver that obeys the
 * Ready contract. The fsync of a Ready takes simulated time; meanwhile the node keeps
 * stepping messages and ticking, as a real driver does.
 *
 * Two driver modes, as the core's settings say. Default: one Ready at a time, advance()
 * after its fsync. asyncPersistence: advance() right after handling, writes pipelined
 * through WritePipeline, persisted() when a sync completes; a Ready with a snapshot is
 * still handled whole before advance() (the core hands it out only when no write is in
 * flight). Either way the node tracks what its disk durably holds, so the checkers can
 * tell a durable copy from one that a crash would lose.
 */
import { RawNode } from '../../lib/raft/core/raw-node.js';
import type { ConfState, Entry, Message, NodeId, RaftConfig, ReadState, Ready, SnapshotMeta } from '../../lib/raft/core/types.js';
import { MemoryLogStore } from '../../lib/raft/storage/memory-log.js';
import { MemorySnapshotStore } from '../../lib/raft/storage/memory-snapshots.js';
import { MemoryStableStore } from '../../lib/raft/storage/memory-stable.js';
import { createRaftStorageView, reconcileLogWithSnapshot } from '../../lib/raft/storage/raft-storage-view.js';
import type { Rng } from '../../lib/util/rng.js';
import { SimViolation } from './checker.js';
import { KvMachine, type KvSnapshot, type Write } from './kv.js';
import { WritePipeline, type PersistPoint } from './write-pipeline.js';

export type CoreSettings = Omit<RaftConfig, 'id' | 'storage' | 'applied' | 'rng'>;

/** What a node needs from the simulation around it. */
export interface NodeHost {
  schedule(delay: number, run: () => void): void;
  diskDelay(): number;
  /** asyncPersistence: delay between the acknowledgements of one sync (0: all at once). */
  ackDelay(): number;
  /** Bug injection for checker tests: the async driver sends held messages at once. */
  readonly sendBeforePersist: boolean;
  send(messages: readonly Message[]): void;
  onReady(node: SimNode, rd: Ready): void;
  onPersist(node: SimNode, entries: readonly Entry[]): void;
  onApply(node: SimNode, entry: Entry, write: Write | null): void;
  onReadState(node: SimNode, rs: ReadState): void;
  onSnapshot(node: SimNode, meta: SnapshotMeta, kv: KvMachine, installed: boolean): void;
  observe(node: SimNode): void;
}

const EMPTY_CONF: ConfState = { voters: [], learners: [] };

export class SimNode {
  readonly log = new MemoryLogStore();
  readonly stable = new MemoryStableStore();
  readonly snapshots = new MemorySnapshotStore({ nowMs: () => 0, retain: 2 });
  core: RawNode | null = null;
  kv = new KvMachine(EMPTY_CONF);
  paused = false;
  /** Never restarted again (removed from the cluster). */
  retired = false;
  /** Bumped on every start and crash, so late disk completions of a dead incarnation are ignored. */
  incarnation = 0;
  private pending: Ready | null = null;
  private inbox: Message[] = [];
  private readWaiters: ReadState[] = [];
  lastSnapshotIndex = 0;
  /** Ticks per step (clock drift) and the fraction of a tick accumulated so far. */
  tickRate = 1;
  tickCredit = 0;
  /** asyncPersistence: Readys handled whose writes or messages are still pending. */
  private writes: WritePipeline | null = null;
  /** The last sync made entries up to syncedTo durable, except from dirtyFrom on (rewritten since). */
  private syncedTo = 0;
  private dirtyFrom = Number.POSITIVE_INFINITY;

  constructor(
    readonly id: NodeId,
    /** Tick phase within a step, so nodes do not tick in lockstep. */
    readonly phase: number,
    private readonly bootstrap: ConfState | undefined,
    private readonly settings: CoreSettings,
    private readonly rng: Rng,
    private readonly host: NodeHost,
    readonly createdStep: number,
  ) {}

  get up(): boolean {
    return this.core !== null;
  }

  private get async(): boolean {
    return this.settings.asyncPersistence === true;
  }

  /** Does this node's disk durably hold entry (index, term)? Compacted entries count (a snapshot holds them). */
  durablyHolds(index: number, term: number | undefined): boolean {
    if (index < this.log.firstIndex()) return true;
    return index <= this.syncedTo && index < this.dirtyFrom && index <= this.log.lastIndex() && this.log.term(index) === term;
  }

  start(): void {
    this.incarnation++;
    this.pending = null;
    this.inbox = [];
    this.readWaiters = [];
    this.paused = false;
    void reconcileLogWithSnapshot(this.log, this.snapshots);
    this.markSynced();
    this.writes = this.async ? this.newPipeline() : null;
    this.kv = new KvMachine(EMPTY_CONF);
    const snap = this.snapshots.latest();
    if (snap !== null) this.restoreKv(snap.meta);
    const storage = createRaftStorageView(this.log, this.stable, this.snapshots, this.bootstrap);
    this.core = new RawNode({ ...this.settings, id: this.id, storage, applied: this.kv.appliedIndex, rng: this.rng.fork() });
    this.host.observe(this);
  }

  /** Power failure: unsynced writes are lost, except a torn prefix of `keepUnsynced` entries. */
  crash(keepUnsynced: number): void {
    this.incarnation++;
    this.core = null;
    this.pending = null;
    this.inbox = [];
    this.readWaiters = [];
    this.writes = null;
    this.log.crash(keepUnsynced);
    this.stable.crash();
    this.markSynced();
  }

  private newPipeline(): WritePipeline {
    const incarnation = this.incarnation;
    const host = this.host;
    return new WritePipeline(
      {
        schedule: (delay, run) => host.schedule(delay, run),
        diskDelay: () => host.diskDelay(),
        ackDelay: () => host.ackDelay(),
        syncDisk: () => this.syncDisk(),
        persisted: (point) => this.withCore((c) => c.persisted(point.index, point.term)),
        send: (messages) => host.send(messages),
        alive: () => this.incarnation === incarnation && this.core !== null,
      },
      host.sendBeforePersist,
    );
  }

  private markSynced(): void {
    this.syncedTo = this.log.lastIndex();
    this.dirtyFrom = Number.POSITIVE_INFINITY;
  }

  private syncDisk(): void {
    this.log.syncNow();
    this.stable.syncNow();
    this.markSynced();
  }

  private appendToLog(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    this.host.onPersist(this, entries);
    if (first.index < this.dirtyFrom) this.dirtyFrom = first.index;
    this.log.append(entries);
  }

  /** Runs `fn` against the core, then handles whatever Ready it produced. */
  withCore<T>(fn: (core: RawNode) => T): T | undefined {
    const core = this.core;
    if (core === null) return undefined;
    const out = fn(core);
    this.host.observe(this);
    this.pump();
    return out;
  }

  receive(m: Message): void {
    if (this.core === null) return;
    if (this.paused) this.inbox.push(m);
    else this.withCore((c) => c.step(m));
  }

  tick(): void {
    if (this.core !== null && !this.paused) this.withCore((c) => c.tick());
  }

  resume(): void {
    this.paused = false;
    const inbox = this.inbox;
    this.inbox = [];
    for (const m of inbox) this.receive(m);
  }

  private pump(): void {
    for (;;) {
      const core = this.core;
      if (core === null || this.pending !== null || !core.hasReady()) return;
      const rd = core.ready();
      this.host.onReady(this, rd);
      const writes = this.writes;
      if (writes !== null && rd.snapshot === null) {
        this.writeReady(rd);
        writes.add(rd.messages, rd.persistTo ?? null);
        this.finish(rd, false);
        continue;
      }
      if (rd.snapshot !== null) {
        if (writes !== null && !writes.empty) throw new SimViolation(`${this.id}: a snapshot was handed out while earlier writes were in flight`);
        this.install(rd.snapshot.meta, rd.snapshot.data);
      }
      this.writeReady(rd);
      if (rd.mustSync) {
        this.pending = rd;
        const incarnation = this.incarnation;
        this.host.schedule(this.host.diskDelay(), () => {
          if (this.incarnation === incarnation && this.pending === rd) this.finishSync(rd);
        });
        return;
      }
      this.finish(rd, true);
    }
  }

  /** Step 2 of the Ready contract, up to the fsync. */
  private writeReady(rd: Ready): void {
    if (rd.messagesBeforePersist.length > 0) this.host.send(rd.messagesBeforePersist);
    this.appendToLog(rd.entries);
    if (rd.hardState !== null) void this.stable.save(rd.hardState, { sync: false });
  }

  private finishSync(rd: Ready): void {
    this.syncDisk();
    this.pending = null;
    const point: PersistPoint | null = rd.persistTo ?? null;
    if (point !== null) this.core?.persisted(point.index, point.term);
    this.finish(rd, true);
    this.pump();
  }

  /** Steps 3 (unless the pipeline holds the messages) to 5 of the Ready contract. */
  private finish(rd: Ready, sendMessages: boolean): void {
    const core = this.core;
    if (core === null) return;
    if (sendMessages && rd.messages.length > 0) this.host.send(rd.messages);
    for (const e of rd.committedEntries) {
      if (e.index !== this.kv.appliedIndex + 1) throw new Error(`${this.id} applies ${e.index} after ${this.kv.appliedIndex}`);
      if (!this.durablyHolds(e.index, e.term)) throw new SimViolation(`${this.id} applies entry ${e.index} (term ${e.term}) before its disk holds it durably`);
      this.host.onApply(this, e, this.kv.apply(e));
    }
    for (const rs of rd.readStates) this.readWaiters.push(rs);
    this.serveReads();
    core.advance();
    this.host.observe(this);
  }

  private serveReads(): void {
    if (this.readWaiters.length === 0) return;
    const waiting: ReadState[] = [];
    for (const rs of this.readWaiters) {
      if (rs.index <= this.kv.appliedIndex) this.host.onReadState(this, rs);
      else waiting.push(rs);
    }
    this.readWaiters = waiting;
  }

  private install(meta: SnapshotMeta, data: Uint8Array): void {
    this.snapshots.install(meta, data).catch(() => undefined);
    const latest = this.snapshots.latest();
    if (latest === null || latest.meta.index !== meta.index || latest.meta.term !== meta.term) {
      throw new Error(`${this.id}: the snapshot ${meta.index}/${meta.term} from the leader did not install (bad chunks?)`);
    }
    void this.log.reset(meta.index, meta.term);
    this.markSynced();
    this.restoreKv(meta);
    this.host.onSnapshot(this, meta, this.kv, true);
  }

  private restoreKv(meta: SnapshotMeta): void {
    const [batch] = this.snapshots.readBatches();
    this.kv.restore(batch as KvSnapshot, meta.index, meta.term, meta.conf);
    this.lastSnapshotIndex = meta.index;
  }

  /** Takes a snapshot at the applied index when enough was applied; keeps `trailing` entries. */
  maybeSnapshot(every: number, trailing: number): void {
    const core = this.core;
    if (core === null || this.pending !== null || this.kv.appliedIndex - this.lastSnapshotIndex < every) return;
    const meta: SnapshotMeta = { index: this.kv.appliedIndex, term: this.kv.appliedTerm, conf: this.kv.conf };
    const writer = this.snapshots.create(meta);
    writer.writeBatch(this.kv.snapshot());
    void writer.commit();
    this.lastSnapshotIndex = meta.index;
    this.host.onSnapshot(this, meta, this.kv, false);
    this.withCore((c) => c.snapshotTaken(meta));
    const to = meta.index - trailing;
    if (to >= this.log.firstIndex()) void this.log.compact(to, this.log.term(to));
  }
}
