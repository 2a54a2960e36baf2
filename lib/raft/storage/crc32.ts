/**
 * CRC-32 (IEEE 802.3, the zlib/PNG/gzip polynomial 0xEDB88320, reflected), the checksum
 * of every storage frame.
 *
 * IEEE rather than CRC-32C because Node >= 22.2 ships it natively as zlib.crc32, which is
 * used when present; Node 20 has none, so a slicing-by-8 table version (8 bytes per
 * step, 8 KiB of tables) is the fallback. Both give identical results.
 */
import * as zlib from 'node:zlib';

const TABLES = buildTables();

function buildTables(): Uint32Array {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n]!;
    for (let t = 1; t < 8; t++) {
      c = tables[c & 0xff]! ^ (c >>> 8);
      tables[t * 256 + n] = c >>> 0;
    }
  }
  return tables;
}

/** The portable implementation; exported so tests can compare it with the native one. */
export function crc32Portable(data: Uint8Array, seed = 0): number {
  const t = TABLES;
  let crc = ~seed >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  while (i < end8) {
    const a = (crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    crc =
      t[7 * 256 + (a & 0xff)]! ^
      t[6 * 256 + ((a >>> 8) & 0xff)]! ^
      t[5 * 256 + ((a >>> 16) & 0xff)]! ^
      t[4 * 256 + (a >>> 24)]! ^
      t[3 * 256 + data[i + 4]!]! ^
      t[2 * 256 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
    i += 8;
  }
  while (i < n) crc = t[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

type NativeCrc32 = (data: Uint8Array, seed?: number) => number;
// zlib.crc32 is missing from @types/node 20; read it through a widened type.
const nativeCrc32 = (zlib as unknown as { crc32?: NativeCrc32 }).crc32;

/**
 * CRC-32 of `data`. Pass the previous result as `seed` to continue a checksum over
 * several pieces: crc32(b, crc32(a)) === crc32(a ++ b). Returns an unsigned 32-bit value.
 */
export const crc32: (data: Uint8Array, seed?: number) => number =
  nativeCrc32 === undefined ? crc32Portable : (data, seed = 0) => nativeCrc32(data, seed) >>> 0;
