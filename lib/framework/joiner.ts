/**
 * A new node started with -j: it asks a member to add it (RAFT JOIN id addr, which the
 * member forwards to the leader) and retries until the node sees itself as a voter in
 * its own log. -MOVED replies (a cluster in redirect mode) are followed.
 */
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Logger } from 'pino';
import { ReplyReader, decodeReply } from '../resp/reply-reader.js';
import { ReplyError, type Reply } from '../resp/types.js';
import { respCommand } from '../transport/peer-link.js';
import { parseHostPort } from './options.js';

export interface JoinerConfig {
  readonly id: string;
  readonly advertise: string;
  readonly target: string;
  readonly secret: string | null;
  readonly auth: string | null;
  readonly tls: boolean;
  readonly retryMs: number;
  isVoter(): boolean;
  readonly log: Logger;
}

/** Sends commands on a fresh connection and returns the last one's reply. */
export function requestOnce(addr: string, commands: readonly (readonly string[])[], tls: boolean, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { host, port } = parseHostPort(addr, 'address');
    const socket = tls ? connectTls({ host, port, rejectUnauthorized: false }) : connectTcp({ host, port });
    const reader = new ReplyReader();
    const replies: Reply[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply from ${addr} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (chunk: Buffer) => {
      const error = reader.push(chunk, (raw) => replies.push(decodeReply(raw)));
      if (error !== null || replies.length === commands.length) {
        clearTimeout(timer);
        socket.destroy();
        if (error !== null) reject(error);
        else resolve(replies[replies.length - 1] ?? null);
      }
    });
    socket.write(Buffer.concat(commands.map((c) => respCommand(c))));
  });
}

export class Joiner {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private target: string;
  private attempts = 0;

  constructor(private readonly config: JoinerConfig) {
    this.target = config.target;
  }

  start(): void {
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    if (this.config.isVoter()) {
      this.config.log.info('joined the cluster');
      return;
    }
    this.attempts++;
    const commands: string[][] = [];
    if (this.config.auth !== null) commands.push(['AUTH', this.config.auth]);
    commands.push(['RAFT', 'JOIN', this.config.id, this.config.advertise]);
    try {
      // A join waits for the catch-up and promotion on the leader: allow it time.
      const reply = await requestOnce(this.target, commands, this.config.tls, 60_000);
      if (reply instanceof ReplyError) this.onError(reply);
      else this.config.log.info({ via: this.target, attempts: this.attempts }, 'join accepted');
    } catch (err) {
      this.config.log.warn({ via: this.target, err: (err as Error).message }, 'join attempt failed; retrying');
    }
    if (!this.stopped && !this.config.isVoter()) {
      this.timer = setTimeout(() => void this.attempt(), this.config.retryMs);
    }
  }

  private onError(error: ReplyError): void {
    if (error.code === 'MOVED') {
      const addr = error.message.split(' ')[2];
      if (addr !== undefined) this.target = addr;
    }
    this.config.log.warn({ via: this.target, reply: error.message }, 'join refused for now; retrying');
  }
}
