/**
 * Crashes and damage around snapshot files and the hard state: what open keeps, cleans
 * up, or refuses with a CorruptionError naming the file.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openFileSnapshots, type FileSnapshotStore } from '../../lib/raft/storage/file-snapshots.js';
import { HARD_STATE_FILE, openFileStable } from '../../lib/raft/storage/file-stable.js';
import { CorruptionError } from '../../lib/raft/storage/types.js';
import { meta } from './conformance.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respraft-snapcrash-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirCount = 0;

function newDir(): string {
  return path.join(root, String(++dirCount));
}

function flipByte(file: string, offset: number): void {
  const bytes = fs.readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0x08;
  fs.writeFileSync(file, bytes);
}

function snapFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.snap')).sort().map((n) => path.join(dir, n));
}

async function storeWithTwo(dir: string): Promise<FileSnapshotStore> {
  const store = openFileSnapshots(dir);
  for (const index of [10, 20]) {
    const writer = store.create(meta(index, 1));
    for (let b = 0; b < 5; b++) writer.writeBatch(Array.from({ length: 20 }, (_, k) => [`key:${index}:${b}:${k}`, `value-${k}`]));
    await writer.commit();
  }
  return store;
}

function expectCorruptionIn(dir: string, file: string): CorruptionError {
  let caught: unknown;
  try {
    openFileSnapshots(dir);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof CorruptionError, `expected CorruptionError, got ${String(caught)}`);
  assert.equal(caught.file, file);
  return caught;
}

describe('file snapshots: crash and damage', () => {
  test('a crash while writing leaves a temp file that open ignores and deletes', async () => {
    const dir = newDir();
    const store = await storeWithTwo(dir);
    const writer = store.create(meta(30, 2));
    writer.writeBatch(['half written']);
    // The process "dies" here: no commit, no abort, no close.
    assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 1);
    const reopened = openFileSnapshots(dir);
    assert.equal(reopened.latest()?.meta.index, 20);
    assert.equal(reopened.removedTempFiles.length, 1);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
    await reopened.close();
    await store.close();
  });

  test('a flipped byte in the newest snapshot data stops open, naming file and frame offset', async () => {
    const dir = newDir();
    await (await storeWithTwo(dir)).close();
    const newest = snapFiles(dir).at(-1)!;
    flipByte(newest, 100);
    const err = expectCorruptionIn(dir, newest);
    assert.ok(err.offset <= 100, `offset ${err.offset} is the start of the damaged frame`);
  });

  test('a damaged footer, or a file cut at a frame boundary, stops open', async () => {
    const dir = newDir();
    await (await storeWithTwo(dir)).close();
    const newest = snapFiles(dir).at(-1)!;
    const bytes = fs.readFileSync(newest);
    fs.writeFileSync(newest, bytes.subarray(0, bytes.length - 10));
    expectCorruptionIn(dir, newest);
    fs.writeFileSync(newest, bytes);
    flipByte(newest, bytes.length - 6);
    expectCorruptionIn(dir, newest);
  });

  test('a damaged older snapshot stops open too (no silent fallback either way)', async () => {
    const dir = newDir();
    await (await storeWithTwo(dir)).close();
    const oldest = snapFiles(dir)[0]!;
    fs.truncateSync(oldest, fs.statSync(oldest).size - 1);
    expectCorruptionIn(dir, oldest);
  });

  test('readBatches reports damage that appears after open', async () => {
    const dir = newDir();
    const store = await storeWithTwo(dir);
    flipByte(snapFiles(dir).at(-1)!, 50);
    assert.throws(() => [...store.readBatches()], CorruptionError);
    await store.close();
  });
});

describe('file hard state: torn and damaged slots', () => {
  const SLOT = 4096;

  test('a save torn at any byte leaves the previous durable state', async () => {
    const dir = newDir();
    const stable = openFileStable(dir);
    await stable.save({ term: 5, vote: 'n2', commit: 10 }, { sync: true });
    await stable.save({ term: 6, vote: 'n3', commit: 11 }, { sync: true });
    await stable.close();
    const file = path.join(dir, HARD_STATE_FILE);
    const bytes = fs.readFileSync(file);
    // Saves alternate slots starting with slot 1, so the newest (term 6) is in slot 0.
    const recordBytes = 8 + 28 + 2;
    for (let at = 0; at <= recordBytes; at++) {
      const torn = Buffer.from(bytes);
      torn.fill(0, at, SLOT);
      fs.writeFileSync(file, torn);
      const reopened = openFileStable(dir);
      const expected = at === recordBytes ? { term: 6, vote: 'n3', commit: 11 } : { term: 5, vote: 'n2', commit: 10 };
      assert.deepEqual(reopened.load(), expected, `slot 0 cut at ${at}`);
      await reopened.close();
    }
  });

  test('a torn first save reads as a fresh node; both slots damaged is corruption', async () => {
    const dir = newDir();
    const file = path.join(dir, HARD_STATE_FILE);
    const stable = openFileStable(dir);
    await stable.save({ term: 1, vote: 'n1', commit: 0 }, { sync: true });
    await stable.save({ term: 2, vote: 'n1', commit: 0 }, { sync: true });
    await stable.close();
    const bytes = fs.readFileSync(file);
    const firstOnly = Buffer.alloc(bytes.length);
    bytes.copy(firstOnly, SLOT, SLOT, SLOT + 20); // the first save, torn after 20 bytes
    fs.writeFileSync(file, firstOnly);
    const fresh = openFileStable(dir);
    assert.equal(fresh.load(), null);
    await fresh.close();
    const damaged = Buffer.from(bytes);
    damaged[12] = damaged[12]! ^ 1;
    damaged[SLOT + 12] = damaged[SLOT + 12]! ^ 1;
    fs.writeFileSync(file, damaged);
    assert.throws(() => openFileStable(dir), (err: unknown) => err instanceof CorruptionError && err.file === file);
  });
});
