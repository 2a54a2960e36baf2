/**
 * The segment being appended to. Writes go at the end of the data; ahead of them the
 * file is extended with real zeros (`preallocateBytes` at a time), so a write that stays
 * inside the file needs no size change and its fdatasync no journal commit. Zeros after
 * the last frame read as unused space at open (framing.ts: a zero length is never
 * written), and a segment is cut back to its data when it is closed.
 */
import * as fs from 'node:fs';
import { writeAllSync } from './fs-durable.js';
import type { SegmentFile } from './log-segments.js';

const ZEROS = new Uint8Array(1024 * 1024);

export class SegmentWriter {
  /** File size, including preallocated zeros past segment.size. */
  private allocated: number;

  private constructor(
    readonly fd: number,
    readonly segment: SegmentFile,
    private readonly preallocateBytes: number,
  ) {
    this.allocated = segment.size;
  }

  /** Creates the file (which must not exist) holding `header`. */
  static create(segment: SegmentFile, header: Uint8Array, preallocateBytes: number): SegmentWriter {
    const fd = fs.openSync(segment.path, 'wx');
    const writer = new SegmentWriter(fd, segment, preallocateBytes);
    writer.append(header);
    return writer;
  }

  /** Continues an existing segment whose file ends at segment.size. */
  static reopen(segment: SegmentFile, preallocateBytes: number): SegmentWriter {
    return new SegmentWriter(fs.openSync(segment.path, 'r+'), segment, preallocateBytes);
  }

  append(bytes: Uint8Array): void {
    const end = this.segment.size + bytes.length;
    if (end > this.allocated && this.preallocateBytes > 0) this.extend(end + this.preallocateBytes);
    writeAllSync(this.fd, bytes, this.segment.size);
    this.segment.size = end;
    if (end > this.allocated) this.allocated = end;
  }

  /** Cuts the preallocated zeros off and closes the file. */
  close(): void {
    if (this.allocated > this.segment.size) fs.ftruncateSync(this.fd, this.segment.size);
    fs.closeSync(this.fd);
  }

  private extend(to: number): void {
    for (let at = this.allocated; at < to; at += ZEROS.length) {
      writeAllSync(this.fd, ZEROS.subarray(0, Math.min(ZEROS.length, to - at)), at);
    }
    this.allocated = to;
  }
}
