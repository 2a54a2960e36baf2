/**
 * The pods run the compiled server, as the image does (node dist/bin/<app>.js). A missing
 * or stale build would test old code, so the test stops with the fix instead.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './objects.js';

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
