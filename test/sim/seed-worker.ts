/** A worker thread of run-seeds.ts: runs its share of seeds and posts each result. */
import { parentPort, workerData } from 'node:worker_threads';
import { runSimulation } from './simulator.js';

const { seeds, steps } = workerData as { seeds: number[]; steps: number };
for (const seed of seeds) parentPort?.postMessage(runSimulation({ seed, steps }));
