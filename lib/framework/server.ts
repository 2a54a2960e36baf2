/**
 * The listener: one TCP (or TLS) port for clients and peers alike. It owns the set of
 * connections and enforces maxClients; what a command does is the router's business.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { ClientConnection, type ConnectionLimits, type ConnectionRouter } from './connection.js';
import { encodeReply } from '../resp/writer.js';
import { ReplyError } from '../resp/types.js';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  readonly limits: ConnectionLimits;
  readonly maxClients: number;
  readonly requireAuth: boolean;
  readonly log: Logger;
}

export class RespServer {
  readonly connections = new Set<ClientConnection>();
  private readonly server: Server;
  private totalConnections = 0;
  private rejectedConnections = 0;

  constructor(
    private readonly config: ServerConfig,
    private readonly router: ConnectionRouter,
  ) {
    const onSocket = (socket: Socket): void => this.accept(socket);
    // Half-open sockets: `printf 'SET a b\r\n' | nc -N` ends its side at once, and must
    // still get the reply of a command that waits for the log.
    this.server = config.tls
      ? createTlsServer({ cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile), allowHalfOpen: true }, onSocket)
      : createTcpServer({ allowHalfOpen: true }, onSocket);
  }

  get stats(): { total: number; rejected: number; current: number } {
    return { total: this.totalConnections, rejected: this.rejectedConnections, current: this.connections.size };
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('listener has no TCP address'));
          return;
        }
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** Stops accepting, closes every connection. */
  async close(): Promise<void> {
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of this.connections) conn.destroy();
    await closing;
  }

  private accept(socket: Socket): void {
    this.totalConnections++;
    if (this.connections.size >= this.config.maxClients) {
      this.rejectedConnections++;
      socket.end(encodeReply(new ReplyError('ERR max number of clients reached'), 2));
      return;
    }
    const router: ConnectionRouter = {
      dispatch: (conn, args) => this.router.dispatch(conn, args),
      inputEnded: (conn) => this.router.inputEnded(conn),
      closed: (conn) => {
        this.connections.delete(conn);
        this.router.closed(conn);
      },
    };
    const conn = new ClientConnection(socket, router, this.config.limits, this.config.requireAuth);
    this.connections.add(conn);
  }
}
