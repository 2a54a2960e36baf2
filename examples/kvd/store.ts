/**
 * kvd's data model. Memory is the constraint (1,000,000 keys of 16-byte values must fit in
 * well under 300 MB), so a key costs: its latin1 string, its value, one Map entry
 * (key -> slot) and two array slots. No object per key.
 *
 * Keys and string values are latin1 JS strings: binary safe, one byte per character, and
 * V8 stores them one byte per character. Hashes and lists hold latin1 strings too.
 *
 * The keys also live in a dense array (`keys`, with `values` beside it) so that RANDOMKEY
 * is O(1) and SCAN has a cursor. Removal swaps the last slot into the hole, so a key only
 * ever moves to a lower slot; SCAN walks slots from the top down, which is why a key that
 * exists for a whole iteration is always returned (see scan.ts).
 */
import { ExpiryHeap, type ExpireAt } from './expiry-heap.js';

export type Hash = Map<string, string>;
export type List = string[];
export type Value = string | Hash | List;
export type TypeName = 'string' | 'hash' | 'list';

export function typeOf(value: Value): TypeName {
  if (typeof value === 'string') return 'string';
  return value instanceof Map ? 'hash' : 'list';
}

/** Redis: a key is expired once now is past its expiry time (not at it). */
export function isPast(at: ExpireAt, now: number): boolean {
  return at < now;
}

export class Db {
  private slots = new Map<string, number>();
  private keys: string[] = [];
  private values: Value[] = [];
  private readonly expires = new ExpiryHeap();

  /** Stored keys, including expired ones not yet reclaimed (as Redis's DBSIZE). */
  get size(): number {
    return this.keys.length;
  }

  /** Stored keys that have an expiry (INFO keyspace's expires=). */
  get expiringCount(): number {
    return this.expires.size;
  }

  /** The live value of key for a read: an expired key is absent, and nothing changes. */
  peek(key: string, now: number): Value | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    const at = this.expires.get(slot);
    if (at !== undefined && isPast(at, now)) return undefined;
    return this.values[slot];
  }

  /** The live value of key for a write: an expired key is deleted first. */
  touch(key: string, now: number): Value | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    const at = this.expires.get(slot);
    if (at !== undefined && isPast(at, now)) {
      this.remove(key);
      return undefined;
    }
    return this.values[slot];
  }

  /** The stored value, expired or not (for moving a key that was just checked live). */
  stored(key: string): Value | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.values[slot];
  }

  /** Stores value under key, keeping any TTL it has (APPEND, INCR, SETRANGE...). */
  put(key: string, value: Value): void {
    this.store(key, value);
  }

  /** Adds a key known to be new, at the next slot (restoring a snapshot, in slot order). */
  append(key: string, value: Value): void {
    const slot = this.keys.length;
    this.slots.set(key, slot);
    if (this.slots.size === slot) throw new Error(`kvd snapshot: key ${JSON.stringify(key)} appears twice`);
    this.keys.push(key);
    this.values.push(value);
  }

  /** Stores value under key and clears its TTL (SET without KEEPTTL). */
  replace(key: string, value: Value): void {
    this.expires.delete(this.store(key, value));
  }

  /** Deletes key whether or not it is expired; false when it was not stored. */
  remove(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.expires.delete(slot);
    const last = this.keys.length - 1;
    if (slot !== last) {
      const moved = this.keys[last] as string;
      this.keys[slot] = moved;
      this.values[slot] = this.values[last] as Value;
      this.slots.set(moved, slot);
      this.expires.moveSlot(last, slot);
    }
    this.keys.pop();
    this.values.pop();
    this.slots.delete(key);
    return true;
  }

  /** Deletes a live key; false when it was absent or expired (the expired one is reclaimed). */
  removeLive(key: string, now: number): boolean {
    return this.touch(key, now) !== undefined && this.remove(key);
  }

  ttl(key: string): ExpireAt | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.expires.get(slot);
  }

  /** Sets the expiry of a stored key. */
  setExpire(key: string, at: ExpireAt): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) this.expires.set(slot, at);
  }

  /** Sets the expiry of the key in a slot (restoring a snapshot). */
  setExpireAt(slot: number, at: ExpireAt): void {
    if (slot >= this.keys.length) throw new Error(`kvd snapshot: expiry for slot ${slot}, which is empty`);
    this.expires.set(slot, at);
  }

  /** Removes key's TTL; true when it had one. */
  persist(key: string): boolean {
    const slot = this.slots.get(key);
    return slot !== undefined && this.expires.delete(slot);
  }

  clear(): void {
    this.slots = new Map();
    this.keys = [];
    this.values = [];
    this.expires.clear();
  }

  keyAt(slot: number): string | undefined {
    return this.keys[slot];
  }

  valueAt(slot: number): Value | undefined {
    return this.values[slot];
  }

  ttlAt(slot: number): ExpireAt | undefined {
    return this.expires.get(slot);
  }

  /** True when the key in slot is live at now. */
  liveAt(slot: number, now: number): boolean {
    if (slot >= this.keys.length) return false;
    const at = this.expires.get(slot);
    return at === undefined || !isPast(at, now);
  }

  /**
   * Deletes up to `budget` keys whose time has passed, earliest first; returns how many.
   * Each costs O(log n), so a tick stays cheap however many keys are due.
   */
  expireDue(now: number, budget: number): number {
    let deleted = 0;
    while (deleted < budget) {
      const at = this.expires.peekTime();
      const slot = this.expires.peekSlot();
      if (at === undefined || slot === undefined || !isPast(at, now)) break;
      this.remove(this.keys[slot] as string);
      deleted++;
    }
    return deleted;
  }

  /** Inserts or overwrites; returns the key's slot. */
  private store(key: string, value: Value): number {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.values[slot] = value;
      return slot;
    }
    const added = this.keys.length;
    this.slots.set(key, added);
    this.keys.push(key);
    this.values.push(value);
    return added;
  }
}

/** The whole state: one Db per Redis database, plus what active expiry remembers. */
export interface KvData {
  dbs: Db[];
  /** Replicated time of the previous tick, to size the next tick's expiry budget. */
  lastTickMs: number;
}

export const DATABASES = 16;

export function createData(): KvData {
  return { dbs: Array.from({ length: DATABASES }, () => new Db()), lastTickMs: 0 };
}

export function dbOf(data: KvData, index: number): Db {
  const db = data.dbs[index];
  if (db === undefined) throw new RangeError(`no database ${index}`);
  return db;
}
