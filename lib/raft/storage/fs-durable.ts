/** Small durable-file helpers: fsync of files and directories, complete writes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const fdatasyncAsync = promisify(fs.fdatasync);
const fsyncAsync = promisify(fs.fsync);

/** fdatasync: data plus the metadata needed to read it back (the file size). */
export function fdatasync(fd: number): Promise<void> {
  return fdatasyncAsync(fd);
}

export function fsyncFd(fd: number): Promise<void> {
  return fsyncAsync(fd);
}

/** Makes a directory's entries (created, renamed, deleted files) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes all of `bytes` at `position` (writeSync may write less than asked). */
export function writeAllSync(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}

/** Creates `dir` and missing parents; with sync, fsyncs each new directory's parent. */
export function ensureDirSync(dir: string, sync: boolean): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.push(d);
  if (missing.length === 0) return;
  fs.mkdirSync(dir, { recursive: true });
  if (sync) for (const d of missing.reverse()) fsyncDirSync(path.dirname(d));
}
