/**
 * Majority arithmetic over the voters (etcd's quorum/majority): the largest value that a
 * majority has reached, and the outcome of an election.
 */
import type { NodeId } from './types.js';

const scratch: number[] = [];

/**
 * The largest value v such that a majority of `voters` have value(id) >= v (0 when there
 * are no voters). Used for the commit index and for confirmed read rounds.
 */
export function majorityValue(voters: readonly NodeId[], value: (id: NodeId) => number): number {
  const n = voters.length;
  if (n === 0) return 0;
  scratch.length = n;
  for (let i = 0; i < n; i++) scratch[i] = value(voters[i] as NodeId);
  // Insertion sort, descending: n is tiny and this avoids allocating.
  for (let i = 1; i < n; i++) {
    const v = scratch[i] as number;
    let j = i - 1;
    while (j >= 0 && (scratch[j] as number) < v) {
      scratch[j + 1] = scratch[j] as number;
      j--;
    }
    scratch[j + 1] = v;
  }
  return scratch[Math.floor(n / 2)] as number;
}

export type VoteResult = 'won' | 'lost' | 'pending';

/** Counts only the voters' answers; anyone else's is ignored. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const quorum = Math.floor(voters.length / 2) + 1;
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  if (granted >= quorum) return 'won';
  if (rejected > voters.length - quorum) return 'lost';
  return 'pending';
}
