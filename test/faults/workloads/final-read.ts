/**
 * The reads taken after every fault healed, marked `final`: one through every member
 * (each node answers from its own state machine after a ReadIndex, so a replica that
 * diverged shows up as a lost or stale value), each retried (every attempt recorded)
 * until acknowledged or the deadline passes.
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
): Promise<void> {
  for (const node of ctx.cluster.members) {
    const session = new Session(ctx, node);
    const deadline = Date.now() + timeoutMs;
    try {
      while (Date.now() < deadline) {
        const recorded = await session.run({ ...spec, final: true }, call, toResult);
        if (recorded?.outcome === 'ok') break;
      }
    } finally {
      session.drop();
    }
  }
}
