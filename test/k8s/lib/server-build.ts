/**
 * The pods run the compiled server, as the image does (node dist/bin/<app>.js). A missing
 * or stale build would test old code, so the test stops with the fix instead.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';
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
 * Leaves pod i's volume as a container killed during its join leaves it: the real server
 * started with --join towards a port where nothing listens (on 127.0.0.1), killed once its
 * data dir exists.
 */
export async function interruptedJoin(sim: StatefulSetSim, i: number): Promise<void> {
  const env = sim.env(i);
  const dataDir = env.DATA_DIR as string;
  const [listen, nobody] = await freePorts(2);
  mkdirSync(sim.volumeDir(i), { recursive: true });
  const launcher = join(env.APP_HOME as string, 'dist', 'bin', `${String(env.APP)}.js`);
  const args = ['--id', String(i), '--addr', `127.0.0.1:${listen}`, '--data-dir', dataDir, '--join', `127.0.0.1:${nobody}`];
  const child = spawn(process.execPath, [launcher, ...args], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('close', resolve));
  try {
    await waitFor(`${dataDir} to be created`, () => existsSync(dataDir) && readdirSync(dataDir).length > 0);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}
