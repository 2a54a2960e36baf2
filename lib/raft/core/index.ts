/**
 * The pure Raft core. Create a node with createRaftNode(config) and drive it as the
 * Ready contract in types.ts says. See raw-node.ts for the API and raft.ts for the
 * protocol; membership.ts documents the configuration-change semantics.
 */
import { RawNode } from './raw-node.js';
import type { RaftConfig, RaftNode } from './types.js';

export * from './types.js';
export { encodeConfChange, decodeConfChange } from './conf-change-codec.js';
export { bootstrapEntries } from './bootstrap.js';
export { RawNode } from './raw-node.js';

export function createRaftNode(config: RaftConfig): RaftNode {
  return new RawNode(config);
}
