/**
 * The cluster configuration as this node sees it.
 *
 * Semantics (Raft paper section 6 and Ongaro's dissertation 4.1): a configuration takes
 * effect as soon as its entry is APPENDED to a node's log, committed or not; every node
 * uses the latest configuration in its log. So a conflicting suffix that is truncated
 * takes its configurations with it, and the node reverts to the previous one: we keep
 * the changes after the last committed one to make that cheap. Restarts rebuild the
 * configuration from the snapshot's (or bootstrap) configuration plus the ConfChange
 * entries in the log.
 *
 * Learners receive the log but never campaign, and no candidate counts their votes (a
 * candidate counts only the voters of its own configuration). A node still answers vote
 * requests whatever role it believes it has: it may have been promoted by an entry it
 * has not received yet, and refusing could stall an election that needs it.
 */
import { decodeConfChange } from './conf-change-codec.js';
import { EntryKind, type ConfChange, type ConfState, type Entry, type Member, type NodeId } from './types.js';

interface Versioned {
  readonly index: number;
  readonly conf: ConfState;
}

export const EMPTY_CONF: ConfState = { voters: [], learners: [] };

export class Membership {
  private base: Versioned;
  /** Configurations from entries after `base.index`, ascending by index. */
  private changes: Versioned[] = [];
  conf: ConfState = EMPTY_CONF;
  voterIds: NodeId[] = [];
  private voterSet = new Set<NodeId>();
  private learnerSet = new Set<NodeId>();

  constructor(index: number, conf: ConfState) {
    this.base = { index, conf };
    this.refresh();
  }

  isVoter(id: NodeId): boolean {
    return this.voterSet.has(id);
  }

  isLearner(id: NodeId): boolean {
    return this.learnerSet.has(id);
  }

  isMember(id: NodeId): boolean {
    return this.voterSet.has(id) || this.learnerSet.has(id);
  }

  /** Every member but `self` (who the leader replicates to). */
  others(self: NodeId): NodeId[] {
    const out: NodeId[] = [];
    for (const m of this.conf.voters) if (m.id !== self) out.push(m.id);
    for (const m of this.conf.learners) if (m.id !== self) out.push(m.id);
    return out;
  }

  /** Index of the entry that made the current configuration (the base's index if none). */
  currentIndex(): number {
    const last = this.changes[this.changes.length - 1];
    return last === undefined ? this.base.index : last.index;
  }

  /** Applies the ConfChange entries among `entries` (already appended to the log). */
  onAppend(entries: readonly Entry[]): boolean {
    const first = entries[0];
    if (first === undefined) return false;
    let changed = this.truncateFrom(first.index);
    for (const e of entries) {
      if (e.kind !== EntryKind.ConfChange) continue;
      this.changes.push({ index: e.index, conf: applyChange(this.conf, decodeConfChange(e.data)) });
      this.refresh();
      changed = true;
    }
    return changed;
  }

  /** Forgets configurations from entries at index >= `index` (a truncated suffix). */
  private truncateFrom(index: number): boolean {
    let changed = false;
    while (this.changes.length > 0 && (this.changes[this.changes.length - 1] as Versioned).index >= index) {
      this.changes.pop();
      changed = true;
    }
    if (changed) this.refresh();
    return changed;
  }

  /** Entries up to `committed` can never be truncated: fold their configurations into the base. */
  compactTo(committed: number): void {
    while (this.changes.length > 0 && (this.changes[0] as Versioned).index <= committed) {
      this.base = this.changes.shift() as Versioned;
    }
  }

  /** Replaces everything, as when a snapshot is installed. */
  reset(index: number, conf: ConfState): void {
    this.base = { index, conf };
    this.changes = [];
    this.refresh();
  }

  private refresh(): void {
    const last = this.changes[this.changes.length - 1];
    this.conf = last === undefined ? this.base.conf : last.conf;
    this.voterIds = this.conf.voters.map((m) => m.id);
    this.voterSet = new Set(this.voterIds);
    this.learnerSet = new Set(this.conf.learners.map((m) => m.id));
  }
}

/** Why `change` cannot be proposed against `conf`, or null when it can. */
export function validateChange(conf: ConfState, change: ConfChange): string | null {
  const voter = conf.voters.some((m) => m.id === change.id);
  const learner = conf.learners.some((m) => m.id === change.id);
  switch (change.op) {
    case 'addLearner':
    case 'addVoter':
      if (change.addr === '') return `${change.op} needs an address`;
      if (voter || learner) return `${change.id} is already a member`;
      return null;
    case 'promote':
      return learner ? null : `${change.id} is not a learner`;
    case 'remove':
      if (!voter && !learner) return `${change.id} is not a member`;
      if (voter && conf.voters.length === 1) return 'cannot remove the last voter';
      return null;
  }
}

/**
 * The configuration after `change`. Entries in the log were validated by the leader that
 * wrote them; applying is still total (an impossible change is a no-op) so that replay
 * can never fail.
 */
export function applyChange(conf: ConfState, change: ConfChange): ConfState {
  const voters = conf.voters.filter((m) => m.id !== change.id);
  const learners = conf.learners.filter((m) => m.id !== change.id);
  const existing = [...conf.voters, ...conf.learners].find((m) => m.id === change.id);
  const member: Member = { id: change.id, addr: change.addr !== '' ? change.addr : (existing?.addr ?? '') };
  switch (change.op) {
    case 'addLearner':
      if (existing !== undefined) return conf;
      return { voters, learners: [...learners, member] };
    case 'addVoter':
      return { voters: [...voters, member], learners };
    case 'promote':
      if (existing === undefined) return conf;
      return { voters: [...voters, { id: change.id, addr: existing.addr }], learners };
    case 'remove':
      return { voters, learners };
  }
}
