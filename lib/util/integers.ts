/** Integer arguments with Redis's rules, shared by the framework and the apps. */

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
/** string2ll refuses strings this long or longer (LONG_STR_SIZE). */
const LONG_STR_SIZE = 21;

/**
 * Redis's string2ll: an optional '-', then digits with no leading zero (except "0" itself),
 * nothing else (no '+', no spaces), within int64. Returns null when it is not one.
 */
export function parseInt64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n >= LONG_STR_SIZE) return null;
  if (n === 1 && s === '0') return 0n;
  let i = 0;
  if (s.charCodeAt(0) === 0x2d) {
    i = 1;
    if (n === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 0x31 || first > 0x39) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return null;
  }
  const value = BigInt(s);
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}
