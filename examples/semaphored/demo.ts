/**
 * N workers contend for a counting semaphore; each prints its critical sections with
 * their fences. Exits 1 if more workers than the capacity were ever inside at once (as
 * seen by this process) or a fence was handed out twice.
 *
 *   npx tsx examples/semaphored/demo.ts --addr 127.0.0.1:11001 --workers 5 --capacity 2 --rounds 3
 *
 * Every flag also reads an environment variable (SEMAPHORED_DEMO_ADDR, ..._WORKERS, ...).
 * --rounds 0 runs until interrupted (for a Kubernetes Deployment).
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { SemaphoreClient, type Permit } from './client.js';

const FLAGS = {
  addr: '127.0.0.1:11001',
  key: 'demo',
  workers: '5',
  capacity: '2',
  rounds: '3',
  'work-ms': '200',
  'lease-ms': '5000',
  'timeout-ms': '30000',
  password: '',
} as const;
type Flag = keyof typeof FLAGS;

function readFlags(): Record<Flag, string> {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }])),
  });
  const flags = {} as Record<Flag, string>;
  for (const name of Object.keys(FLAGS) as Flag[]) {
    const env = process.env[`SEMAPHORED_DEMO_${name.toUpperCase().replace('-', '_')}`];
    flags[name] = (values[name] as string | undefined) ?? env ?? FLAGS[name];
  }
  return flags;
}

function positiveInt(flags: Record<Flag, string>, name: Flag, min = 1): number {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${flags[name]}`);
  return n;
}

async function main(): Promise<number> {
  const flags = readFlags();
  const [host, portText] = flags.addr.split(/:(?=\d+$)/);
  const workers = positiveInt(flags, 'workers');
  const capacity = positiveInt(flags, 'capacity');
  const rounds = positiveInt(flags, 'rounds', 0);
  const workMs = positiveInt(flags, 'work-ms', 0);
  const options = { timeoutMs: positiveInt(flags, 'timeout-ms', 0), leaseMs: positiveInt(flags, 'lease-ms') };
  const client = new SemaphoreClient({
    redis: { host: host ?? '127.0.0.1', port: Number(portText ?? 11001), password: flags.password || undefined },
  });
  await client.create(flags.key, capacity);
  const start = Date.now();
  const log = (text: string) => console.log(`${String(Date.now() - start).padStart(6)} ms  ${text}`);
  let inside = 0;
  let violations = 0;
  const fences = new Set<number>();

  const section = async (worker: number, round: number, permit: Permit): Promise<void> => {
    inside++;
    if (inside > capacity || fences.has(permit.fence)) violations++;
    fences.add(permit.fence);
    log(`worker ${worker} enters  round ${round}  fence ${permit.fence}  (${inside}/${capacity} inside)`);
    await sleep(Math.floor(workMs / 2 + Math.random() * workMs));
    if (permit.lost) log(`worker ${worker} LOST its permit (fence ${permit.fence}) while working`);
    inside--;
    log(`worker ${worker} leaves  round ${round}  fence ${permit.fence}`);
  };

  const worker = async (id: number): Promise<void> => {
    for (let round = 1; rounds === 0 || round <= rounds; round++) {
      await client.withPermit(flags.key, options, (permit) => section(id, round, permit));
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, (_, i) => worker(i + 1)));
  } finally {
    await client.close();
  }
  log(`done: ${fences.size} critical sections, ${violations} violations`);
  return violations === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
