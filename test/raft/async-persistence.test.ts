/**
 * RaftConfig.asyncPersistence: advance() means handled, persisted() means durable. The
 * rules a driver relies on, each tested on cores stepped by hand: what a Ready carries
 * while earlier writes are in flight, what an acknowledgement marks stable, when the
 * leader and the candidate count themselves, and the snapshot rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EntryKind, type Entry, type Message, type Ready } from '../../lib/raft/core/types.js';
import { MemorySnapshotStore } from '../../lib/raft/storage/memory-snapshots.js';
import { TestNode, encoder } from './harness.js';

const conf = { voters: ['f', 'x', 'y'].map((id) => ({ id, addr: `${id}:1` })), learners: [] };

/** A follower in async mode whose bootstrap entries (1..3, term 1) are persisted. */
function follower(): TestNode {
  const node = new TestNode('f', { asyncPersistence: true }, conf, 7);
  node.handleReady(node.core.ready());
  node.persist();
  return node;
}

function entries(term: number, from: number, count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => ({ index: from + i, term, kind: EntryKind.Normal, data: encoder.encode(`t${term}.${from + i}`) }));
}

function append(from: string, term: number, prev: { index: number; term: number }, list: Entry[], commit: number): Message {
  return { type: 'app', from, to: 'f', term, index: prev.index, logTerm: prev.term, entries: list, commit };
}

/** Takes the next Ready and handles it without persisting (its writes stay in flight). */
function handle(node: TestNode): Ready {
  assert.ok(node.core.hasReady());
  const rd = node.core.ready();
  node.handleReady(rd);
  return rd;
}

function stableIndex(node: TestNode): number {
  return node.core.raft.log.stableLastIndex();
}

test('async: a single voter counts its own vote, and then its own entries, only once persisted', () => {
  const node = new TestNode('n1', { asyncPersistence: true }, { voters: [{ id: 'n1', addr: 'n1:1' }], learners: [] }, 1);
  node.core.campaign();
  const rd = handle(node);
  assert.equal(rd.hardState?.vote, 'n1');
  assert.equal(node.core.status().role, 'candidate', 'the vote is not durable yet');
  node.persist();
  assert.equal(node.core.status().role, 'leader');
  const noop = handle(node);
  assert.equal(noop.entries.length, 1);
  const last = noop.entries[0] as Entry;
  assert.equal(node.core.status().commit, 1, 'the no-op is only being written: no commit');
  node.persist();
  assert.equal(node.core.status().commit, last.index);
  assert.deepEqual(handle(node).committedEntries.map((e) => e.index), [last.index]);
});

test('async: entries handed out are not handed out again; later proposals come alone', () => {
  const node = follower();
  node.core.step(append('x', 2, { index: 3, term: 1 }, entries(2, 4, 2), 3));
  assert.deepEqual(handle(node).entries.map((e) => e.index), [4, 5]);
  node.core.step(append('x', 2, { index: 5, term: 2 }, entries(2, 6, 1), 3));
  const second = handle(node);
  assert.deepEqual(second.entries.map((e) => e.index), [6]);
  assert.deepEqual(second.persistTo, { index: 6, term: 2 });
  assert.equal(node.core.hasReady(), false);
});

test('async: a conflicting append replaces in-flight entries; only the replacement is handed out', () => {
  const node = follower();
  node.core.step(append('x', 2, { index: 3, term: 1 }, entries(2, 4, 3), 3));
  handle(node);
  node.core.step(append('y', 3, { index: 4, term: 2 }, entries(3, 5, 1), 3));
  const rd = handle(node);
  assert.deepEqual(rd.entries.map((e) => `${e.term}/${e.index}`), ['3/5']);
  node.persist(1);
  assert.equal(stableIndex(node), 4, 'the first write is durable, but 5 and 6 are being replaced');
  node.persist(1);
  assert.equal(stableIndex(node), 5);
});

test('async: an acknowledgement never marks entries that a later write in flight rewrites (ABA)', () => {
  const node = follower();
  // Term 2 writes 4..6; term 3 replaces 5..6; term 4 brings 5..6 of term 2 back. All in flight.
  node.core.step(append('x', 2, { index: 3, term: 1 }, entries(2, 4, 3), 3));
  assert.deepEqual(handle(node).persistTo, { index: 6, term: 2 });
  node.core.step(append('y', 3, { index: 4, term: 2 }, entries(3, 5, 2), 3));
  handle(node);
  node.core.step(append('x', 4, { index: 4, term: 2 }, entries(2, 5, 2), 6));
  const third = handle(node);
  assert.deepEqual(third.persistTo, { index: 6, term: 2 });
  // The first write is durable and the log again ends in 6/2, but the disk is about to
  // hold term 3 at 5..6: only 4 is stable, and nothing past it may be applied.
  node.persist(1);
  assert.equal(stableIndex(node), 4);
  assert.deepEqual(handle(node).committedEntries.map((e) => e.index), [4]);
  node.persist(1);
  assert.equal(stableIndex(node), 4);
  node.persist(1);
  assert.equal(stableIndex(node), 6);
  assert.deepEqual(handle(node).committedEntries.map((e) => `${e.term}/${e.index}`), ['2/5', '2/6']);
});

test('async: acknowledgements are held in Ready order, even from a Ready that writes nothing', () => {
  const node = follower();
  node.core.step(append('x', 2, { index: 3, term: 1 }, entries(2, 4, 1), 3));
  const first = node.core.ready();
  assert.deepEqual(node.handleReady(first), [], 'the ack of 4 waits for the write of 4');
  node.core.step({ type: 'heartbeat', from: 'x', to: 'f', term: 2, commit: 3 });
  const second = node.core.ready();
  assert.equal(second.persistTo, null, 'nothing to write');
  assert.deepEqual(node.handleReady(second), [], 'yet its heartbeat response waits behind the write');
  const sent = node.persist();
  assert.deepEqual(sent.map((m) => m.type), ['appResp', 'heartbeatResp']);
});

test('async: a snapshot waits for the writes in flight, and must be persisted before advance()', () => {
  const node = follower();
  node.core.step(append('x', 2, { index: 3, term: 1 }, entries(2, 4, 1), 3));
  handle(node);
  const source = new MemorySnapshotStore();
  const meta = { index: 10, term: 2, conf };
  const writer = source.create(meta);
  writer.writeBatch([]);
  void writer.commit();
  const data = source.readRaw(0, source.latest()?.size ?? 0);
  node.core.step({ type: 'snap', from: 'x', to: 'f', term: 2, index: 10, logTerm: 2, snapshot: meta, chunk: { offset: 0, totalBytes: data.byteLength, data } });
  assert.equal(node.core.hasReady(), false, 'the write of 4 is still in flight');
  node.persist();
  const rd = node.core.ready();
  assert.equal(rd.snapshot?.meta.index, 10);
  assert.throws(() => node.core.advance(), /persisted\(\)\) before advance/);
  assert.deepEqual(rd.persistTo, { index: 10, term: 2 });
  node.core.persisted(10, 2);
  node.core.advance();
  assert.equal(node.core.status().applied, 10);
});

test('async: persisted() of an unknown position is ignored, and is refused in the default mode', () => {
  const node = follower();
  node.core.step(append('x', 2, { index: 3, term: 1 }, entries(2, 4, 1), 3));
  handle(node);
  node.core.persisted(4, 9);
  assert.equal(stableIndex(node), 3);
  const sync = new TestNode('f', {}, conf, 8);
  assert.throws(() => sync.core.persisted(3, 1), /asyncPersistence/);
});

test('async: the paper tests pass with every node in asyncPersistence mode', { timeout: 60_000 }, () => {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const files = ['paper-election', 'paper-replication', 'paper-membership', 'paper-compaction-reads'].map((f) => `${dir}${f}.test.ts`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', ...files], {
    env: { ...process.env, RAFT_TEST_ASYNC: '1' },
    encoding: 'utf8',
    timeout: 55_000,
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
});
