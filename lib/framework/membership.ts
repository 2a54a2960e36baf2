/**
 * Membership changes on the leader, one server at a time: a joining server is added as
 * a learner, receives the log (or a snapshot), and is promoted to voter once it is within
 * promoteLagEntries of the leader, so adding a server never costs availability. Removing
 * the leader hands leadership over first. Leadership transfer waits until it took place.
 */
import type { Logger } from 'pino';
import type { ConfChange, ConfState, Member, ProposeResult } from '../raft/core/types.js';
import type { RaftDriver } from '../raft/driver.js';
import type { Replicator } from './replicator.js';
import type { NodeOptions } from './options.js';
import { ReplyError } from '../resp/types.js';

export class MembershipError extends ReplyError {}

const POLL_MS = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function findMember(conf: ConfState, id: string): { member: Member; voter: boolean } | null {
  const voter = conf.voters.find((m) => m.id === id);
  if (voter !== undefined) return { member: voter, voter: true };
  const learner = conf.learners.find((m) => m.id === id);
  return learner === undefined ? null : { member: learner, voter: false };
}

export class Membership<D> {
  constructor(
    private readonly options: NodeOptions,
    private readonly driver: RaftDriver,
    private readonly replicator: Replicator<D>,
    private readonly log: Logger,
  ) {}

  conf(): ConfState {
    return this.driver.core.status().conf;
  }

  /**
   * Adds `id` at `addr` (a learner first) and, unless learnerOnly, promotes it once it
   * has caught up. Idempotent: a retried join of a member finishes what is missing.
   */
  async add(id: string, addr: string, learnerOnly: boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let found = findMember(this.conf(), id);
    if (found !== null && found.member.addr !== addr) {
      throw new MembershipError(`ERR server '${id}' is already a member at ${found.member.addr}; remove it first to change its address`);
    }
    if (found === null) {
      await this.change({ op: 'addLearner', id, addr }, deadline);
      this.log.info({ id, addr }, 'added a learner');
      found = findMember(this.conf(), id);
    }
    if (learnerOnly || found?.voter === true) return;
    await this.waitCaughtUp(id, deadline);
    await this.change({ op: 'promote', id, addr }, deadline);
    this.log.info({ id, addr }, 'promoted a learner to voter');
  }

  /** Removes a member other than this leader (the caller handles removing the leader). */
  async remove(id: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    if (findMember(this.conf(), id) === null) throw new MembershipError(`ERR no such server '${id}'`);
    await this.change({ op: 'remove', id, addr: '' }, deadline);
    this.log.info({ id }, 'removed a server');
  }

  /** Hands leadership to `id` (or the best voter) and waits until another node leads. */
  async transfer(id: string | null, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    if (id !== null && id !== this.options.id && findMember(this.conf(), id)?.voter !== true) {
      throw new MembershipError(`ERR server '${id}' is not a voter`);
    }
    const result = this.driver.withCore((core) => core.transferLeadership(id));
    if (!result.ok) throw refusal(result);
    while (Date.now() < deadline) {
      const leader = this.replicator.leaderId;
      if (leader !== null && leader !== this.options.id) return leader;
      await sleep(POLL_MS);
    }
    throw new MembershipError('TRYAGAIN leadership transfer did not complete in time');
  }

  private async waitCaughtUp(id: string, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      if (!this.replicator.isLeader) throw new MembershipError('TRYAGAIN leadership changed during the join; retry');
      const status = this.driver.core.status();
      const progress = status.progress?.get(id);
      if (progress !== undefined && progress.match + this.options.promoteLagEntries >= status.lastIndex && progress.match > 0) return;
      await sleep(POLL_MS);
    }
    throw new MembershipError(`TRYAGAIN server '${id}' has not caught up yet; retry to finish its promotion`);
  }

  /** Proposes a change, retrying while another is in flight, and waits for it to apply. */
  private async change(cc: ConfChange, deadline: number): Promise<void> {
    for (;;) {
      if (!this.replicator.isLeader) throw new MembershipError('TRYAGAIN this node is no longer the leader; retry');
      const result = this.driver.withCore((core) => core.proposeConfChange(cc));
      if (result.ok) {
        const applied = await this.replicator.waitApplied(result.index, Math.max(0, deadline - Date.now()));
        if (!applied) throw new MembershipError('UNCERTAIN the membership change was not applied in time; check RAFT SERVER LIST');
        if (!this.took(cc)) throw new MembershipError('TRYAGAIN the membership change was lost in a leadership change; retry');
        return;
      }
      if (result.reason !== 'confChangeInProgress' || Date.now() >= deadline) throw refusal(result);
      await sleep(POLL_MS);
    }
  }

  private took(cc: ConfChange): boolean {
    const found = findMember(this.conf(), cc.id);
    switch (cc.op) {
      case 'remove':
        return found === null;
      case 'addLearner':
        return found !== null;
      case 'promote':
      case 'addVoter':
        return found?.voter === true;
    }
  }
}

function refusal(result: Exclude<ProposeResult, { ok: true }>): MembershipError {
  switch (result.reason) {
    case 'notLeader':
      return new MembershipError('TRYAGAIN this node is not the leader');
    case 'transferring':
      return new MembershipError('TRYAGAIN leadership transfer in progress');
    case 'confChangeInProgress':
      return new MembershipError('TRYAGAIN another membership change is in progress');
    case 'invalid':
      return new MembershipError(`ERR ${result.detail ?? 'invalid membership change'}`);
  }
}
