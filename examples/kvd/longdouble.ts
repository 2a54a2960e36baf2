/**
 * INCRBYFLOAT as Redis computes it on x86-64: parse with strtold, add in 80-bit x87
 * extended precision (64-bit significand), print with "%.17Lf" and trim trailing zeros.
 * JS doubles would answer differently (0.1 + 0.2 is "0.3" in Redis, and 1e308 + 1e308 is
 * finite there), so the arithmetic is emulated exactly with BigInt: every step is exact
 * and then rounded to nearest-even once, as the hardware and glibc do.
 */

export type LongDouble =
  | { readonly kind: 'finite'; readonly neg: boolean; readonly m: bigint; readonly e: number }
  | { readonly kind: 'inf'; readonly neg: boolean }
  | { readonly kind: 'nan' };

const SIGNIFICAND_BITS = 64;
/** Exponent of the least significant bit of the smallest subnormal: 2^-16445. */
const MIN_LSB_EXP = -16445;
/** Finite values are below 2^16384. */
const OVERFLOW_BITS = 16384;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused. */
const MAX_CHARS = 5 * 1024;
/** Beyond these decimal magnitudes the result is certainly infinite or zero. */
const MAX_DECIMAL_EXP = 4933;
const MIN_DECIMAL_EXP = -4952;

const NAN: LongDouble = { kind: 'nan' };

function zero(neg: boolean): LongDouble {
  return { kind: 'finite', neg, m: 0n, e: 0 };
}

function inf(neg: boolean): LongDouble {
  return { kind: 'inf', neg };
}

function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (parseInt(hex[0] as string, 16).toString(2).length);
}

/** Rounds mag * 2^exp (plus a nonzero tail below it when sticky) to the nearest long double. */
function round(neg: boolean, mag: bigint, exp: number, sticky: boolean): LongDouble {
  if (mag === 0n) return zero(neg);
  let shift = bitLength(mag) - SIGNIFICAND_BITS;
  if (exp + shift < MIN_LSB_EXP) shift = MIN_LSB_EXP - exp;
  let m: bigint;
  if (shift > 0) {
    const b = BigInt(shift);
    m = mag >> b;
    const rest = mag - (m << b);
    const half = 1n << (b - 1n);
    if (rest > half || (rest === half && (sticky || (m & 1n) === 1n))) m += 1n;
  } else {
    m = mag << BigInt(-shift);
  }
  const e = exp + shift;
  if (m === 0n) return zero(neg);
  if (bitLength(m) + e > OVERFLOW_BITS) return inf(neg);
  return { kind: 'finite', neg, m, e };
}

/** The exact rational digits / 10^scale (digits >= 0), rounded. */
function fromDecimal(neg: boolean, digits: bigint, exp10: number): LongDouble {
  if (exp10 >= 0) return round(neg, digits * 10n ** BigInt(exp10), 0, false);
  const den = 10n ** BigInt(-exp10);
  const s = Math.max(0, SIGNIFICAND_BITS + 2 + bitLength(den) - bitLength(digits));
  const scaled = digits << BigInt(s);
  const q = scaled / den;
  return round(neg, q, -s, q * den !== scaled);
}

const DECIMAL = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

/** A possibly huge exponent, clamped: anything this large over- or underflows anyway. */
function exponent(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  return Math.max(-1e9, Math.min(1e9, n));
}

/** What strtold reports as ERANGE: the value overflowed to infinity or underflowed to zero. */
const OUT_OF_RANGE = 'out of range';

/** A finite result of rounding, or OUT_OF_RANGE when nonzero digits rounded to 0 or infinity. */
function inRange(x: LongDouble): LongDouble | typeof OUT_OF_RANGE {
  return x.kind === 'inf' || (x.kind === 'finite' && x.m === 0n) ? OUT_OF_RANGE : x;
}

function parseHex(neg: boolean, match: RegExpExecArray): LongDouble | typeof OUT_OF_RANGE | null {
  const int = match[1] ?? '';
  const frac = match[2] ?? '';
  if (int.length + frac.length === 0) return null;
  const mag = BigInt(`0x${int}${frac}`);
  if (mag === 0n) return zero(neg);
  const exp2 = exponent(match[3]) - 4 * frac.length;
  const top = exp2 + bitLength(mag);
  if (top > OVERFLOW_BITS + 1 || top < MIN_LSB_EXP - 2) return OUT_OF_RANGE;
  return inRange(round(neg, mag, exp2, false));
}

function parseDecimal(neg: boolean, match: RegExpExecArray): LongDouble | typeof OUT_OF_RANGE | null {
  const int = match[1] ?? '';
  const frac = match[2] ?? '';
  if (int.length + frac.length === 0) return null;
  const digits = (int + frac).replace(/^0+/, '');
  if (digits === '') return zero(neg);
  const exp10 = exponent(match[3]) - frac.length;
  const magnitude = digits.length + exp10;
  if (magnitude - 1 > MAX_DECIMAL_EXP || magnitude < MIN_DECIMAL_EXP) return OUT_OF_RANGE;
  return inRange(fromDecimal(neg, BigInt(digits), exp10));
}

/**
 * Redis's string2ld: strtold must consume the whole string (so a NUL byte anywhere makes it
 * invalid); leading space, NaN, and results that overflow or underflow to zero are refused.
 * null when refused.
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_CHARS || s.includes('\0')) return null;
  if (/^[ \t\n\v\f\r]/.test(s)) return null;
  const neg = s[0] === '-';
  const body = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return inf(neg);
  const hex = HEX.exec(body);
  const dec = hex === null ? DECIMAL.exec(body) : null;
  const parsed = hex !== null ? parseHex(neg, hex) : dec !== null ? parseDecimal(neg, dec) : null;
  return parsed === OUT_OF_RANGE ? null : parsed;
}

export function add(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf' && b.kind === 'inf') return a.neg === b.neg ? a : NAN;
  if (a.kind === 'inf') return a;
  if (b.kind === 'inf') return b;
  const e = Math.min(a.e, b.e);
  const sa = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const sb = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const sum = sa + sb;
  if (sum === 0n) return zero(a.neg && b.neg && a.m === 0n && b.m === 0n);
  return round(sum < 0n, sum < 0n ? -sum : sum, e, false);
}

export function isFinite(x: LongDouble): boolean {
  return x.kind === 'finite';
}

/** printf("%.17Lf") with trailing zeros (and a bare '.') removed, and "-0" as "0". */
export function formatHuman(x: LongDouble): string {
  if (x.kind === 'nan') return 'nan';
  if (x.kind === 'inf') return x.neg ? '-inf' : 'inf';
  const scaled = x.m * 10n ** 17n;
  let q: bigint;
  if (x.e >= 0) {
    q = scaled << BigInt(x.e);
  } else {
    const b = BigInt(-x.e);
    q = scaled >> b;
    const rest = scaled - (q << b);
    const half = 1n << (b - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  }
  const digits = q.toString().padStart(18, '0');
  let out = `${x.neg ? '-' : ''}${digits.slice(0, -17)}.${digits.slice(-17)}`;
  out = out.replace(/0+$/, '').replace(/\.$/, '');
  return out === '-0' ? '0' : out;
}
