/**
 * The pods run the compiled server, as the image does (node dist/bin/<app>.js). A missing
 * or stale build would test old code, so the test stops with the fix instead.
 */
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './objects.js';
import type { StatefulSetSim } from './statefulset-sim.js';

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why dist/bin/<app>.js cannot be used, or undefined when it is built and current. */
export function serverBuildProblem(app = 'kvd'): string | undefined {
  const launcher = join(REPO_ROOT, 'dist', 'bin', `${app}.js`);
  if (!existsSync(launcher)) return `${launcher} is missing: run \`npm run build\` first`;
  const built = statSync(launcher).mtimeMs;
  const sources = Math.max(...['lib', 'bin', 'examples'].map((d) => newestSourceMs(join(REPO_ROOT, d))));
  if (sources > built) return `dist/ is older than the sources: run \`npm run build\` first`;
  return undefined;
}

/**
 * Env for pod i's next start that makes its server die mid-join (crash-mid-join.mjs
 * in place of the launcher): the start-up script runs for real, the join never finishes.
 */
export function crashMidJoinEnv(sim: StatefulSetSim, i: number): Record<string, string> {
  const home = join(sim.volumeDir(i), '..', `crash-app-${i}`);
  mkdirSync(join(home, 'dist', 'bin'), { recursive: true });
  const launcher = join(home, 'dist', 'bin', `${sim.spec.env.APP}.js`);
  if (!existsSync(launcher)) symlinkSync(fileURLToPath(new URL('./crash-mid-join.mjs', import.meta.url)), launcher);
  return {
    APP_HOME: home,
    CRASH_REAL_LAUNCHER: join(sim.appHome(), 'dist', 'bin', `${sim.spec.env.APP}.js`),
    CRASH_JOIN_TO: '127.0.0.1:1',
  };
}
