/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32).
 * Pure: the same seed gives the same sequence on every machine, which the Raft core,
 * the simulator and replicated randomness (Machine.rand) all depend on.
 */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  next32(): number;
  /** Uniform float in [0, 1) with 53 bits of randomness. */
  float(): number;
  /** Uniform integer in [0, n), n >= 1 and n <= 2^32. */
  int(n: number): number;
  /** Uniform integer in [lo, hi], inclusive. */
  range(lo: number, hi: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** A new generator seeded from this one: independent streams for sub-components. */
  fork(): Rng;
  /** The four state words, to persist and later resume with rngFromState. */
  state(): [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    // An all-zero state would only ever produce zeros.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  next32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c = (this.c ^ this.a) >>> 0;
    this.d = (this.d ^ this.b) >>> 0;
    this.b = (this.b ^ this.c) >>> 0;
    this.a = (this.a ^ this.d) >>> 0;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d, 11);
    return result;
  }

  float(): number {
    const hi = this.next32() >>> 5; // 27 bits
    const lo = this.next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296)) throw new RangeError(`rng.int: n out of range: ${n}`);
    // Rejection sampling keeps the distribution exactly uniform.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.next32();
      if (x < limit) return x % n;
    }
  }

  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  fork(): Rng {
    return rngFromSeed(this.next32());
  }

  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A generator from a 32-bit (or larger, folded) integer seed. */
export function rngFromSeed(seed: number): Rng {
  const folded = (seed >>> 0) ^ Math.floor(seed / 4294967296);
  const sm = splitmix32(folded);
  return new Xoshiro128(sm(), sm(), sm(), sm());
}

/** Resumes a generator from words returned by Rng.state(). */
export function rngFromState(state: readonly [number, number, number, number]): Rng {
  return new Xoshiro128(state[0], state[1], state[2], state[3]);
}
