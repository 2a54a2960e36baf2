/**
 * The safety properties of Raft (paper Figure 3), checked as the simulation runs:
 *  - election safety: at most one leader per term, and one leadership: a node that led
 *    a term and spoke in it never leads that term again after a restart (it would if
 *    its vote were not durable, and could then write different entries at the same
 *    index and term);
 *  - log matching: an (index, term) pair names one entry, with one predecessor term,
 *    across every log that ever held it (so equal pairs mean equal prefixes);
 *  - leader completeness: a new leader holds every entry committed before it;
 *  - state machine safety: every node applies the same entry at each index, and a
 *    snapshot installed at an index holds the state any node had there;
 *  - committed entries are never lost: no node in the committing term or later ever
 *    writes a different entry over an index known committed (a delayed message of an
 *    older leader may still replace a stale node's copy, as Raft allows), and a
 *    restarted node still holds what it had applied;
 *  - the commit rule of 5.4.2: a leader's commit index only ever moves to an entry of
 *    its own term;
 *  - commit durability: when a leader's commit index moves, a majority of its voters
 *    hold that entry on disk durably (a copy a crash would lose does not count: this is
 *    what breaks if an acknowledgement, or the leader's own vote for an entry, runs
 *    ahead of the fsync).
 * An entry is known committed once any node applied it.
 */
import { EntryKind, type Entry, type Message, type NodeId, type Ready, type SnapshotMeta } from '../../lib/raft/core/types.js';
import type { KvMachine } from './kv.js';
import type { SimNode } from './sim-node.js';

export class SimViolation extends Error {
  override name = 'SimViolation';
}

interface Known {
  readonly term: number;
  readonly key: string;
}

const keys = new WeakMap<Entry, string>();
const decoder = new TextDecoder();

function entryKey(e: Entry): string {
  let k = keys.get(e);
  if (k === undefined) {
    k = `${e.kind === EntryKind.ConfChange ? 'C' : 'N'}:${decoder.decode(e.data)}`;
    keys.set(e, k);
  }
  return k;
}

interface Leadership {
  readonly id: NodeId;
  readonly incarnation: number;
  /** It sent a message as leader of the term. */
  spoke: boolean;
}

export class Checker {
  private readonly leaderOfTerm = new Map<number, Leadership>();
  private readonly entries = new Map<string, { key: string; prevTerm: number | undefined }>();
  private readonly committed: (Known | undefined)[] = [];
  maxCommitted = 0;
  /** Per term, the highest index its leader committed. */
  private readonly leaderCommit = new Map<number, number>();
  /** Terms of entries known committed (from leaders' commit indexes). */
  private readonly committedTerm: number[] = [];
  private termsKnownTo = 0;
  private readonly snapshotDigests = new Map<number, string>();
  /** Per leader node, the term and commit index the durability check last saw. */
  private readonly durableCommitSeen = new Map<NodeId, { term: number; commit: number }>();
  leadersElected = 0;

  /** After anything happened at a node: role and term checks. */
  observe(node: SimNode): void {
    const core = node.core;
    if (core === null) return;
    const r = core.raft;
    if (r.role !== 'leader') return;
    const known = this.leaderOfTerm.get(r.term);
    if (known === undefined || known.incarnation !== node.incarnation) {
      if (known !== undefined && known.id !== node.id) throw new SimViolation(`election safety: ${known.id} and ${node.id} are both leaders of term ${r.term}`);
      if (known !== undefined && known.spoke) throw new SimViolation(`election safety: ${node.id} leads term ${r.term} again after a restart, and its first leadership of it sent messages (was its vote durable?)`);
      this.leaderOfTerm.set(r.term, { id: node.id, incarnation: node.incarnation, spoke: false });
      this.leadersElected++;
      this.checkLeaderCompleteness(node);
    }
    this.noteLeaderCommit(node);
  }

  /** Messages handed to the network. */
  onSend(messages: readonly Message[]): void {
    for (const m of messages) {
      if (m.type !== 'app' && m.type !== 'heartbeat' && m.type !== 'snap') continue;
      const known = this.leaderOfTerm.get(m.term);
      if (known !== undefined && known.id === m.from) known.spoke = true;
    }
  }

  /**
   * Commit durability (see the header). `holds(id, index, term)` tells whether node id's
   * disk durably holds that entry. The commit a leader inherits when elected is not its
   * own decision; only later moves are checked.
   */
  checkCommitDurable(node: SimNode, holds: (id: NodeId, index: number, term: number | undefined) => boolean): void {
    const r = node.core?.raft;
    if (r === undefined || r.role !== 'leader') return;
    const seen = this.durableCommitSeen.get(node.id);
    const commit = r.log.committed;
    if (seen === undefined || seen.term !== r.term) {
      this.durableCommitSeen.set(node.id, { term: r.term, commit });
      return;
    }
    if (commit <= seen.commit) return;
    seen.commit = commit;
    const term = r.log.maybeTerm(commit);
    const voters = r.membership.voterIds;
    const holders = voters.filter((id) => holds(id, commit, term));
    if (holders.length * 2 <= voters.length) {
      throw new SimViolation(`commit durability: leader ${node.id} of term ${r.term} committed ${commit} (term ${String(term)}) but only ${holders.length} of its ${voters.length} voters (${holders.join(',')}) hold it durably`);
    }
  }

  /**
   * Records what the leader of a term committed (with the terms of those entries), and
   * checks the rule of section 5.4.2: a leader moves its commit index only by counting
   * replicas of an entry of its own term (earlier entries commit with it, indirectly).
   */
  private noteLeaderCommit(node: SimNode): void {
    const r = (node.core as NonNullable<SimNode['core']>).raft;
    const committed = r.log.committed;
    const before = this.leaderCommit.get(r.term);
    if (committed <= (before ?? 0)) return;
    if (before !== undefined && r.log.maybeTerm(committed) !== r.term) {
      throw new SimViolation(`commit rule (5.4.2): leader ${node.id} of term ${r.term} moved its commit index to ${committed}, an entry of term ${String(r.log.maybeTerm(committed))}`);
    }
    this.leaderCommit.set(r.term, committed);
    for (let i = Math.max(this.termsKnownTo + 1, r.log.firstIndex()); i <= committed; i++) {
      const t = r.log.maybeTerm(i);
      if (t !== undefined) this.committedTerm[i] = t;
    }
    if (committed > this.termsKnownTo) this.termsKnownTo = committed;
  }

  /** Is node's term at or after the first term whose leader committed index? (True when unknown.) */
  private atOrAfterCommit(node: SimNode, index: number): boolean {
    const term = node.core?.raft.term;
    if (term === undefined) return true;
    let era: number | undefined;
    for (const [t, committed] of this.leaderCommit) if (committed >= index && (era === undefined || t < era)) era = t;
    return era === undefined || term >= era;
  }

  /**
   * Leader completeness (section 5.4): a leader of term U holds every entry committed
   * by the leaders of terms before U. (Leaders of later terms may have committed more:
   * an election can finish late.)
   */
  private checkLeaderCompleteness(node: SimNode): void {
    const r = (node.core as NonNullable<SimNode['core']>).raft;
    let required = 0;
    for (const [term, index] of this.leaderCommit) if (term < r.term && index > required) required = index;
    for (let i = Math.max(1, r.log.firstIndex()); i <= required; i++) {
      const c = this.committedTerm[i] ?? this.committed[i]?.term;
      if (c === undefined) continue;
      const t = r.log.maybeTerm(i);
      if (t !== c) {
        throw new SimViolation(`leader completeness: new leader ${node.id} of term ${r.term} has term ${String(t)} at index ${i}, committed there with term ${c} before term ${r.term}`);
      }
    }
  }

  onReady(node: SimNode, rd: Ready): void {
    for (let i = 1; i < rd.entries.length; i++) {
      if ((rd.entries[i] as Entry).index !== (rd.entries[i - 1] as Entry).index + 1) throw new SimViolation(`${node.id}: Ready.entries not contiguous`);
    }
    const first = rd.committedEntries[0];
    if (first !== undefined && first.index !== node.kv.appliedIndex + 1 && rd.snapshot === null) {
      throw new SimViolation(`${node.id}: committed entries start at ${first.index}, applied is ${node.kv.appliedIndex}`);
    }
  }

  /** Entries a node is about to write to its log. */
  onPersist(node: SimNode, entries: readonly Entry[]): void {
    let prevTerm: number | undefined = termOrUndefined(node, (entries[0] as Entry).index - 1);
    for (const e of entries) {
      const id = `${e.index}:${e.term}`;
      const key = entryKey(e);
      const seen = this.entries.get(id);
      if (seen === undefined) {
        this.entries.set(id, { key, prevTerm });
      } else {
        if (seen.key !== key) throw new SimViolation(`log matching: two different entries at index ${e.index} term ${e.term} (${node.id} wrote ${key}, before ${seen.key})`);
        if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm) {
          throw new SimViolation(`log matching: entry ${e.index}/${e.term} at ${node.id} follows term ${prevTerm}, elsewhere term ${seen.prevTerm}`);
        }
        if (seen.prevTerm === undefined && prevTerm !== undefined) this.entries.set(id, { key, prevTerm });
      }
      // A stale node may write junk at a committed index it never held. It may even replace
      // its copy of an entry committed later, on the word of a leader of a term before that
      // commit (a message delayed past the commit, as after a pause). What must never
      // happen is a node in the commit's term or later replacing the committed entry: its
      // leader would lack an entry committed before it.
      const c = this.committed[e.index];
      if (c !== undefined && c.term !== e.term && termOrUndefined(node, e.index) === c.term && this.atOrAfterCommit(node, e.index)) {
        throw new SimViolation(`committed entry lost: ${node.id} overwrote committed index ${e.index} (term ${c.term}) with term ${e.term}`);
      }
      prevTerm = e.term;
    }
  }

  onApply(node: SimNode, e: Entry): void {
    const key = entryKey(e);
    const c = this.committed[e.index];
    if (c === undefined) {
      this.committed[e.index] = { term: e.term, key };
      if (e.index > this.maxCommitted) this.maxCommitted = e.index;
    } else if (c.term !== e.term || c.key !== key) {
      throw new SimViolation(`state machine safety: ${node.id} applied ${key} (term ${e.term}) at index ${e.index}, another node applied ${c.key} (term ${c.term})`);
    }
  }

  /** A snapshot taken or installed must hold the state every node had at its index. */
  onSnapshot(node: SimNode, meta: SnapshotMeta, kv: KvMachine, installed: boolean): void {
    const digest = JSON.stringify([...kv.cells].sort(([a], [b]) => (a < b ? -1 : 1)));
    const seen = this.snapshotDigests.get(meta.index);
    if (seen === undefined) this.snapshotDigests.set(meta.index, digest);
    else if (seen !== digest) {
      throw new SimViolation(`state machine safety: ${node.id} ${installed ? 'installed' : 'took'} a snapshot at ${meta.index} that differs from another node's state there`);
    }
    const c = this.committed[meta.index];
    if (c !== undefined && c.term !== meta.term) throw new SimViolation(`snapshot ${meta.index} has term ${meta.term}, the committed entry there has term ${c.term}`);
  }

  /**
   * After a restart: everything the node had applied was durable (it is applied only
   * after its fsync), so the recovered log must still hold it, unchanged.
   */
  checkRecovered(node: SimNode, appliedBeforeCrash: number): void {
    const last = node.log.lastIndex();
    if (last < appliedBeforeCrash) throw new SimViolation(`committed entry lost: ${node.id} applied ${appliedBeforeCrash} but restarted with its log ending at ${last}`);
    for (let i = Math.max(1, node.log.firstIndex()); i <= appliedBeforeCrash; i++) {
      const c = this.committed[i];
      const t = node.log.term(i);
      if (c !== undefined && c.term !== t) throw new SimViolation(`committed entry lost: ${node.id} restarted with term ${t} at committed index ${i} (committed term ${c.term})`);
    }
  }
}

function termOrUndefined(node: SimNode, index: number): number | undefined {
  if (index < node.log.firstIndex() - 1 || index > node.log.lastIndex()) return undefined;
  return node.log.term(index);
}
