// Runs inside the fault suite's client network namespace and lets the runner, which
// stays in the host's namespace, reach servers that only exist inside the test network:
// each "add NAME HOST PORT" line on stdin opens DIR/NAME.sock (a Unix socket: those are
// files, not bound to a network namespace) and pipes every connection to HOST:PORT.
// A closed or reset side closes the other, so clients see a server's death as theirs.
// It exits when stdin closes (the runner ended, however it ended).
import { createServer, connect } from 'node:net';
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: unix-proxy.mjs DIR');
  process.exit(2);
}

function pipeTo(host, port) {
  return (inbound) => {
    const outbound = connect({ host, port });
    const closeBoth = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', closeBoth).on('close', closeBoth);
    outbound.on('error', closeBoth).on('close', closeBoth);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  };
}

const servers = [];
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [verb, name, host, port] = line.trim().split(/\s+/);
  if (verb !== 'add' || !name || !host || !port) return;
  const path = join(dir, `${name}.sock`);
  rmSync(path, { force: true });
  const server = createServer(pipeTo(host, Number(port)));
  servers.push(server);
  server.listen(path, () => process.stdout.write(`ready ${name}\n`));
});
lines.on('close', () => {
  for (const s of servers) s.close();
  process.exit(0);
});
