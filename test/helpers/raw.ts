/** A raw TCP exchange with a server, for input no client library would send. */
import { connect, type Socket } from 'node:net';

/** Raw socket: write input, collect until the server closes (or timeout). */
export function rawExchange(port: number, input: Buffer, timeoutMs = 5000): Promise<{ data: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data, closedByServer: false });
    }, timeoutMs);
    socket.on('data', (c) => (data += c.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data, closedByServer: true });
    });
    socket.on('error', () => {});
    socket.write(input);
  });
}
