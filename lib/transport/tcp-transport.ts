/**
 * The TCP transport: one PeerLink per other member for outbound messages; inbound
 * messages arrive through the RESP server (RAFT.MSG on an authenticated peer
 * connection) and are handed to receive().
 */
import type { Logger } from 'pino';
import type { Message, NodeId } from '../raft/core/types.js';
import { encodeMessage, createMessageDecoder } from './message-codec.js';
import { PeerLink, type PeerLinkConfig } from './peer-link.js';
import type { PeerStats, Transport } from './types.js';

export interface TcpTransportConfig extends Omit<PeerLinkConfig, 'log'> {
  readonly maxMessageBytes: number;
  readonly log: Logger;
}

export class TcpTransport implements Transport {
  private readonly links = new Map<NodeId, PeerLink>();
  private confPeers: ReadonlyMap<NodeId, string> = new Map();
  /**
   * Addresses peers told us in their handshake. A node that is joining knows nobody from
   * its (empty) log yet, but must answer the leader: it learns the leader's address here.
   */
  private readonly learned = new Map<NodeId, string>();
  private handler: ((message: Message) => void) | null = null;
  private readonly decode: (bytes: Uint8Array) => Message;
  private closed = false;

  constructor(private readonly config: TcpTransportConfig) {
    this.decode = createMessageDecoder(config.maxMessageBytes);
  }

  send(messages: readonly Message[]): void {
    for (const message of messages) {
      const link = this.links.get(message.to);
      if (link === undefined) continue;
      link.enqueue(encodeMessage(message));
    }
  }

  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    this.confPeers = peers;
    this.refreshLinks();
  }

  /** A peer proved the cluster secret and told us its address. */
  learnPeer(id: NodeId, addr: string): void {
    if (id === this.config.selfId || this.learned.get(id) === addr) return;
    this.learned.set(id, addr);
    this.refreshLinks();
  }

  private refreshLinks(): void {
    if (this.closed) return;
    const peers = new Map(this.learned);
    for (const [id, addr] of this.confPeers) peers.set(id, addr);
    for (const [id, link] of this.links) {
      if (!peers.has(id)) {
        link.close();
        this.links.delete(id);
      }
    }
    for (const [id, addr] of peers) {
      if (id === this.config.selfId) continue;
      const link = this.links.get(id);
      if (link === undefined) this.links.set(id, new PeerLink(id, addr, { ...this.config, log: this.config.log }));
      else link.setAddress(addr);
    }
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  /**
   * An inbound RAFT.MSG payload from an authenticated peer connection. Throws
   * MessageFormatError for garbage, and the caller drops that connection.
   */
  receive(payload: Uint8Array, fromPeer: string): void {
    const message = this.decode(payload);
    if (message.from !== fromPeer) {
      throw new Error(`peer '${fromPeer}' sent a message claiming to be from '${message.from}'`);
    }
    if (message.to !== this.config.selfId) return;
    this.handler?.(message);
  }

  stats(): ReadonlyMap<NodeId, PeerStats> {
    return new Map([...this.links].map(([id, link]) => [id, link.stats()]));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }
}
