/**
 * Runs many simulator seeds, on worker threads when asked, and gathers the results in
 * seed order (so the output does not depend on scheduling).
 */
import { Worker } from 'node:worker_threads';
import { runSimulation, type SimResult } from './simulator.js';

export interface SeedRun {
  readonly start: number;
  readonly count: number;
  readonly steps: number;
  readonly workers: number;
  /** Called as each seed finishes (in completion order). */
  readonly onResult?: (result: SimResult) => void;
}

export interface SeedSummary {
  readonly results: SimResult[];
  readonly failures: SimResult[];
  readonly seconds: number;
}

export async function runSeeds(run: SeedRun): Promise<SeedSummary> {
  const started = performance.now();
  const results = run.workers <= 1 ? await runInline(run) : await runOnWorkers(run);
  results.sort((a, b) => a.seed - b.seed);
  return { results, failures: results.filter((r) => !r.ok), seconds: (performance.now() - started) / 1000 };
}

async function runInline(run: SeedRun): Promise<SimResult[]> {
  const out: SimResult[] = [];
  for (let seed = run.start; seed < run.start + run.count; seed++) {
    const r = runSimulation({ seed, steps: run.steps });
    run.onResult?.(r);
    out.push(r);
    // Let the promises a simulation left settled run their reactions (see seed-worker.ts).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

async function runOnWorkers(run: SeedRun): Promise<SimResult[]> {
  const out: SimResult[] = [];
  const here = import.meta.url;
  const workerUrl = new URL(here.endsWith('.ts') ? './seed-worker.ts' : './seed-worker.js', here);
  const workers = Math.min(run.workers, run.count);
  await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      new Promise<void>((resolve, reject) => {
        // Seeds are dealt round-robin so every worker gets a similar mix.
        const seeds: number[] = [];
        for (let s = run.start + w; s < run.start + run.count; s += workers) seeds.push(s);
        const worker = startWorker(workerUrl, { seeds, steps: run.steps });
        worker.on('message', (r: SimResult) => {
          run.onResult?.(r);
          out.push(r);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`simulator worker exited with code ${code}`))));
      }),
    ),
  );
  return out;
}

/**
 * Compiled, the worker is plain JS. Under tsx (running the sources) the worker thread does
 * not inherit the TypeScript loader, so a tiny bootstrap registers it first.
 */
function startWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
