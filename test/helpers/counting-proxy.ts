// Counts the DynamoDB requests of code we cannot hook into (the functions of a local run, each in
// a worker thread of its own): a pass-through HTTP proxy on loopback in front of DynamoDB Local,
// which records each request's operation (its X-Amz-Target) on the wire.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** `http://127.0.0.1:<port>`: give it as the DynamoDB endpoint. */
  readonly endpoint: string;
  /** The operations sent since the last `clear`, in order (`PutItem`, `TransactWriteItems`, ...). */
  readonly operations: string[];
  readonly clear: () => void;
  readonly stop: () => Promise<void>;
}

/** Starts a proxy to the DynamoDB endpoint `target`, counting what passes. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target);
  const operations: string[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '?').replace(/^DynamoDB_\d+\./, '');
    operations.push(operation);
    const upstream = http.request({ host: to.hostname, port: to.port, method: request.method, path: request.url, headers: request.headers, agent }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    operations,
    clear: () => { operations.length = 0; },
    stop: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
