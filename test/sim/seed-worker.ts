/** A worker thread of run-seeds.ts: runs its share of seeds and posts each result. */
import { parentPort, workerData } from 'node:worker_threads';
import { runSimulation } from './simulator.js';

const { seeds, steps } = workerData as { seeds: number[]; steps: number };
for (const seed of seeds) {
  parentPort?.postMessage(runSimulation({ seed, steps }));
  // The storage twins settle promises (snapshot commits, compactions) that a simulation
  // never awaits; without a turn of the event loop between seeds their reactions pile up
  // in the microtask queue and hold every finished simulation's snapshots in memory.
  await new Promise((resolve) => setImmediate(resolve));
}
