/**
 * The read taken after every fault healed, marked `final`: retried (each attempt is
 * recorded) until one is acknowledged or the deadline passes.
 */
import type { Redis } from 'ioredis';
import type { Json } from '../history.js';
import { Session, type WorkloadContext } from '../runner/clients.js';

export async function finalRead<R>(
  ctx: WorkloadContext,
  spec: { f: string; key: string },
  call: (client: Redis) => Promise<R>,
  toResult: (value: R) => Json,
  timeoutMs = 30_000,
): Promise<R | undefined> {
  const session = new Session(ctx);
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const recorded = await session.run({ ...spec, final: true }, call, toResult);
      if (recorded?.outcome === 'ok') return recorded.value;
    }
    return undefined;
  } finally {
    session.drop();
  }
}
