/**
 * Control traffic of the benchmark (RAFT LEADER, INFO, probes during failover) over the
 * kvd tests' minimal RESP2 client, with a timeout on every connect and command. No
 * reconnects, no retries, no HELLO/INFO on connect: every failure reaches the caller.
 * Replies are in its Wire shape: "+OK", "-ERR ...", ":1", "$bulk", null, arrays.
 */
import { RespClient } from '../../test/kvd/resp-client.js';
import type { Wire } from '../../test/kvd/wire.js';

export type { Wire };

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class RespConn {
  private constructor(private readonly client: RespClient) {}

  static async open(port: number, timeoutMs: number): Promise<RespConn> {
    const connecting = RespClient.connect(port);
    // A connect that loses the race must not leak its socket.
    const client = await withTimeout(connecting, timeoutMs, `connect to 127.0.0.1:${port}`, () => void connecting.then((c) => c.close(), () => {}));
    return new RespConn(client);
  }

  /** Sends a command; error replies resolve ("-ERR ..."); a timeout rejects and closes. */
  call(args: readonly string[], timeoutMs: number): Promise<Wire> {
    return withTimeout(this.client.send(args), timeoutMs, args[0] ?? 'command', () => this.close());
  }

  close(): void {
    this.client.close();
  }
}

/** One command on a fresh connection. */
export async function call(port: number, args: readonly string[], timeoutMs = 2000): Promise<Wire> {
  const conn = await RespConn.open(port, timeoutMs);
  try {
    return await conn.call(args, timeoutMs);
  } finally {
    conn.close();
  }
}

/** INFO [section] as a key -> value map. */
export async function info(port: number, section?: string, timeoutMs = 2000): Promise<Map<string, string>> {
  const reply = await call(port, section === undefined ? ['INFO'] : ['INFO', section], timeoutMs);
  if (typeof reply !== 'string' || !reply.startsWith('$')) throw new Error(`INFO answered ${JSON.stringify(reply)}`);
  const fields = new Map<string, string>();
  for (const line of reply.slice(1).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export function num(fields: Map<string, string>, key: string): number {
  const value = Number(fields.get(key));
  if (!Number.isFinite(value)) throw new Error(`INFO has no numeric ${key}`);
  return value;
}
