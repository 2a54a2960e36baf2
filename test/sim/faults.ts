/**
 * The adversary and the operator: crashes (with torn log tails) and restarts, pauses,
 * symmetric and one-way partitions, leadership transfers and membership changes, all
 * drawn from the seed. The profile itself is drawn per seed, so some runs are calm and
 * others are storms.
 */
import type { ConfChange, NodeId } from '../../lib/raft/core/types.js';
import type { Rng } from '../../lib/util/rng.js';
import type { SimNode } from './sim-node.js';

export interface FaultProfile {
  readonly crashRate: number;
  /** Chance a crash keeps a torn prefix of the unsynced writes. */
  readonly tornRate: number;
  readonly pauseRate: number;
  readonly partitionRate: number;
  readonly transferRate: number;
  readonly confChangeRate: number;
  /** Chance that a newly elected leader crashes within a few ticks (Figure 8 territory). */
  readonly leaderCrashRate: number;
  /** Chance, each time a leader's commit index moves, that it crashes right then. */
  readonly commitCrashRate: number;
  readonly maxNodes: number;
}

export function drawFaultProfile(rng: Rng): FaultProfile {
  const storm = rng.chance(0.3);
  return {
    crashRate: storm ? 0.02 : rng.float() * 0.008,
    tornRate: rng.float(),
    pauseRate: rng.float() * (storm ? 0.02 : 0.005),
    partitionRate: rng.float() * (storm ? 0.03 : 0.01),
    transferRate: rng.float() * 0.01,
    confChangeRate: rng.float() * 0.02,
    leaderCrashRate: rng.chance(0.5) ? rng.float() * 0.5 : 0,
    commitCrashRate: rng.chance(0.5) ? rng.float() * 0.05 : 0,
    maxNodes: rng.range(4, 8),
  };
}

/** What the fault injector may do to the simulation. */
export interface FaultTarget {
  readonly step: number;
  liveNodes(): SimNode[];
  allNodes(): SimNode[];
  leader(): SimNode | null;
  crash(node: SimNode, keepUnsynced: number, restartAfterSteps: number | null): void;
  pause(node: SimNode, steps: number): void;
  partition(a: NodeId[], b: NodeId[], oneWay: boolean, steps: number): void;
  addNode(id: NodeId): SimNode;
  /** Runs `fn` after `units` of simulated time (a tick is 10). */
  later(units: number, fn: () => void): void;
  trace(line: string): void;
}

export class Faults {
  private nextNodeId: number;
  confChanges = 0;
  transfers = 0;
  crashes = 0;

  constructor(
    private readonly rng: Rng,
    readonly profile: FaultProfile,
    initialNodes: number,
  ) {
    this.nextNodeId = initialNodes + 1;
  }

  newNodeId(): NodeId {
    return `n${this.nextNodeId++}`;
  }

  atStep(t: FaultTarget): void {
    const p = this.profile;
    const rng = this.rng;
    const live = t.liveNodes();
    if (rng.chance(p.crashRate) && live.length > 0) {
      const victim = live[rng.int(live.length)] as SimNode;
      const keep = rng.chance(p.tornRate) ? rng.int(victim.log.unsyncedEntries() + 1) : 0;
      this.crashes++;
      t.crash(victim, keep, rng.range(3, 60));
    }
    if (rng.chance(p.pauseRate) && live.length > 0) t.pause(live[rng.int(live.length)] as SimNode, rng.range(2, 40));
    if (rng.chance(p.partitionRate)) this.partition(t);
    if (rng.chance(p.transferRate)) this.transfer(t);
    if (rng.chance(p.confChangeRate)) this.changeMembership(t);
  }

  /** A new leader was elected: maybe crash it before it gets far. */
  onNewLeader(t: FaultTarget, leader: SimNode): void {
    if (!this.rng.chance(this.profile.leaderCrashRate)) return;
    const keep = this.rng.chance(this.profile.tornRate) ? 1 + this.rng.int(3) : 0;
    const restartAfter = this.rng.range(2, 30);
    t.later(this.rng.range(1, 40), () => {
      this.crashes++;
      t.crash(leader, Math.min(keep, leader.log.unsyncedEntries()), restartAfter);
    });
  }

  /** A leader's commit index moved: maybe crash it before it tells anyone. */
  onLeaderCommit(t: FaultTarget, leader: SimNode): void {
    if (!this.rng.chance(this.profile.commitCrashRate)) return;
    const restartAfter = this.rng.range(2, 30);
    t.later(this.rng.range(1, 5), () => {
      this.crashes++;
      t.crash(leader, 0, restartAfter);
    });
  }

  private partition(t: FaultTarget): void {
    const ids = t.allNodes().filter((n) => !n.retired).map((n) => n.id);
    if (ids.length < 2) return;
    const steps = this.rng.range(5, 80);
    const kind = this.rng.int(3);
    if (kind === 0) {
      const victim = ids[this.rng.int(ids.length)] as NodeId;
      t.partition([victim], ids.filter((id) => id !== victim), false, steps);
    } else if (kind === 1) {
      const a = ids.filter(() => this.rng.chance(0.5));
      t.partition(a, ids.filter((id) => !a.includes(id)), false, steps);
    } else {
      const from = ids[this.rng.int(ids.length)] as NodeId;
      const to = ids.filter((id) => id !== from && this.rng.chance(0.5));
      t.partition([from], to, true, steps);
    }
  }

  private transfer(t: FaultTarget): void {
    const leader = t.leader();
    if (leader === null) return;
    const voters = leader.core?.raft.membership.voterIds.filter((id) => id !== leader.id) ?? [];
    const target = voters.length === 0 || this.rng.chance(0.3) ? null : (voters[this.rng.int(voters.length)] as NodeId);
    const res = leader.withCore((c) => c.transferLeadership(target));
    this.transfers++;
    t.trace(`transfer ${leader.id} -> ${target ?? 'any'}: ${res?.ok === true ? 'ok' : (res?.ok === false ? res.reason : 'down')}`);
  }

  private changeMembership(t: FaultTarget): void {
    const leader = t.leader();
    const raft = leader?.core?.raft;
    if (leader === null || raft === undefined) return;
    const conf = raft.membership.conf;
    const voters = conf.voters.map((m) => m.id);
    const learners = conf.learners.map((m) => m.id);
    const total = t.allNodes().filter((n) => !n.retired).length;
    const options: (() => ConfChange | null)[] = [];
    if (total < this.profile.maxNodes) options.push(() => ({ op: 'addLearner', id: this.newNodeId(), addr: 'sim' }));
    if (learners.length > 0) options.push(() => ({ op: 'promote', id: learners[this.rng.int(learners.length)] as NodeId, addr: '' }));
    if (voters.length > 2) options.push(() => ({ op: 'remove', id: voters[this.rng.int(voters.length)] as NodeId, addr: '' }));
    if (learners.length > 0) options.push(() => ({ op: 'remove', id: learners[this.rng.int(learners.length)] as NodeId, addr: '' }));
    if (options.length === 0) return;
    const change = (options[this.rng.int(options.length)] as () => ConfChange)();
    if (change === null) return;
    const res = leader.withCore((c) => c.proposeConfChange(change));
    t.trace(`conf change at ${leader.id}: ${change.op} ${change.id}: ${res?.ok === true ? `ok at ${res.index}` : (res?.ok === false ? `${res.reason} ${res.detail ?? ''}` : 'down')}`);
    if (res?.ok !== true) return;
    this.confChanges++;
    if (change.op === 'addLearner') t.addNode(change.id);
  }
}
