/**
 * A brand-new node given a configuration (and nothing on disk) writes that configuration
 * into its log as committed ConfChange entries at term 1, as etcd's Bootstrap does. Every
 * member bootstrapped with the same configuration gets an identical log, and a node that
 * joins later learns the initial members from the log like any other change.
 */
import { encodeConfChange } from './conf-change-codec.js';
import { EntryKind, type ConfState, type Entry } from './types.js';

export function bootstrapEntries(conf: ConfState): Entry[] {
  const changes = [
    ...conf.voters.map((m) => ({ op: 'addVoter' as const, id: m.id, addr: m.addr })),
    ...conf.learners.map((m) => ({ op: 'addLearner' as const, id: m.id, addr: m.addr })),
  ];
  return changes.map((c, i) => ({ index: i + 1, term: 1, kind: EntryKind.ConfChange, data: encodeConfChange(c) }));
}
