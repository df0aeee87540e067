import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { freePort, stopDynamoDbLocal as stopProcess, waitUntilListening, type RunningDynamoDbLocal as RunningProcess } from './shared-dynamodb-local';

/**
 * fauxqs, an SQS emulator written in Node.js, started as a child process on a free port (it is
 * an ES module, which jest's CommonJS runtime cannot import). It has SQS's semantics: visibility
 * timeout, receive counts, redrive to a DLQ after maxReceiveCount.
 */
export async function startSqsLocal(): Promise<{ client: SQSClient; stop: () => Promise<void> }> {
  const port = await freePort();
  // Its exports map offers no package.json to resolve, so go by the installed folder.
  const cli = path.join(__dirname, '..', '..', 'node_modules', 'fauxqs', 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli], {
    env: { ...process.env, FAUXQS_PORT: String(port), FAUXQS_LOGGER: 'false' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitUntilListening(port, child, 'fauxqs');
  const running: RunningProcess = { endpoint: `http://127.0.0.1:${port}`, process: child };
  const client = new SQSClient({ endpoint: running.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    client,
    stop: async () => {
      client.destroy();
      await stopProcess(running);
    },
  };
}
