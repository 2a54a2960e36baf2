/**
 * Storage figures, all in one run on the same disk:
 *   npx tsx bench/log-fsync.ts [--dir DIR] [--seconds N] [--rounds N]
 *
 * 1. The machine's raw fsync rate: write 128 B + fdatasync (and + fsync) in a loop,
 *    appending, and overwriting a preallocated file (which the log does).
 * 2. The file log's fsync-bound throughput: append a batch of ~64 B entries, await
 *    sync(), repeat; entries/s at batch sizes 1, 16, 256; and 8 concurrent writers of
 *    16, which share fsyncs (group commit).
 * 3. Open time of a log holding 1,000,000 entries.
 * 4. Snapshot write and read of 1,000,000 kvd-like keys (16 B key, 16 B value).
 *
 * DIR defaults to .tmp/bench-storage in the working directory (put it on the disk the
 * data dir will use); it is removed at the end. BENCH_SECONDS also sets --seconds.
 * With --rounds N the fsync measurements are interleaved N times and the median (and
 * range) printed: on a shared or virtual disk single runs vary a lot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Entry } from '../lib/raft/core/types.js';
import { openFileLog } from '../lib/raft/storage/file-log.js';
import { openFileSnapshots } from '../lib/raft/storage/file-snapshots.js';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: '.tmp/bench-storage' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '2' },
    rounds: { type: 'string', default: '1' },
  },
});
const ROOT = path.resolve(args.dir);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const MiB = 1024 * 1024;

function fresh(name: string): string {
  const dir = path.join(ROOT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * write 128 B + fdatasync/fsync in a loop. `preallocated` first fills the file with
 * zeros, so the writes overwrite and need no size change (what the log does).
 */
function rawFsyncRate(kind: 'fdatasync' | 'fsync', preallocated: boolean): number {
  const file = path.join(fresh(`raw-${kind}-${preallocated}`), 'probe');
  const fd = fs.openSync(file, 'w');
  if (preallocated) {
    fs.writeSync(fd, Buffer.alloc(64 * MiB), 0, 64 * MiB, 0);
    fs.fsyncSync(fd);
  }
  const block = Buffer.alloc(128, 7);
  const sync = kind === 'fdatasync' ? fs.fdatasyncSync : fs.fsyncSync;
  let ops = 0;
  let position = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    fs.writeSync(fd, block, 0, block.length, position);
    position += block.length;
    sync(fd);
    ops++;
  }
  const rate = ops / ((performance.now() - start) / 1000);
  fs.closeSync(fd);
  return rate;
}

const DATA = new Uint8Array(64).fill(0x61);

function batch(from: number, count: number): Entry[] {
  return Array.from({ length: count }, (_, k) => ({ index: from + k, term: 1, kind: 0 as const, data: DATA }));
}

async function logThroughput(batchSize: number, writers: number): Promise<{ entriesPerSec: number; syncsPerSec: number }> {
  const log = openFileLog(fresh(`log-${batchSize}x${writers}`));
  let syncs = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  const writer = async (): Promise<void> => {
    while (performance.now() < deadline) {
      log.append(batch(log.lastIndex() + 1, batchSize));
      await log.sync();
      syncs++;
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const elapsed = (performance.now() - start) / 1000;
  const entries = log.lastIndex();
  await log.close();
  return { entriesPerSec: entries / elapsed, syncsPerSec: syncs / elapsed };
}

async function openTime(entries: number): Promise<{ seconds: number; bytes: number }> {
  const dir = fresh('open');
  const log = openFileLog(dir, { sync: false });
  for (let i = 1; i <= entries; i += 1000) log.append(batch(i, Math.min(1000, entries - i + 1)));
  await log.close();
  const start = performance.now();
  const reopened = openFileLog(dir);
  const seconds = (performance.now() - start) / 1000;
  if (reopened.lastIndex() !== entries) throw new Error(`reopened log holds ${reopened.lastIndex()} entries, expected ${entries}`);
  const bytes = reopened.sizeBytes();
  await reopened.close();
  return { seconds, bytes };
}

async function snapshotRoundTrip(keys: number, perBatch: number) {
  const store = openFileSnapshots(fresh('snapshots'));
  const start = performance.now();
  const writer = store.create({ index: keys, term: 1, conf: { voters: [{ id: 'n1', addr: '127.0.0.1:7001' }], learners: [] } });
  for (let i = 0; i < keys; i += perBatch) {
    const pairs: string[][] = [];
    for (let k = i; k < Math.min(keys, i + perBatch); k++) pairs.push([`key:${String(k).padStart(12, '0')}`, `val:${String(k).padStart(12, '0')}`]);
    writer.writeBatch(pairs);
  }
  const info = await writer.commit();
  const writeSeconds = (performance.now() - start) / 1000;
  const readStart = performance.now();
  let read = 0;
  for (const batchValue of store.readBatches()) read += (batchValue as unknown[]).length;
  const readSeconds = (performance.now() - readStart) / 1000;
  if (read !== keys) throw new Error(`read ${read} keys back, wrote ${keys}`);
  await store.close();
  return { bytes: info.size, writeSeconds, readSeconds };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Median of the rounds, with the range when there is more than one. */
function summary(values: number[], unit: string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const spread = sorted.length > 1 ? `  [${fmt(sorted[0]!)} .. ${fmt(sorted.at(-1)!)}]` : '';
  return `${fmt(median).padStart(10)} ${unit}${spread}`;
}

type Measure = { label: string; unit: string; run: () => Promise<number> };

const MEASURES: Measure[] = [
  { label: 'raw: append 128 B + fdatasync', unit: '/s', run: async () => rawFsyncRate('fdatasync', false) },
  { label: 'raw: append 128 B + fsync', unit: '/s', run: async () => rawFsyncRate('fsync', false) },
  { label: 'raw: 128 B into a preallocated file + fdatasync', unit: '/s', run: async () => rawFsyncRate('fdatasync', true) },
  ...([[1, 1], [16, 1], [256, 1], [16, 8]] as const).map(([size, writers]) => ({
    label: `file log, ${writers === 1 ? `batch ${size}` : `${writers} writers x batch ${size}`}`,
    unit: 'entries/s',
    run: async () => (await logThroughput(size, writers)).entriesPerSec,
  })),
];

async function main(): Promise<void> {
  console.log(`storage benchmark: dir ${ROOT}, ${SECONDS} s per measurement, ${ROUNDS} round(s) interleaved, node ${process.version}`);
  const results = MEASURES.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, measure] of MEASURES.entries()) results[k]!.push(await measure.run());
  }
  for (const [k, measure] of MEASURES.entries()) console.log(`${measure.label.padEnd(48)} ${summary(results[k]!, measure.unit)}`);
  const open = await openTime(1_000_000);
  console.log(`open of a 1,000,000-entry log (${(open.bytes / MiB).toFixed(1)} MiB): ${open.seconds.toFixed(2)} s`);
  const snap = await snapshotRoundTrip(1_000_000, 1000);
  const mib = snap.bytes / MiB;
  console.log(`snapshot of 1,000,000 keys (${mib.toFixed(1)} MiB): write ${snap.writeSeconds.toFixed(2)} s (${(mib / snap.writeSeconds).toFixed(0)} MiB/s), read+decode ${snap.readSeconds.toFixed(2)} s (${(mib / snap.readSeconds).toFixed(0)} MiB/s)`);
  fs.rmSync(ROOT, { recursive: true, force: true });
}

await main();
