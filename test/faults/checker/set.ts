/**
 * The set / append workload: clients add unique tokens to a key (SADD, or APPEND of a
 * delimited token to a string) and read the whole collection. Per key:
 * - the final read holds every acknowledged token (else: lost), none twice (duplicate),
 *   and nothing that was never attempted (unexpected) or definitely failed;
 * - every read holds the tokens acknowledged before it began, and every token an earlier
 *   read (ended before it began) returned: a token never disappears;
 * - no read returns a token before its add was invoked;
 * - with `ordered` (APPEND): every read is a prefix of the longest one, because the
 *   states of an append-only list are prefixes of each other.
 *
 * Ops: f = add (arg: the token) and f = read (result: the tokens, in stored order; the
 * runner splits an APPEND string into tokens). The read with `final: true` is the final
 * read.
 */
import { opsByKey, type OpRecord } from '../history.js';
import { anomaly, anomalyCounts, combineValidity, limitPerType, type Anomaly, type CheckResult, type Validity } from './verdict.js';

export interface SetOptions {
  /** Reads return an append-only list: also check that they are prefixes of each other. */
  ordered?: boolean;
  /** Anomalies listed per rule and key (all are counted). Default 10. */
  maxListed?: number;
}

// A type (not an interface) so it fits CheckResult's Record<string, number> stats.
type KeyStats = {
  addsOk: number;
  addsUnknown: number;
  addsFailed: number;
  reads: number;
  unknownPresent: number;
  unknownAbsent: number;
};

interface Read {
  op: OpRecord;
  tokens: string[];
}

function tokensOf(op: OpRecord): string[] {
  if (!Array.isArray(op.result)) throw new Error(`set checker: read #${op.id} result is not an array of tokens`);
  return op.result.map((t) => (typeof t === 'string' ? t : JSON.stringify(t)));
}

export function checkSet(ops: readonly OpRecord[], options: SetOptions = {}): CheckResult {
  const maxListed = options.maxListed ?? 10;
  const totals: KeyStats & { keys: number; anomalies: number } = {
    keys: 0, addsOk: 0, addsUnknown: 0, addsFailed: 0, reads: 0, unknownPresent: 0, unknownAbsent: 0, anomalies: 0,
  };
  const anomalies: Anomaly[] = [];
  const validity: Validity[] = [];
  for (const [key, keyOps] of opsByKey(ops)) {
    totals.keys++;
    const { valid, found, stats } = checkKey(key, keyOps, options.ordered ?? false);
    validity.push(valid);
    for (const field of Object.keys(stats) as (keyof KeyStats)[]) totals[field] += stats[field];
    totals.anomalies += found.length;
    anomalies.push(...limitPerType(found, maxListed));
  }
  const valid = combineValidity(validity);
  const summary =
    valid === true
      ? `no acknowledged token lost, duplicated or invented on ${totals.keys} keys (${totals.addsOk} acknowledged, ${totals.addsUnknown} unknown: ${totals.unknownPresent} present)`
      : valid === false
        ? `set anomalies: ${anomalyCounts(anomalies)}`
        : 'undecided: no final read on some key (intermediate reads are consistent)';
  return { checker: options.ordered ? 'append' : 'set', valid, summary, anomalies, stats: totals };
}

function checkKey(key: string, keyOps: readonly OpRecord[], ordered: boolean): { valid: Validity; found: Anomaly[]; stats: KeyStats } {
  const adds = new Map<string, OpRecord>();
  for (const op of keyOps) {
    if (op.f !== 'add') continue;
    // A retried APPEND may legitimately land twice, so the checker needs one token per attempt.
    if (adds.has(String(op.arg))) throw new Error(`set checker: token ${String(op.arg)} added twice (#${op.id}); use a new token per attempt`);
    adds.set(String(op.arg), op);
  }
  const reads: Read[] = keyOps.filter((op) => op.f === 'read' && op.outcome === 'ok').map((op) => ({ op, tokens: tokensOf(op) }));
  const addList = [...adds.values()];
  const stats: KeyStats = {
    addsOk: addList.filter((op) => op.outcome === 'ok').length,
    addsUnknown: addList.filter((op) => op.outcome === 'unknown').length,
    addsFailed: addList.filter((op) => op.outcome === 'fail').length,
    reads: reads.length,
    unknownPresent: 0,
    unknownAbsent: 0,
  };
  const found = reads.flatMap((read) => checkContents(key, read, adds));
  found.push(...checkNothingDisappears(key, reads, adds));
  if (ordered) found.push(...checkPrefixes(key, reads));
  const final = reads.find((r) => r.op.final);
  if (final) {
    const present = new Set(final.tokens);
    for (const op of addList) {
      if (op.outcome !== 'unknown') continue;
      if (present.has(String(op.arg))) stats.unknownPresent++;
      else stats.unknownAbsent++;
    }
  }
  return { valid: found.length > 0 ? false : final ? true : 'unknown', found, stats };
}

/** Within one read: no token twice, none that was never attempted or definitely failed,
 *  none read before its add began. */
function checkContents(key: string, read: Read, adds: ReadonlyMap<string, OpRecord>): Anomaly[] {
  const found: Anomaly[] = [];
  const seen = new Set<string>();
  for (const token of read.tokens) {
    const add = adds.get(token);
    if (seen.has(token)) {
      found.push(anomaly('duplicate', key, `token ${JSON.stringify(token)} appears twice in one read`, add ? [add, read.op] : [read.op]));
    }
    seen.add(token);
    if (!add) {
      found.push(anomaly('unexpected', key, `token ${JSON.stringify(token)} was never added`, [read.op]));
    } else if (add.outcome === 'fail') {
      found.push(anomaly('failed-add-present', key, `token ${JSON.stringify(token)} is present although its add definitely failed`, [add, read.op]));
    } else if (read.op.completeMs < add.invokeMs) {
      found.push(anomaly('read-before-add', key, `token ${JSON.stringify(token)} was read before its add began`, [read.op, add]));
    }
  }
  return found;
}

/**
 * A token must be in every read that began after its add was acknowledged, and after any
 * read that returned it had ended. Missing from the final read is a lost token; missing
 * from a later intermediate read is a stale read (or a disappearance).
 */
function checkNothingDisappears(key: string, reads: readonly Read[], adds: ReadonlyMap<string, OpRecord>): Anomaly[] {
  const evidence = new Map<string, OpRecord>(); // token -> the op that proves it exists, earliest end
  const prove = (token: string, op: OpRecord): void => {
    const known = evidence.get(token);
    if (!known || op.completeMs < known.completeMs) evidence.set(token, op);
  };
  for (const [token, add] of adds) if (add.outcome === 'ok') prove(token, add);
  for (const read of reads) for (const token of read.tokens) if (adds.has(token)) prove(token, read.op);
  const proofs = [...evidence].sort((a, b) => a[1].completeMs - b[1].completeMs);
  const found: Anomaly[] = [];
  for (const read of reads) {
    const present = new Set(read.tokens);
    for (const [token, proof] of proofs) {
      if (proof.completeMs >= read.op.invokeMs) break;
      if (present.has(token)) continue;
      const type = read.op.final ? 'lost' : proof.f === 'add' ? 'stale-read' : 'disappeared';
      const how = proof.f === 'add' ? 'acknowledged' : `returned by read #${proof.id}`;
      found.push(anomaly(type, key, `token ${JSON.stringify(token)} was ${how} before this read began, but is missing`, [proof, read.op]));
    }
  }
  return found;
}

/** Append-only: every read must be a prefix of the longest read. */
function checkPrefixes(key: string, reads: readonly Read[]): Anomaly[] {
  const longest = reads.reduce<Read | undefined>((best, r) => (!best || r.tokens.length > best.tokens.length ? r : best), undefined);
  if (!longest) return [];
  return reads.flatMap((read) => {
    const at = read.tokens.findIndex((token, i) => token !== longest.tokens[i]);
    if (at < 0) return [];
    const message = `reads diverge at position ${at}: ${JSON.stringify(read.tokens[at])} vs ${JSON.stringify(longest.tokens[at])}`;
    return [anomaly('order-diverged', key, message, [read.op, longest.op])];
  });
}
