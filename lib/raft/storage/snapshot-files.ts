/**
 * One snapshot file: `<seq:20>-<index>-<term>.snap`, seq counting commits so the newest
 * is the last committed (or installed), whatever its index.
 *
 *   [data: frames of msgpack batches][footer frame][u32 footer frame length]
 *
 * The data part is exactly what readRaw() serves and install() receives. The footer
 * (a framed msgpack map: version, index, term, conf, dataBytes, createdAtMs) carries the
 * metadata under its own CRC; dataBytes must match the file size, so a file cut at a
 * frame boundary is caught too. A file is only ever renamed into place after fsync, so
 * any damage is corruption, never a torn write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import type { ConfState, SnapshotMeta } from '../core/types.js';
import { encodeFrame, readFrameAt } from './framing.js';
import { CorruptionError, type SnapshotInfo } from './types.js';

const NAME = /^(\d{20})-(\d+)-(\d+)\.snap$/;
export const TEMP_SUFFIX = '.tmp';
const FOOTER_VERSION = 1;
const MAX_FOOTER_BYTES = 16 * 1024 * 1024;

export interface SnapshotFile {
  readonly seq: number;
  readonly path: string;
  readonly info: SnapshotInfo;
}

export function snapshotFileName(seq: number, meta: SnapshotMeta): string {
  return `${String(seq).padStart(20, '0')}-${meta.index}-${meta.term}.snap`;
}

/** The footer and its trailing length, to append after the data. */
export function encodeFooter(meta: SnapshotMeta, dataBytes: number, createdAtMs: number): Uint8Array {
  const frame = encodeFrame(
    encode({ version: FOOTER_VERSION, index: meta.index, term: meta.term, conf: meta.conf, dataBytes, createdAtMs }),
  );
  const out = new Uint8Array(frame.length + 4);
  out.set(frame, 0);
  new DataView(out.buffer).setUint32(frame.length, frame.length, true);
  return out;
}

/** Snapshot files (sorted by seq, oldest first) and leftover temp files in `dir`. */
export function listSnapshotDir(dir: string): { files: { seq: number; path: string; index: number; term: number }[]; temps: string[] } {
  const files: { seq: number; path: string; index: number; term: number }[] = [];
  const temps: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(TEMP_SUFFIX)) temps.push(path.join(dir, name));
    const match = NAME.exec(name);
    if (match !== null) files.push({ seq: Number(match[1]), path: path.join(dir, name), index: Number(match[2]), term: Number(match[3]) });
  }
  files.sort((a, b) => a.seq - b.seq);
  return { files, temps };
}

/** Reads and checks a snapshot file's footer; throws CorruptionError naming the file. */
export function readFooter(file: { seq: number; path: string; index: number; term: number }): SnapshotFile {
  const fd = fs.openSync(file.path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 4) throw new CorruptionError(file.path, 0, `file of ${size} bytes has no footer`);
    const lengthBytes = readAt(fd, size - 4, 4);
    const frameLength = new DataView(lengthBytes.buffer).getUint32(0, true);
    const frameStart = size - 4 - frameLength;
    if (frameLength > MAX_FOOTER_BYTES || frameStart < 0) {
      throw new CorruptionError(file.path, size - 4, `footer length ${frameLength} does not fit the file`);
    }
    const frameBytes = readAt(fd, frameStart, frameLength);
    const frame = readFrameAt(frameBytes, 0, frameBytes.length, MAX_FOOTER_BYTES);
    if (!frame.ok || frame.next !== frameBytes.length) {
      throw new CorruptionError(file.path, frameStart, `bad footer: ${frame.ok ? 'length mismatch' : frame.reason}`);
    }
    const info = parseFooter(decodeFooter(file.path, frameStart, frame.payload), file.path, frameStart);
    if (info.size !== frameStart) throw new CorruptionError(file.path, frameStart, `footer says ${info.size} data bytes, file holds ${frameStart}`);
    if (info.meta.index !== file.index || info.meta.term !== file.term) {
      throw new CorruptionError(file.path, frameStart, `footer says ${info.meta.index}/${info.meta.term}, file name says ${file.index}/${file.term}`);
    }
    return { seq: file.seq, path: file.path, info };
  } finally {
    fs.closeSync(fd);
  }
}

function decodeFooter(file: string, offset: number, payload: Uint8Array): unknown {
  try {
    return decode(payload);
  } catch (err) {
    throw new CorruptionError(file, offset, `undecodable footer: ${(err as Error).message}`);
  }
}

function parseFooter(value: unknown, file: string, offset: number): SnapshotInfo {
  const footer = value as Partial<Record<'version' | 'index' | 'term' | 'dataBytes' | 'createdAtMs', unknown>> & { conf?: unknown };
  const numbers = [footer.index, footer.term, footer.dataBytes, footer.createdAtMs];
  if (typeof value !== 'object' || value === null || footer.version !== FOOTER_VERSION || !numbers.every(Number.isSafeInteger) || !isConf(footer.conf)) {
    throw new CorruptionError(file, offset, 'footer is not a version 1 snapshot footer');
  }
  const meta: SnapshotMeta = { index: footer.index as number, term: footer.term as number, conf: footer.conf };
  return { meta, size: footer.dataBytes as number, createdAtMs: footer.createdAtMs as number };
}

function isConf(value: unknown): value is ConfState {
  const conf = value as { voters?: unknown; learners?: unknown } | null;
  const isMembers = (list: unknown): boolean =>
    Array.isArray(list) && list.every((m) => typeof (m as { id?: unknown }).id === 'string' && typeof (m as { addr?: unknown }).addr === 'string');
  return typeof conf === 'object' && conf !== null && isMembers(conf.voters) && isMembers(conf.learners);
}

/** Reads exactly `length` bytes at `position` (short only at end of file). */
export function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}
