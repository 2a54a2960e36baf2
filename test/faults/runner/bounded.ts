/**
 * A short fault run for the test files: output in a temporary directory that is removed
 * when the checkers pass, and kept (path and runner lines printed) when they do not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OPTIONS, type RunOptions, type WorkloadName } from './options.js';
import { runFaults, type RunResult } from './run.js';

export async function boundedRun(
  workload: WorkloadName,
  seed: number,
  loadS: number,
  overrides: Partial<RunOptions> = {},
  /** A run against a weakened server, where anomalies are the expected outcome: say nothing. */
  expectAnomalies = false,
): Promise<RunResult> {
  const out = mkdtempSync(join(tmpdir(), `respraft-faults-${workload}-`));
  const options: RunOptions = {
    ...DEFAULT_OPTIONS, workload, seed, timeS: loadS, out, workers: 6, faultMs: [1500, 4000], quietMs: [500, 2000],
    checkTimeMs: 60_000, keepFailed: !expectAnomalies, ...overrides,
  };
  const lines: string[] = [];
  const result = await runFaults(options, (line) => lines.push(line));
  if (result.summary.valid === true || expectAnomalies) rmSync(out, { recursive: true, force: true });
  else console.log(`# ${workload} run (seed ${seed}) kept in ${out}:\n${lines.map((l) => `#   ${l}`).join('\n')}`);
  return result;
}
