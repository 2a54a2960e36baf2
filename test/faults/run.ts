/**
 * The fault suite's command line (issue 8):
 *   npx tsx test/faults/run.ts --workload register --time 60 --nemesis all
 * Options in runner/options.ts. Exit code: 0 PASS, 1 FAIL (anomalies), 2 undecided,
 * 3 the run itself broke.
 */
import { parseRunArgs } from './runner/options.js';
import { runFaults } from './runner/run.js';

async function main(): Promise<number> {
  const options = parseRunArgs(process.argv.slice(2));
  const { summary } = await runFaults(options);
  return summary.valid === true ? 0 : summary.valid === false ? 1 : 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(3);
  },
);
