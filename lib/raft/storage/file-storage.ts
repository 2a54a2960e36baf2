/**
 * Opens a node's three stores together.
 *
 * Data directory layout:
 *   <dir>/log/<seq:20>.wal                        write-ahead log segments (file-log.ts)
 *   <dir>/hardstate                               term, vote, commit (file-stable.ts)
 *   <dir>/snapshots/<seq:20>-<index>-<term>.snap  snapshots (file-snapshots.ts)
 */
import * as path from 'node:path';
import { openFileLog, type FileLogOptions, type FileLogStore } from './file-log.js';
import { openFileSnapshots, type FileSnapshotOptions, type FileSnapshotStore } from './file-snapshots.js';
import { openFileStable, type FileStableStore } from './file-stable.js';
import { StorageOptionError } from './options.js';
import type { LogStore, SnapshotStore, StableStore } from './types.js';

export interface NodeStorage {
  readonly log: LogStore;
  readonly stable: StableStore;
  readonly snapshots: SnapshotStore;
  /** Flushes and closes all three. */
  close(): Promise<void>;
}

export interface FileStorage extends NodeStorage {
  readonly log: FileLogStore;
  readonly stable: FileStableStore;
  readonly snapshots: FileSnapshotStore;
}

/**
 * Options of all three file stores in one object; each field is documented where it is
 * defined (FileLogOptions, FileSnapshotOptions). `sync: false` is `--nosync` for all.
 */
export type FileStorageOptions = FileLogOptions & FileSnapshotOptions;

const LOG_OPTIONS = ['segmentBytes', 'recordTargetBytes'] as const;
const SNAPSHOT_OPTIONS = ['retain', 'maxBatchBytes', 'nowMs'] as const;

function pick<T extends object>(options: T, names: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (name in options) out[name] = (options as Record<string, unknown>)[name];
  return out as Partial<T>;
}

/** Opens (creating as needed) the stores under `dir`; throws CorruptionError on damaged data. */
export async function openFileStorage(dir: string, options: FileStorageOptions = {}): Promise<FileStorage> {
  for (const key of Object.keys(options)) {
    if (key !== 'sync' && !(LOG_OPTIONS as readonly string[]).includes(key) && !(SNAPSHOT_OPTIONS as readonly string[]).includes(key)) {
      throw new StorageOptionError(`FileStorageOptions has no option '${key}' (known: sync, ${[...LOG_OPTIONS, ...SNAPSHOT_OPTIONS].join(', ')})`);
    }
  }
  const sync = options.sync;
  const opened: { close(): Promise<void> }[] = [];
  try {
    const snapshots = openFileSnapshots(path.join(dir, 'snapshots'), { ...pick(options, SNAPSHOT_OPTIONS), sync });
    opened.push(snapshots);
    const stable = openFileStable(dir, { sync });
    opened.push(stable);
    const log = openFileLog(path.join(dir, 'log'), { ...pick(options, LOG_OPTIONS), sync });
    opened.push(log);
    return { log, stable, snapshots, close: () => closeAll(opened) };
  } catch (err) {
    await closeAll(opened).catch(() => undefined);
    throw err;
  }
}

async function closeAll(stores: readonly { close(): Promise<void> }[]): Promise<void> {
  const results = await Promise.allSettled([...stores].reverse().map((s) => s.close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
