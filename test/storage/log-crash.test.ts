/**
 * What a crash can leave in the log directory, and what open makes of it: a torn tail
 * is cut (losing only the unacknowledged record), anything else is a CorruptionError
 * naming the file and offset.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openFileLog, type FileLogStore } from '../../lib/raft/storage/file-log.js';
import { CorruptionError } from '../../lib/raft/storage/types.js';
import { assertEntries, range } from './conformance.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respraft-logcrash-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirCount = 0;

function newDir(): string {
  return path.join(root, String(++dirCount));
}

function copyDir(from: string): string {
  const to = newDir();
  fs.cpSync(from, to, { recursive: true });
  return to;
}

function fileSize(file: string): number {
  return fs.statSync(file).size;
}

function flipByte(file: string, offset: number): void {
  const bytes = fs.readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0x20;
  fs.writeFileSync(file, bytes);
}

/** Inside a copy of `dir`, renames `file` (a path in dir) to the same file in the copy. */
function inCopy(copy: string, dir: string, file: string): string {
  return path.join(copy, path.relative(dir, file));
}

/** A closed log of three synced records (1..4, 5..8, 9..11) in one segment; returns where each record starts. */
async function threeRecordLog(): Promise<{ dir: string; segment: string; starts: number[]; end: number }> {
  const dir = newDir();
  const log = openFileLog(dir);
  const segment = log.segmentPaths()[0]!;
  const starts: number[] = [];
  for (const [lo, hi] of [[1, 4], [5, 8], [9, 11]] as const) {
    starts.push(log.segmentBytes()[0]!.bytes);
    log.append(range(lo, hi, 1));
    await log.sync();
  }
  await log.close();
  return { dir, segment, starts, end: fileSize(segment) };
}

/** Appends entries 1..upTo (term 1) ten per sync: many records, several segments when they are small. */
async function fillLog(log: FileLogStore, upTo: number): Promise<void> {
  for (let i = 1; i <= upTo; i += 10) {
    log.append(range(i, i + 9, 1));
    await log.sync();
  }
}

function expectCorruption(dir: string, file: string, offset: number): void {
  assert.throws(
    () => openFileLog(dir),
    (err: unknown) => {
      assert.ok(err instanceof CorruptionError, `expected CorruptionError, got ${String(err)}`);
      assert.equal(err.file, file);
      assert.equal(err.offset, offset);
      assert.match(err.message, new RegExp(`${path.basename(file)} at offset ${offset}`));
      return true;
    },
  );
}

describe('file log: torn tails and corruption at open', () => {
  test('cutting the last segment at every byte of its last record loses only that record', async () => {
    const { dir, segment, starts, end } = await threeRecordLog();
    const lastStart = starts[2]!;
    for (let cut = lastStart + 1; cut < end; cut++) {
      const copy = copyDir(dir);
      fs.truncateSync(inCopy(copy, dir, segment), cut);
      const log = openFileLog(copy);
      assertEntries(log.entries(1, log.lastIndex() + 1, Infinity), range(1, 8, 1));
      assert.deepEqual(log.recovery.tornTail && { offset: log.recovery.tornTail.offset, bytes: log.recovery.tornTail.bytes }, { offset: lastStart, bytes: cut - lastStart });
      assert.equal(fileSize(inCopy(copy, dir, segment)), lastStart, 'the torn bytes are cut off');
      log.append(range(9, 9, 2));
      await log.close();
      const again = openFileLog(copy);
      assert.equal(again.lastIndex(), 9);
      assert.equal(again.recovery.tornTail, null);
      await again.close();
      fs.rmSync(copy, { recursive: true });
    }
  });

  test('a flipped byte anywhere in the last record is a torn tail', async () => {
    const { dir, segment, starts, end } = await threeRecordLog();
    for (let at = starts[2]!; at < end; at++) {
      const copy = copyDir(dir);
      flipByte(inCopy(copy, dir, segment), at);
      const log = openFileLog(copy);
      assert.equal(log.lastIndex(), 8, `flip at ${at}`);
      assert.equal(log.recovery.tornTail?.offset, starts[2]);
      await log.close();
      fs.rmSync(copy, { recursive: true });
    }
  });

  test('a flipped byte in an earlier record is corruption naming file and record offset', async () => {
    const { dir, segment, starts } = await threeRecordLog();
    for (const at of [starts[1]!, starts[1]! + 3, starts[1]! + 9, starts[2]! - 1]) {
      const copy = copyDir(dir);
      flipByte(inCopy(copy, dir, segment), at);
      expectCorruption(copy, inCopy(copy, dir, segment), starts[1]!);
      fs.rmSync(copy, { recursive: true });
    }
  });

  test('damage in an earlier segment is corruption, even at its tail', async () => {
    const dir = newDir();
    const log = openFileLog(dir, { segmentBytes: 4096 });
    await fillLog(log, 600);
    const segments = log.segmentPaths();
    await log.close();
    assert.ok(segments.length >= 3, `expected several segments, got ${segments.length}`);
    const first = segments[0]!;
    const copy = copyDir(dir);
    fs.truncateSync(inCopy(copy, dir, first), fileSize(first) - 1);
    assert.throws(() => openFileLog(copy), (err: unknown) => err instanceof CorruptionError && err.file === inCopy(copy, dir, first));
    const flipped = copyDir(dir);
    flipByte(inCopy(flipped, dir, first), fileSize(first) - 2);
    assert.throws(() => openFileLog(flipped), (err: unknown) => err instanceof CorruptionError && err.file === inCopy(flipped, dir, first));
  });

  test('a missing segment is corruption, not a silently shorter log', async () => {
    const dir = newDir();
    const log = openFileLog(dir, { segmentBytes: 4096 });
    await fillLog(log, 600);
    const segments = log.segmentPaths();
    await log.close();
    assert.ok(segments.length >= 3, `expected several segments, got ${segments.length}`);
    for (const missing of [segments[0]!, segments[1]!]) {
      const copy = copyDir(dir);
      fs.unlinkSync(inCopy(copy, dir, missing));
      assert.throws(() => openFileLog(copy), (err: unknown) => err instanceof CorruptionError && /segment is missing/.test(err.message));
    }
  });
});

describe('file log: preallocated zeros', () => {
  test('a crash with the current segment preallocated loses nothing synced and reports no torn tail', async () => {
    const dir = newDir();
    const log = openFileLog(dir, { segmentBytes: 4096, preallocateBytes: 64 * 1024 });
    await fillLog(log, 600);
    const current = log.segmentPaths().at(-1)!;
    assert.ok(fileSize(current) > log.segmentBytes().at(-1)!.bytes, 'the current segment has zeros ahead of its data');
    const crashed = copyDir(dir); // the files as a crash would leave them: no close()
    await log.close();
    const reopened = openFileLog(crashed, { segmentBytes: 4096 });
    assertEntries(reopened.entries(1, 601, Infinity), range(1, 600, 1));
    assert.equal(reopened.recovery.tornTail, null);
    await reopened.close();
  });

  test('zeros after the data of an earlier segment (a lost cut) are unused space, not damage', async () => {
    const dir = newDir();
    const log = openFileLog(dir, { segmentBytes: 4096 });
    await fillLog(log, 600);
    const first = log.segmentPaths()[0]!;
    await log.close();
    fs.appendFileSync(first, new Uint8Array(10_000));
    const reopened = openFileLog(dir, { segmentBytes: 4096 });
    assertEntries(reopened.entries(1, 601, Infinity), range(1, 600, 1));
    await reopened.close();
  });

  test('a torn record followed by preallocated zeros is a torn tail', async () => {
    const { dir, segment, starts, end } = await threeRecordLog();
    const bytes = fs.readFileSync(segment);
    bytes.fill(0, end - 5);
    fs.writeFileSync(segment, Buffer.concat([bytes, new Uint8Array(8192)]));
    const log = openFileLog(dir);
    assert.equal(log.lastIndex(), 8);
    assert.equal(log.recovery.tornTail?.offset, starts[2]);
    await log.close();
  });
});

describe('file log: crashes in the middle of an operation', () => {
  async function logWith(dir: string, build: (log: FileLogStore) => Promise<void>): Promise<string[]> {
    const log = openFileLog(dir, { segmentBytes: 4096 });
    await build(log);
    const segments = log.segmentPaths();
    await log.close();
    return segments;
  }

  test('a conflict truncation torn at any byte leaves the old suffix or the new, never a mix', async () => {
    const dir = newDir();
    const before = await logWith(dir, async (log) => {
      await fillLog(log, 200);
    });
    const beforeSize = fileSize(before.at(-1)!);
    // The conflict reaches back into the first segment while the record goes to the last.
    assert.ok(before.length >= 2, `expected several segments, got ${before.length}`);
    const withConflict = copyDir(dir);
    await logWith(withConflict, async (log) => {
      log.append(range(20, 25, 2));
      await log.sync();
    });
    const last = inCopy(withConflict, dir, before.at(-1)!);
    const end = fileSize(last);
    const old = range(1, 200, 1);
    const replaced = [...range(1, 19, 1), ...range(20, 25, 2)];
    for (let cut = beforeSize; cut <= end; cut++) {
      const copy = copyDir(withConflict);
      fs.truncateSync(inCopy(copy, withConflict, last), cut);
      const log = openFileLog(copy, { segmentBytes: 4096 });
      assertEntries(log.entries(1, log.lastIndex() + 1, Infinity), cut === end ? replaced : old);
      await log.close();
      fs.rmSync(copy, { recursive: true });
    }
  });

  test('a reset interrupted before its segment header was durable leaves the old log', async () => {
    const dir = newDir();
    const segments = await logWith(dir, async (log) => {
      log.append(range(1, 50, 1));
      await log.sync();
    });
    const resetDir = copyDir(dir);
    const afterReset = await logWith(resetDir, async (log) => {
      await log.reset(1000, 4);
    });
    const newSegment = afterReset.at(-1)!;
    const headerBytes = fs.readFileSync(newSegment);
    for (let cut = 0; cut < headerBytes.length; cut++) {
      const copy = copyDir(dir);
      fs.writeFileSync(path.join(copy, path.basename(newSegment)), headerBytes.subarray(0, cut));
      const log = openFileLog(copy, { segmentBytes: 4096 });
      assert.equal(log.lastIndex(), 50);
      assert.deepEqual(log.recovery.removedFiles, [path.join(copy, path.basename(newSegment))]);
      assert.deepEqual(log.segmentPaths().map((p) => path.basename(p)), segments.map((p) => path.basename(p)));
      await log.close();
    }
  });

  test('a reset interrupted before old segments were deleted: open finishes it', async () => {
    const dir = newDir();
    const segments = await logWith(dir, async (log) => {
      await fillLog(log, 300);
    });
    const resetDir = copyDir(dir);
    const afterReset = await logWith(resetDir, async (log) => {
      await log.reset(1000, 4);
      log.append(range(1001, 1002, 4));
      await log.sync();
    });
    assert.equal(afterReset.length, 1, 'reset deletes every older segment');
    const copy = copyDir(dir);
    fs.copyFileSync(afterReset[0]!, path.join(copy, path.basename(afterReset[0]!)));
    const log = openFileLog(copy, { segmentBytes: 4096 });
    assert.equal(log.firstIndex(), 1001);
    assert.equal(log.term(1000), 4);
    assertEntries(log.entries(1001, 1003, Infinity), range(1001, 1002, 4));
    assert.deepEqual(log.recovery.removedFiles.map((p) => path.basename(p)), segments.map((p) => path.basename(p)));
    await log.close();
  });

  test('compaction deletes covered segments; reopen gives the same log', async () => {
    const dir = newDir();
    const log = openFileLog(dir, { segmentBytes: 4096 });
    await fillLog(log, 400);
    const before = log.segmentPaths().length;
    const bytesBefore = log.sizeBytes();
    await log.compact(350, 1);
    assert.ok(log.segmentPaths().length < before, 'covered segments are gone');
    assert.ok(log.sizeBytes() < bytesBefore);
    for (const file of log.segmentPaths()) assert.ok(fs.existsSync(file));
    assert.equal(fs.readdirSync(dir).length, log.segmentPaths().length);
    await log.close();
    const again = openFileLog(dir, { segmentBytes: 4096 });
    assert.equal(again.firstIndex(), 351);
    assert.equal(again.term(350), 1);
    assertEntries(again.entries(351, 401, Infinity), range(351, 400, 1));
    await again.close();
  });
});
