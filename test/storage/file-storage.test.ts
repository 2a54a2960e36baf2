import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssertionError } from '../../lib/util/assert.js';
import { openFileLog } from '../../lib/raft/storage/file-log.js';
import { openFileSnapshots } from '../../lib/raft/storage/file-snapshots.js';
import { openFileStorage } from '../../lib/raft/storage/file-storage.js';
import { openMemoryStorage } from '../../lib/raft/storage/memory-storage.js';
import { StorageOptionError } from '../../lib/raft/storage/options.js';
import { assertEntries, entry, meta, range } from './conformance.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respraft-filestorage-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('openFileStorage creates the documented layout and a node restarts from it', async () => {
  const dir = path.join(root, 'node1', 'data');
  let storage = await openFileStorage(dir, { segmentBytes: 4096, retain: 2 });
  assert.deepEqual(fs.readdirSync(dir).sort(), ['hardstate', 'log', 'snapshots']);
  storage.log.append(range(1, 300, 2));
  await storage.log.sync();
  await storage.stable.save({ term: 2, vote: 'n1', commit: 300 }, { sync: true });
  const writer = storage.snapshots.create(meta(250, 2));
  writer.writeBatch([['k', 'v']]);
  await writer.commit();
  await storage.log.compact(250, 2);
  await storage.close();

  storage = await openFileStorage(dir, { segmentBytes: 4096, retain: 2 });
  assert.deepEqual(storage.stable.load(), { term: 2, vote: 'n1', commit: 300 });
  assert.equal(storage.snapshots.latest()?.meta.index, 250);
  assert.equal(storage.log.firstIndex(), 251);
  assertEntries(storage.log.entries(251, 301, Infinity), range(251, 300, 2));
  await storage.close();
});

test('options are validated with messages that name the option', async () => {
  await assert.rejects(openFileStorage(path.join(root, 'bad1'), { segmentBytes: 10 }), (err: unknown) => {
    assert.ok(err instanceof StorageOptionError);
    assert.match(err.message, /FileLogOptions\.segmentBytes must be an integer in \[4096, .*\], got 10/);
    return true;
  });
  // @ts-expect-error: a misspelt option is refused, not ignored
  await assert.rejects(openFileStorage(path.join(root, 'bad2'), { segmentByte: 4096 }), /has no option 'segmentByte'/);
  assert.throws(() => openFileSnapshots(path.join(root, 'bad3'), { retain: 0 }), /FileSnapshotOptions\.retain must be an integer in \[1, 1000\], got 0/);
  assert.throws(() => openFileLog(path.join(root, 'bad4'), { preallocateBytes: -1 }), /preallocateBytes/);
});

test('the file log refuses a batch whose indexes are not contiguous, leaving the log unchanged', async () => {
  const log = openFileLog(path.join(root, 'contiguous'));
  log.append(range(1, 3, 1));
  assert.throws(() => log.append([entry(4, 1), entry(6, 1)]), AssertionError);
  assert.throws(() => log.append([entry(5, 1)]), AssertionError);
  log.append(range(4, 5, 1));
  await log.close();
  const reopened = openFileLog(path.join(root, 'contiguous'));
  assertEntries(reopened.entries(1, 6, Infinity), range(1, 5, 1));
  await reopened.close();
});

test('openMemoryStorage gives the three in-memory twins', async () => {
  const storage = openMemoryStorage();
  storage.log.append(range(1, 2, 1));
  await storage.log.sync();
  await storage.stable.save({ term: 1, vote: null, commit: 2 }, { sync: true });
  assert.equal(storage.log.lastIndex(), 2);
  assert.deepEqual(storage.stable.load(), { term: 1, vote: null, commit: 2 });
  assert.equal(storage.snapshots.latest(), null);
  await storage.close();
});

test('group commit: concurrent sync() calls share fsyncs, never two in flight', async () => {
  const log = openFileLog(path.join(root, 'group'));
  const syncs: Promise<void>[] = [];
  for (let i = 1; i <= 200; i++) {
    log.append([entry(i, 1)]);
    syncs.push(log.sync());
  }
  await Promise.all(syncs);
  assert.ok(log.stats.fsyncs <= 2, `200 concurrent syncs took ${log.stats.fsyncs} fsyncs`);
  assert.equal(log.stats.maxFsyncsInFlight, 1);
  // Appends made while a flush is in flight go out together in the next one.
  log.append([entry(201, 1)]);
  const first = log.sync();
  const more: Promise<void>[] = [];
  for (let i = 202; i <= 250; i++) {
    log.append([entry(i, 1)]);
    more.push(log.sync());
  }
  await Promise.all([first, ...more]);
  assert.ok(log.stats.fsyncs <= 4, `took ${log.stats.fsyncs} fsyncs in all`);
  assert.equal(log.stats.maxFsyncsInFlight, 1);
  await log.close();
});
