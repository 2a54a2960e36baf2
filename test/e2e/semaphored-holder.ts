/**
 * A worker process for the semaphored end-to-end tests: a real client (the client module)
 * that acquires one permit and holds it, renewing its lease, until told otherwise. A test
 * can kill -9 it or stop it with SIGSTOP while it holds.
 *
 *   node --import tsx test/e2e/semaphored-holder.ts PORT KEY LEASE_MS ID
 *
 * It talks JSON lines. Out (stdout): {"event":"granted","fence":N}, {"event":"lost","reason":..},
 * {"event":"check","valid":bool}, {"event":"released","released":bool}, {"event":"error",..}.
 * In (stdin): "check" (SEM.CHECK of its fence, asked by this worker itself) and "release".
 */
import { createInterface } from 'node:readline';
import { SemaphoreClient, type Permit } from '../../examples/semaphored/client.js';

function say(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

async function main(): Promise<void> {
  const [port, key, leaseMs, id] = process.argv.slice(2);
  if (port === undefined || key === undefined || leaseMs === undefined || id === undefined) {
    throw new Error('usage: semaphored-holder.ts PORT KEY LEASE_MS ID');
  }
  const client = new SemaphoreClient({ redis: { host: '127.0.0.1', port: Number(port) } });
  const permit: Permit | null = await client.acquire(key, {
    leaseMs: Number(leaseMs),
    id,
    onLost: (error) => say('lost', { reason: error.message }),
  });
  if (permit === null) throw new Error(`acquire of ${key} answered null`);
  say('granted', { fence: permit.fence });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'check') say('check', { valid: await permit.check() });
    if (line === 'release') {
      say('released', { released: await permit.release() });
      break;
    }
  }
  await client.close();
}

main().catch((error: unknown) => {
  say('error', { message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});
