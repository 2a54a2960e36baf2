/**
 * The in-memory storage twins model a disk for the simulator: what was synced survives a
 * crash, what was not is lost (or survives as a torn prefix, in write order).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLogStore } from '../../lib/raft/storage/memory-log.js';
import { MemoryStableStore } from '../../lib/raft/storage/memory-stable.js';
import type { Entry } from '../../lib/raft/core/types.js';

const e = (index: number, term: number): Entry => ({ index, term, kind: 0, data: new Uint8Array([index]) });
const terms = (log: MemoryLogStore): number[] => (log.lastIndex() < log.firstIndex() ? [] : log.entries(log.firstIndex(), log.lastIndex() + 1, Infinity).map((x) => x.term));

test('synced entries survive a crash; unsynced ones are lost', () => {
  const log = new MemoryLogStore();
  log.append([e(1, 1), e(2, 1)]);
  log.syncNow();
  log.append([e(3, 1), e(4, 1)]);
  assert.equal(log.unsyncedEntries(), 2);
  log.crash();
  assert.deepEqual(terms(log), [1, 1]);
});

test('a torn tail keeps a prefix of the unsynced writes, in order', () => {
  const log = new MemoryLogStore();
  log.append([e(1, 1)]);
  log.syncNow();
  log.append([e(2, 1), e(3, 1)]);
  log.append([e(4, 1)]);
  log.crash(2);
  assert.deepEqual(terms(log), [1, 1, 1]);
});

test('an unsynced truncation is undone by a crash: the overwritten durable entries come back', () => {
  const log = new MemoryLogStore();
  log.append([e(1, 1), e(2, 1), e(3, 1)]);
  log.syncNow();
  log.append([e(2, 2)]);
  log.append([e(3, 2), e(4, 2)]);
  assert.deepEqual(terms(log), [1, 2, 2, 2]);
  log.crash();
  assert.deepEqual(terms(log), [1, 1, 1]);
});

test('a torn tail after an unsynced truncation replays the writes in order', () => {
  const log = new MemoryLogStore();
  log.append([e(1, 1), e(2, 1), e(3, 1)]);
  log.syncNow();
  log.append([e(2, 2)]);
  log.append([e(3, 2)]);
  log.crash(1);
  assert.deepEqual(terms(log), [1, 2], 'the first write (truncate at 2, append 2/2) landed, the second did not');
});

test('compaction and reset are durable at once', () => {
  const log = new MemoryLogStore();
  log.append([e(1, 1), e(2, 1), e(3, 1)]);
  log.syncNow();
  void log.compact(2, 1);
  log.crash();
  assert.equal(log.firstIndex(), 3);
  assert.equal(log.term(2), 1);
  void log.reset(10, 4);
  log.crash();
  assert.equal(log.firstIndex(), 11);
  assert.equal(log.lastIndex(), 10);
  assert.equal(log.term(10), 4);
});

test('hard state saved without sync is lost by a crash until a sync covers it', () => {
  const stable = new MemoryStableStore();
  void stable.save({ term: 1, vote: 'a', commit: 0 }, { sync: true });
  void stable.save({ term: 1, vote: 'a', commit: 5 }, { sync: false });
  stable.crash();
  assert.deepEqual(stable.load(), { term: 1, vote: 'a', commit: 0 });
  void stable.save({ term: 2, vote: null, commit: 5 }, { sync: false });
  stable.syncNow();
  stable.crash();
  assert.deepEqual(stable.load(), { term: 2, vote: null, commit: 5 });
});
