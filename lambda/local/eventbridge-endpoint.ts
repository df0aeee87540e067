import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalBus, PutEventsEntry } from './local-bus';

/**
 * An EventBridge endpoint on loopback that answers PutEvents (the JSON 1.1 protocol the AWS SDK
 * speaks) from a LocalBus, so that bundled code calls EventBridge exactly as in AWS, with only
 * `AWS_ENDPOINT_URL_EVENTBRIDGE` pointing here. It is also every other service's endpoint
 * (`AWS_ENDPOINT_URL`), so that a call to a service the local runtime does not emulate fails
 * with an error that says so, and never leaves the machine.
 */
export async function startEventBridgeEndpoint(bus: LocalBus): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: { readonly __type?: string; readonly [key: string]: unknown }) => {
        // The JSON protocols read the error's name from __type, the REST ones from this header.
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(body.__type ? { 'x-amzn-errortype': body.__type } : {}) });
        response.end(JSON.stringify(body));
      };
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target !== 'AWSEvents.PutEvents') {
        const call = target || `${request.method} ${request.url}`;
        answer(501, { __type: 'NotEmulatedLocally', message: `cdk-cqrs local: ${call} is not emulated; local runs answer DynamoDB and EventBridge PutEvents only, and send nothing to AWS.` });
        return;
      }
      try {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: PutEventsEntry[] };
        answer(200, bus.putEvents(input.Entries ?? []));
      } catch (error) {
        answer(400, { __type: 'ValidationException', message: String(error) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
