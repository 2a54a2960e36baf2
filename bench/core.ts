/**
 * Throughput of the Raft core alone: a 3-node cluster in one process, in-memory storage
 * twins, a driver that follows the Ready contract, messages passed by reference. Time is
 * counted in rounds: in each round every node steps the messages sent to it in the
 * previous round, then handles its Readys. An fsync takes `--fsync-rounds` rounds (0: it
 * completes within the round). Two loads, each run in both persistence modes:
 *
 *  - open: the leader proposes `--batch` entries every round; measures the core's
 *    per-entry cost (entries committed and applied on the leader per second);
 *  - closed: `--clients` clients each keep one entry in flight and propose the next once
 *    the leader applied it, after a seeded think time of 0 to `--jitter` rounds (so
 *    proposals also arrive while an fsync runs, as with redis-benchmark -P 1); measures
 *    what pipelining the fsync buys: entries per round, and per second.
 *
 * Default mode: one Ready at a time, advance() after its fsync. async (asyncPersistence):
 * Readys are handled and advanced at once, their messages held until an fsync (one at a
 * time, covering every write before it) completes and persisted() is called.
 *
 *   npx tsx bench/core.ts [--seconds 3] [--batch 1000] [--entry-bytes 16] [--clients 50] [--fsync-rounds 2] [--jitter 2]
 */
import { RawNode } from '../lib/raft/core/raw-node.js';
import type { ConfState, Message, NodeId } from '../lib/raft/core/types.js';
import { MemoryLogStore } from '../lib/raft/storage/memory-log.js';
import { MemorySnapshotStore } from '../lib/raft/storage/memory-snapshots.js';
import { MemoryStableStore } from '../lib/raft/storage/memory-stable.js';
import { createRaftStorageView } from '../lib/raft/storage/raft-storage-view.js';
import { rngFromSeed } from '../lib/util/rng.js';

type Mode = 'sync' | 'async';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number`);
  return v;
}

const seconds = option('seconds', 3);
const batch = option('batch', 1000);
const entryBytes = option('entry-bytes', 16);
const clients = option('clients', 50);
const fsyncRounds = option('fsync-rounds', 2);
const jitter = option('jitter', 2);
/** Keep this many applied entries in the logs; compact the rest (bounds memory). */
const KEEP_ENTRIES = 100_000;

interface Held {
  readonly persistTo: { readonly index: number; readonly term: number } | null;
  readonly messages: readonly Message[];
}

/** One node and its driver. */
class Node {
  readonly log = new MemoryLogStore();
  readonly stable = new MemoryStableStore();
  readonly core: RawNode;
  inbox: Message[] = [];
  applied = 0;
  /** sync mode: the Ready waiting for its fsync, and the round it completes. */
  private waiting: { messages: readonly Message[]; committed: number; due: number } | null = null;
  /** async mode: handled Readys, oldest first; the first `syncing` are covered by the fsync in flight. */
  private held: Held[] = [];
  private syncing = 0;
  private syncDue = 0;

  constructor(
    readonly id: NodeId,
    conf: ConfState,
    seed: number,
    readonly mode: Mode,
    private readonly cluster: Map<NodeId, Node>,
  ) {
    const storage = createRaftStorageView(this.log, this.stable, new MemorySnapshotStore(), conf);
    this.core = new RawNode({
      id,
      storage,
      applied: 0,
      rng: rngFromSeed(seed),
      electionTicks: 10,
      heartbeatTicks: 1,
      preVote: true,
      checkQuorum: true,
      maxMsgBytes: 1024 * 1024,
      maxInflightMsgs: 256,
      snapshotChunkBytes: 1024 * 1024,
      maxInflightSnapshotChunks: 4,
      asyncPersistence: mode === 'async',
    });
  }

  private send(messages: readonly Message[]): void {
    for (const m of messages) this.cluster.get(m.to)?.inbox.push(m);
  }

  deliver(): boolean {
    if (this.inbox.length === 0) return false;
    const inbox = this.inbox;
    this.inbox = [];
    for (const m of inbox) this.core.step(m);
    return true;
  }

  /** This round's share of the driver's work; false when there was none. */
  work(round: number): boolean {
    return this.mode === 'sync' ? this.workSync(round) : this.workAsync(round);
  }

  private workSync(round: number): boolean {
    const w = this.waiting;
    if (w !== null) {
      if (round < w.due) return true;
      this.waiting = null;
      this.log.syncNow();
      this.finishSync(w.messages, w.committed);
      return true;
    }
    if (!this.core.hasReady()) return false;
    const rd = this.core.ready();
    this.send(rd.messagesBeforePersist);
    this.log.append(rd.entries);
    if (rd.hardState !== null) void this.stable.save(rd.hardState, { sync: rd.mustSync });
    const committed = rd.committedEntries.at(-1)?.index ?? 0;
    if (rd.mustSync && fsyncRounds > 0) this.waiting = { messages: rd.messages, committed, due: round + fsyncRounds };
    else {
      this.log.syncNow();
      this.finishSync(rd.messages, committed);
    }
    return true;
  }

  private finishSync(messages: readonly Message[], committed: number): void {
    this.send(messages);
    if (committed > 0) this.applied = committed;
    this.core.advance();
  }

  private workAsync(round: number): boolean {
    let busy = this.held.length > 0;
    if (this.syncing > 0 && round >= this.syncDue) this.completeSync();
    while (this.core.hasReady()) {
      busy = true;
      const rd = this.core.ready();
      this.send(rd.messagesBeforePersist);
      this.log.append(rd.entries);
      if (rd.hardState !== null) void this.stable.save(rd.hardState, { sync: false });
      this.held.push({ persistTo: rd.persistTo ?? null, messages: rd.messages });
      const committed = rd.committedEntries.at(-1)?.index;
      if (committed !== undefined) this.applied = committed;
      this.core.advance();
      this.release();
    }
    if (this.syncing === 0 && this.held.some((h) => h.persistTo !== null)) {
      this.syncing = this.held.length;
      this.syncDue = round + fsyncRounds;
      if (fsyncRounds === 0) this.completeSync();
    }
    return busy;
  }

  private completeSync(): void {
    this.log.syncNow();
    this.stable.syncNow();
    const covered = this.held.splice(0, this.syncing);
    this.syncing = 0;
    for (const h of covered) {
      this.send(h.messages);
      if (h.persistTo !== null) this.core.persisted(h.persistTo.index, h.persistTo.term);
    }
    this.release();
  }

  /** Sends the held messages at the head that wait for no write. */
  private release(): void {
    while (this.held.length > this.syncing && this.syncing === 0 && this.held[0]?.persistTo === null) {
      this.send((this.held.shift() as Held).messages);
    }
  }

  compact(): void {
    const to = this.applied - KEEP_ENTRIES;
    if (to > this.log.firstIndex() + KEEP_ENTRIES) void this.log.compact(to, this.log.term(to));
  }
}

function makeCluster(mode: Mode): Map<NodeId, Node> {
  const ids = ['n1', 'n2', 'n3'];
  const conf: ConfState = { voters: ids.map((id) => ({ id, addr: id })), learners: [] };
  const nodes = new Map<NodeId, Node>();
  ids.forEach((id, i) => nodes.set(id, new Node(id, conf, i + 1, mode, nodes)));
  return nodes;
}

/** Everyone steps its inbox, then does its driver work, once. */
function round(nodes: Map<NodeId, Node>, r: number): boolean {
  let busy = false;
  for (const n of nodes.values()) busy = n.deliver() || busy;
  for (const n of nodes.values()) busy = n.work(r) || busy;
  return busy;
}

interface Result {
  readonly entries: number;
  readonly rounds: number;
  readonly seconds: number;
}

function elected(mode: Mode): { nodes: Map<NodeId, Node>; leader: Node; rounds: number } {
  const nodes = makeCluster(mode);
  const leader = nodes.get('n1') as Node;
  leader.core.campaign();
  let r = 0;
  while (round(nodes, r++) && r < 10_000);
  if (leader.core.status().role !== 'leader') throw new Error('n1 did not become leader');
  return { nodes, leader, rounds: r };
}

function runOpen(mode: Mode): Result {
  const { nodes, leader, rounds: start } = elected(mode);
  const payload = new Uint8Array(entryBytes).fill(120);
  const from = leader.applied;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let r = start;
  while (performance.now() < deadline) {
    for (let i = 0; i < batch; i++) {
      const res = leader.core.propose(payload);
      if (!res.ok) throw new Error(`proposal refused: ${res.reason}`);
    }
    round(nodes, r++);
    if (r % 64 === 0) for (const n of nodes.values()) n.compact();
  }
  while (round(nodes, r++));
  return { entries: leader.applied - from, rounds: r - start, seconds: (performance.now() - started) / 1000 };
}

function runClosed(mode: Mode): Result {
  const { nodes, leader, rounds: start } = elected(mode);
  const payload = new Uint8Array(entryBytes).fill(120);
  const from = leader.applied;
  const rng = rngFromSeed(42);
  /** Index each client waits for, and the round its next proposal may go (after its think time). */
  const waiting = new Array<number>(clients).fill(0);
  const nextRound = new Array<number>(clients).fill(0);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let r = start;
  while (performance.now() < deadline) {
    for (let c = 0; c < clients; c++) {
      const w = waiting[c] as number;
      if (w > leader.applied) continue;
      if (w > 0) {
        waiting[c] = 0;
        nextRound[c] = r + rng.int(jitter + 1);
      }
      if (r < (nextRound[c] as number)) continue;
      const res = leader.core.propose(payload);
      if (!res.ok) throw new Error(`proposal refused: ${res.reason}`);
      waiting[c] = res.index;
    }
    round(nodes, r++);
    if (r % 64 === 0) for (const n of nodes.values()) n.compact();
  }
  return { entries: leader.applied - from, rounds: r - start, seconds: (performance.now() - started) / 1000 };
}

function line(name: string, mode: Mode, res: Result): string {
  const perSecond = Math.round(res.entries / res.seconds).toLocaleString('en-US');
  return `  ${name} ${mode.padEnd(5)}: ${res.entries} entries in ${res.rounds} rounds, ${(res.entries / res.rounds).toFixed(1)} entries/round, ${perSecond} entries/s`;
}

function main(): void {
  console.log(`bench/core: 3 nodes, ${entryBytes}-byte entries, fsync = ${fsyncRounds} rounds, client think time 0..${jitter} rounds, ${seconds} s per run`);
  for (const mode of ['sync', 'async'] as const) console.log(line(`open (batches of ${batch})`, mode, runOpen(mode)));
  for (const mode of ['sync', 'async'] as const) console.log(line(`closed (${clients} clients, 1 in flight each)`, mode, runClosed(mode)));
}

main();
