// Stands in for dist/bin/<app>.js to make a container die in the middle of its join:
// runs the real launcher (CRASH_REAL_LAUNCHER) with the same flags but --join pointed at
// CRASH_JOIN_TO, where nothing listens, waits until the server has created its data
// dir, then kills it and exits as a killed container would.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const args = process.argv.slice(2);
const join = args.indexOf('--join');
if (join < 0) {
  console.error('crash-mid-join: started without --join');
  process.exit(2);
}
args[join + 1] = process.env.CRASH_JOIN_TO;
const dataDir = args[args.indexOf('--data-dir') + 1];
const server = spawn(process.execPath, [process.env.CRASH_REAL_LAUNCHER, ...args], { stdio: 'inherit' });
const deadline = Date.now() + 10_000;
const poll = setInterval(() => {
  const created = existsSync(dataDir) && readdirSync(dataDir).length > 0;
  if (!created && Date.now() < deadline) return;
  clearInterval(poll);
  server.on('close', () => process.exit(137));
  server.kill('SIGKILL');
}, 20);
