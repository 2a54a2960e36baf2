/**
 * The in-memory twin of the transport: transports registered on one MemoryNetwork deliver
 * messages to each other asynchronously (next macrotask), through the same codec as TCP
 * so anything that would not survive the wire fails here too. Links can be cut to
 * partition nodes in tests.
 */
import type { Message, NodeId } from '../raft/core/types.js';
import { createMessageDecoder, encodeMessage } from './message-codec.js';
import type { PeerStats, Transport } from './types.js';

export class MemoryNetwork {
  readonly nodes = new Map<NodeId, MemoryTransport>();
  private readonly cut = new Set<string>();
  readonly decode = createMessageDecoder(64 * 1024 * 1024);

  transport(id: NodeId): MemoryTransport {
    const t = new MemoryTransport(id, this);
    this.nodes.set(id, t);
    return t;
  }

  /** Drops messages from a to b (one direction). */
  disconnect(a: NodeId, b: NodeId): void {
    this.cut.add(`${a}\u0000${b}`);
  }

  reconnect(a: NodeId, b: NodeId): void {
    this.cut.delete(`${a}\u0000${b}`);
  }

  /** Cuts every link to and from id. */
  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.disconnect(id, other);
      this.disconnect(other, id);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  deliver(message: Message): boolean {
    if (this.cut.has(`${message.from}\u0000${message.to}`)) return false;
    const target = this.nodes.get(message.to);
    if (target === undefined) return false;
    const decoded = this.decode(encodeMessage(message));
    setImmediate(() => target.receive(decoded));
    return true;
  }
}

export class MemoryTransport implements Transport {
  private handler: ((message: Message) => void) | null = null;
  private peers = new Map<NodeId, string>();
  private sent = 0;
  private dropped = 0;
  private closed = false;

  constructor(
    readonly id: NodeId,
    private readonly network: MemoryNetwork,
  ) {}

  send(messages: readonly Message[]): void {
    if (this.closed) return;
    for (const m of messages) {
      if (!this.peers.has(m.to)) continue;
      if (this.network.deliver(m)) this.sent++;
      else this.dropped++;
    }
  }

  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    this.peers = new Map(peers);
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  receive(message: Message): void {
    if (!this.closed) this.handler?.(message);
  }

  stats(): ReadonlyMap<NodeId, PeerStats> {
    return new Map(
      [...this.peers].map(([id, addr]) => [
        id,
        { addr, connected: true, queuedMessages: 0, queuedBytes: 0, sentMessages: this.sent, droppedMessages: this.dropped, reconnects: 0 },
      ]),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.network.nodes.delete(this.id);
  }
}
