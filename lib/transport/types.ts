/**
 * How Raft messages travel between nodes. The TCP transport carries them as RESP
 * commands on the client port (RAFT.PEER to authenticate, then one-way RAFT.MSG); the
 * in-memory twin connects transports inside one process for tests.
 */
import type { Message, NodeId } from '../raft/core/types.js';

export interface Transport {
  /** Queues messages to their `to` nodes; never blocks, drops when a peer's queue is full. */
  send(messages: readonly Message[]): void;
  /** The current members' addresses (from the Raft configuration); unknown peers are dropped. */
  setPeers(peers: ReadonlyMap<NodeId, string>): void;
  /** Registers the receiver of inbound messages. */
  onMessage(handler: (message: Message) => void): void;
  /** Per-peer counters, for INFO raft and metrics. */
  stats(): ReadonlyMap<NodeId, PeerStats>;
  close(): Promise<void>;
}

export interface PeerStats {
  readonly addr: string;
  readonly connected: boolean;
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  readonly sentMessages: number;
  readonly droppedMessages: number;
  readonly reconnects: number;
}
