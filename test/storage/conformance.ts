/**
 * The storage conformance suite: the same cases against the in-memory twins and the
 * file stores. A factory gives fresh stores; `reopen` (files only) closes a store and
 * opens its data again, so the cases that need it run only where data can survive.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompactedError, UnavailableError, type Entry, type SnapshotMeta } from '../../lib/raft/core/types.js';
import { CorruptionError, type LogStore, type SnapshotStore, type StableStore } from '../../lib/raft/storage/types.js';

export interface StoreFactory<S> {
  readonly name: string;
  /** A new, empty store. */
  fresh(): Promise<S>;
  /** Closes the store and opens the same data again (absent where nothing survives). */
  readonly reopen?: (store: S) => Promise<S>;
  /** Removes what fresh() created. */
  cleanup(): Promise<void>;
}

const encoder = new TextEncoder();

export function entry(index: number, term: number, text = `entry ${index}`): Entry {
  return { index, term, kind: 0, data: encoder.encode(text) };
}

export function range(lo: number, hi: number, term: number): Entry[] {
  return Array.from({ length: hi - lo + 1 }, (_, k) => entry(lo + k, term));
}

function plain(entries: readonly Entry[]): { index: number; term: number; kind: number; data: number[] }[] {
  return entries.map((e) => ({ index: e.index, term: e.term, kind: e.kind, data: [...e.data] }));
}

export function assertEntries(actual: readonly Entry[], expected: readonly Entry[]): void {
  assert.deepEqual(plain(actual), plain(expected));
}

function assertLog(log: LogStore, first: number, expected: readonly Entry[]): void {
  assert.equal(log.firstIndex(), first);
  assert.equal(log.lastIndex(), first + expected.length - 1);
  if (expected.length > 0) assertEntries(log.entries(first, first + expected.length, Infinity), expected);
}

export function logConformance(factory: StoreFactory<LogStore>): void {
  describe(`LogStore conformance: ${factory.name}`, () => {
    after(() => factory.cleanup());

    test('an empty log starts after index 0 with term 0', async () => {
      const log = await factory.fresh();
      assert.equal(log.firstIndex(), 1);
      assert.equal(log.lastIndex(), 0);
      assert.equal(log.term(0), 0);
      assert.throws(() => log.term(1), UnavailableError);
      await log.close();
    });

    test('appended entries read back by index, term and range, before and after sync', async () => {
      const log = await factory.fresh();
      const batch = [...range(1, 5, 1), { index: 6, term: 2, kind: 1 as const, data: new Uint8Array(0) }, ...range(7, 9, 2)];
      log.append(batch.slice(0, 4));
      log.append(batch.slice(4));
      assertLog(log, 1, batch);
      await log.sync();
      assertLog(log, 1, batch);
      assert.equal(log.term(5), 1);
      assert.equal(log.term(6), 2);
      assertEntries(log.entries(3, 5, Infinity), batch.slice(2, 4));
      assert.throws(() => log.entries(3, 11, Infinity), UnavailableError);
      assert.throws(() => log.term(10), UnavailableError);
      await log.close();
    });

    test('entries() stops at maxBytes but always returns at least one', async () => {
      const log = await factory.fresh();
      log.append(range(1, 10, 1)); // each holds 7 or 8 bytes of data
      assert.equal(log.entries(1, 11, 0).length, 1);
      assert.equal(log.entries(1, 11, 7).length, 1);
      assert.equal(log.entries(1, 11, 14).length, 2);
      assert.equal(log.entries(1, 11, 1000).length, 10);
      await log.close();
    });

    test('an append that leaves a gap is refused', async () => {
      const log = await factory.fresh();
      log.append(range(1, 3, 1));
      assert.throws(() => log.append(range(5, 6, 1)));
      assertLog(log, 1, range(1, 3, 1));
      await log.close();
    });

    test('a conflicting append replaces the suffix from its first index', async () => {
      const log = await factory.fresh();
      log.append(range(1, 10, 1));
      await log.sync();
      log.append(range(6, 7, 2));
      assertLog(log, 1, [...range(1, 5, 1), ...range(6, 7, 2)]);
      log.append(range(8, 9, 2));
      await log.sync();
      assertLog(log, 1, [...range(1, 5, 1), ...range(6, 9, 2)]);
      await log.close();
    });

    test('compact drops a prefix and remembers the term at the compaction point', async () => {
      const log = await factory.fresh();
      log.append([...range(1, 5, 1), ...range(6, 10, 2)]);
      await log.sync();
      await log.compact(6, 2);
      assert.equal(log.firstIndex(), 7);
      assert.equal(log.term(6), 2);
      assert.throws(() => log.term(5), CompactedError);
      assert.throws(() => log.entries(6, 8, Infinity), CompactedError);
      assertEntries(log.entries(7, 11, Infinity), range(7, 10, 2));
      await log.compact(3, 1); // already compacted: nothing happens
      assert.equal(log.firstIndex(), 7);
      await log.compact(10, 2);
      assert.equal(log.firstIndex(), 11);
      assert.equal(log.lastIndex(), 10);
      log.append(range(11, 12, 3));
      assertLog(log, 11, range(11, 12, 3));
      await log.close();
    });

    test('reset restarts the log after a snapshot point', async () => {
      const log = await factory.fresh();
      log.append(range(1, 10, 1));
      await log.sync();
      await log.reset(100, 7);
      assert.equal(log.firstIndex(), 101);
      assert.equal(log.lastIndex(), 100);
      assert.equal(log.term(100), 7);
      assert.throws(() => log.term(50), CompactedError);
      log.append(range(101, 103, 7));
      await log.sync();
      assertLog(log, 101, range(101, 103, 7));
      await log.close();
    });

    test('sync resolves with nothing pending, and concurrent syncs all resolve', async () => {
      const log = await factory.fresh();
      await log.sync();
      log.append(range(1, 3, 1));
      const first = log.sync();
      log.append(range(4, 6, 1));
      await Promise.all([first, log.sync(), log.sync()]);
      await log.sync();
      assertLog(log, 1, range(1, 6, 1));
      assert.ok(log.sizeBytes() > 0);
      await log.close();
    });

    if (factory.reopen === undefined) return;
    const reopen = factory.reopen;

    test('reopen: synced entries, conflicts, compaction and reset survive', async () => {
      let log = await factory.fresh();
      log.append(range(1, 20, 1));
      await log.sync();
      log.append(range(15, 25, 2));
      await log.compact(10, 1);
      await log.sync();
      log = await reopen(log);
      assertLog(log, 11, [...range(11, 14, 1), ...range(15, 25, 2)]);
      assert.equal(log.term(10), 1);
      await log.reset(500, 9);
      log.append(range(501, 502, 9));
      await log.sync();
      log = await reopen(log);
      assert.equal(log.term(500), 9);
      assertLog(log, 501, range(501, 502, 9));
      await log.close();
    });

    test('reopen: close() flushes entries appended without sync', async () => {
      let log = await factory.fresh();
      log.append(range(1, 4, 1));
      log = await reopen(log);
      assertLog(log, 1, range(1, 4, 1));
      await log.close();
    });
  });
}

export function stableConformance(factory: StoreFactory<StableStore>): void {
  describe(`StableStore conformance: ${factory.name}`, () => {
    after(() => factory.cleanup());

    test('a fresh store has no state; saves replace it', async () => {
      const stable = await factory.fresh();
      assert.equal(stable.load(), null);
      await stable.save({ term: 1, vote: 'n1', commit: 0 }, { sync: true });
      assert.deepEqual(stable.load(), { term: 1, vote: 'n1', commit: 0 });
      await stable.save({ term: 2, vote: null, commit: 5 }, { sync: false });
      assert.deepEqual(stable.load(), { term: 2, vote: null, commit: 5 });
      await stable.close();
    });

    if (factory.reopen === undefined) return;
    const reopen = factory.reopen;

    test('reopen: the last save survives, after any mix of synced and unsynced saves', async () => {
      let stable = await factory.fresh();
      const states = [
        { term: 1, vote: 'node-a', commit: 1 },
        { term: 1, vote: 'node-a', commit: 2 },
        { term: 2, vote: null, commit: 2 },
        { term: 3, vote: 'ünïcode-id', commit: 9 },
      ];
      for (const [k, state] of states.entries()) {
        await stable.save(state, { sync: k % 2 === 0 });
        stable = await reopen(stable);
        assert.deepEqual(stable.load(), state);
      }
      await Promise.all([stable.save({ term: 4, vote: 'x', commit: 10 }, { sync: true }), stable.save({ term: 4, vote: 'x', commit: 11 }, { sync: false })]);
      stable = await reopen(stable);
      assert.deepEqual(stable.load(), { term: 4, vote: 'x', commit: 11 });
      await stable.close();
    });
  });
}

export function meta(index: number, term: number): SnapshotMeta {
  return { index, term, conf: { voters: [{ id: 'n1', addr: '127.0.0.1:7001' }], learners: [{ id: 'n2', addr: '127.0.0.1:7002' }] } };
}

async function writeSnapshot(store: SnapshotStore, m: SnapshotMeta, batches: readonly unknown[]) {
  const writer = store.create(m);
  for (const batch of batches) writer.writeBatch(batch);
  return writer.commit();
}

function readAllRaw(store: SnapshotStore, chunk: number): Uint8Array {
  const size = store.latest()!.size;
  const out = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += chunk) out.set(store.readRaw(offset, chunk), offset);
  return out;
}

const BATCHES = [[['key:1', 'value-1'], ['key:2', 'value-2']], { nested: { list: [1, 2.5, null, true] } }, new Uint8Array([0, 1, 255])];

export function snapshotConformance(factory: StoreFactory<SnapshotStore>, other: () => Promise<SnapshotStore>): void {
  describe(`SnapshotStore conformance: ${factory.name}`, () => {
    after(() => factory.cleanup());

    test('an empty store has no snapshot', async () => {
      const store = await factory.fresh();
      assert.equal(store.latest(), null);
      assert.deepEqual(store.list(), []);
      assert.throws(() => store.readRaw(0, 10));
      await store.close();
    });

    test('create, write batches, commit: readBatches and readRaw give them back', async () => {
      const store = await factory.fresh();
      const writer = store.create(meta(10, 2));
      for (const batch of BATCHES) writer.writeBatch(batch);
      assert.ok(writer.bytesWritten() > 0);
      assert.equal(store.latest(), null, 'nothing is visible before commit');
      const info = await writer.commit();
      assert.deepEqual(info.meta, meta(10, 2));
      assert.equal(info.size, writer.bytesWritten());
      assert.deepEqual(store.latest(), info);
      assert.deepEqual([...store.readBatches()], BATCHES);
      assert.deepEqual(readAllRaw(store, 7), store.readRaw(0, info.size));
      assert.equal(store.readRaw(info.size, 10).length, 0);
      assert.equal(store.readRaw(info.size - 3, 10).length, 3);
      await store.close();
    });

    test('keeps the newest `retain` snapshots, newest first', async () => {
      const store = await factory.fresh();
      for (let i = 1; i <= 5; i++) await writeSnapshot(store, meta(i * 10, 1), [[i]]);
      assert.deepEqual(store.list().map((s) => s.meta.index), [50, 40, 30]);
      assert.deepEqual([...store.readBatches()], [[5]]);
      await store.close();
    });

    test('abort leaves nothing behind; a snapshot with the same index and term keeps the first', async () => {
      const store = await factory.fresh();
      const writer = store.create(meta(5, 1));
      writer.writeBatch(['partial']);
      await writer.abort();
      assert.equal(store.latest(), null);
      assert.throws(() => writer.writeBatch(['late']));
      await writeSnapshot(store, meta(5, 1), [['first']]);
      await writeSnapshot(store, meta(5, 1), [['second']]);
      assert.equal(store.list().length, 1);
      assert.deepEqual([...store.readBatches()], [['first']]);
      await store.close();
    });

    test('install takes readRaw bytes from the other kind of store and checks every CRC', async () => {
      const source = await other();
      await writeSnapshot(source, meta(42, 3), BATCHES);
      const data = readAllRaw(source, 5);
      const store = await factory.fresh();
      const damaged = data.slice();
      damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 1;
      await assert.rejects(store.install(meta(42, 3), damaged), CorruptionError);
      await assert.rejects(store.install(meta(42, 3), data.subarray(0, data.length - 1)), CorruptionError);
      assert.equal(store.latest(), null);
      const info = await store.install(meta(42, 3), data);
      assert.equal(info.size, data.length);
      assert.deepEqual([...store.readBatches()], BATCHES);
      assert.deepEqual(readAllRaw(store, 1000), data);
      await source.close();
      await store.close();
    });

    test('an installed snapshot is the newest even with a lower index', async () => {
      const store = await factory.fresh();
      await writeSnapshot(store, meta(100, 5), [['local']]);
      const source = await other();
      await writeSnapshot(source, meta(90, 5), [['leader']]);
      await store.install(meta(90, 5), readAllRaw(source, 1 << 20));
      assert.equal(store.latest()!.meta.index, 90);
      assert.deepEqual([...store.readBatches()], [['leader']]);
      await source.close();
      await store.close();
    });

    if (factory.reopen === undefined) return;
    const reopen = factory.reopen;

    test('reopen: committed and installed snapshots survive in order', async () => {
      let store = await factory.fresh();
      await writeSnapshot(store, meta(10, 1), [['a']]);
      await writeSnapshot(store, meta(20, 1), BATCHES);
      const before = store.list();
      store = await reopen(store);
      assert.deepEqual(store.list(), before);
      assert.deepEqual([...store.readBatches()], BATCHES);
      await store.close();
    });
  });
}
