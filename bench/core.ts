/**
 * Throughput of the Raft core alone: a 3-node cluster in one process, in-memory storage
 * twins, a synchronous driver that follows the Ready contract, messages passed by
 * reference. The leader proposes entries in batches; we count entries committed and
 * applied on the leader per second. This measures the core's per-entry cost (no disk,
 * no network, no encoding).
 *
 *   npx tsx bench/core.ts [--seconds 5] [--batch 1000] [--entry-bytes 16]
 */
import { RawNode } from '../lib/raft/core/raw-node.js';
import type { ConfState, Message, NodeId, Ready } from '../lib/raft/core/types.js';
import { MemoryLogStore } from '../lib/raft/storage/memory-log.js';
import { MemorySnapshotStore } from '../lib/raft/storage/memory-snapshots.js';
import { MemoryStableStore } from '../lib/raft/storage/memory-stable.js';
import { createRaftStorageView } from '../lib/raft/storage/raft-storage-view.js';
import { rngFromSeed } from '../lib/util/rng.js';

interface Node {
  readonly id: NodeId;
  readonly core: RawNode;
  readonly log: MemoryLogStore;
  readonly stable: MemoryStableStore;
  inbox: Message[];
  applied: number;
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

const seconds = option('seconds', 5);
const batch = option('batch', 1000);
const entryBytes = option('entry-bytes', 16);
/** Keep this many applied entries in the logs; compact the rest (bounds memory). */
const KEEP_ENTRIES = 100_000;

function makeCluster(): Map<NodeId, Node> {
  const ids = ['n1', 'n2', 'n3'];
  const conf: ConfState = { voters: ids.map((id) => ({ id, addr: id })), learners: [] };
  const nodes = new Map<NodeId, Node>();
  ids.forEach((id, i) => {
    const log = new MemoryLogStore();
    const stable = new MemoryStableStore();
    const storage = createRaftStorageView(log, stable, new MemorySnapshotStore(), conf);
    const core = new RawNode({
      id,
      storage,
      applied: 0,
      rng: rngFromSeed(i + 1),
      electionTicks: 10,
      heartbeatTicks: 1,
      preVote: true,
      checkQuorum: true,
      maxMsgBytes: 1024 * 1024,
      maxInflightMsgs: 256,
      snapshotChunkBytes: 1024 * 1024,
      maxInflightSnapshotChunks: 4,
    });
    nodes.set(id, { id, core, log, stable, inbox: [], applied: 0 });
  });
  return nodes;
}

/** One Ready of one node, handled in contract order. Returns false if there was none. */
function handleReady(node: Node, nodes: Map<NodeId, Node>): boolean {
  if (!node.core.hasReady()) return false;
  const rd: Ready = node.core.ready();
  for (const m of rd.messagesBeforePersist) nodes.get(m.to)?.inbox.push(m);
  if (rd.entries.length > 0) node.log.append(rd.entries);
  if (rd.hardState !== null) void node.stable.save(rd.hardState, { sync: rd.mustSync });
  if (rd.mustSync) node.log.syncNow();
  for (const m of rd.messages) nodes.get(m.to)?.inbox.push(m);
  const last = rd.committedEntries[rd.committedEntries.length - 1];
  if (last !== undefined) node.applied = last.index;
  node.core.advance();
  return true;
}

function deliver(node: Node): boolean {
  if (node.inbox.length === 0) return false;
  const inbox = node.inbox;
  node.inbox = [];
  for (const m of inbox) node.core.step(m);
  return true;
}

/** Everyone handles a Ready and its inbox once. */
function round(nodes: Map<NodeId, Node>): boolean {
  let busy = false;
  for (const n of nodes.values()) busy = handleReady(n, nodes) || busy;
  for (const n of nodes.values()) busy = deliver(n) || busy;
  return busy;
}

function compact(node: Node): void {
  const to = node.applied - KEEP_ENTRIES;
  if (to > node.log.firstIndex() + KEEP_ENTRIES) void node.log.compact(to, node.log.term(to));
}

function main(): void {
  const nodes = makeCluster();
  const leader = nodes.get('n1') as Node;
  leader.core.campaign();
  while (round(nodes));
  if (leader.core.status().role !== 'leader') throw new Error('n1 did not become leader');
  const payload = new Uint8Array(entryBytes).fill(120);
  const startApplied = leader.applied;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let rounds = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < batch; i++) {
      const r = leader.core.propose(payload);
      if (!r.ok) throw new Error(`proposal refused: ${r.reason}`);
    }
    round(nodes);
    if (++rounds % 64 === 0) for (const n of nodes.values()) compact(n);
  }
  while (round(nodes));
  const elapsed = (performance.now() - started) / 1000;
  const committed = leader.applied - startApplied;
  const followers = [...nodes.values()].filter((n) => n !== leader).map((n) => n.applied - startApplied);
  console.log(`bench/core: 3 nodes, batches of ${batch} x ${entryBytes}-byte entries, ${elapsed.toFixed(2)} s`);
  console.log(`  committed and applied on the leader: ${committed} entries = ${Math.round(committed / elapsed).toLocaleString('en-US')} entries/s`);
  console.log(`  applied on the followers: ${followers.join(', ')}`);
}

main();
