import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fetchDynamoDbLocal } = require('../../scripts/fetch-dynamodb-local.js') as { fetchDynamoDbLocal: () => string };

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly process: ChildProcess;
}

/** A free TCP port on loopback, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Waits until a server we spawned accepts connections on a loopback port; fails if it exits or takes over 30 s. */
export async function waitUntilListening(port: number, child: ChildProcess, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`${what} did not listen on port ${port} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts DynamoDB Local in memory on a free loopback port and waits until it accepts connections. */
export async function startDynamoDbLocal(): Promise<RunningDynamoDbLocal> {
  const dir = fetchDynamoDbLocal();
  const port = await freePort();
  const child = spawn('java', [
    `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
    '-jar', path.join(dir, 'DynamoDBLocal.jar'),
    '-inMemory', '-disableTelemetry', '-port', String(port),
  ], { stdio: ['ignore', 'ignore', 'pipe'], cwd: os.tmpdir() }); // it writes a metadata file into its cwd
  await waitUntilListening(port, child, 'DynamoDB Local');
  return { endpoint: `http://127.0.0.1:${port}`, process: child };
}

/** Stops DynamoDB Local and waits for the process to exit. It runs in memory, so there is nothing to flush: kill it. */
export async function stopDynamoDbLocal(running: RunningDynamoDbLocal): Promise<void> {
  if (running.process.exitCode !== null || running.process.signalCode !== null) return;
  const exited = new Promise((r) => running.process.once('exit', r));
  running.process.kill('SIGKILL');
  await exited;
}
