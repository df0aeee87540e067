import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalBus, PutEventsEntry } from './local-bus';
import { LocalDataApiError, type LocalSqlDatabase } from './local-sql-database';
import type { DataApiParameter } from '../sql/data-api-values';

/** A Lambda invocation of type `Event`, queued as Lambda queues one: it runs later, in `settle()`. */
export interface AsyncInvocation {
  /** As the caller gave it: a name, an ARN or a partial ARN. */
  readonly functionName: string;
  readonly payload: unknown;
}

export interface LocalEndpointSettings {
  /** Answers PutEvents. */
  readonly bus: LocalBus;
  /** True when a function name or ARN names one function of the app. */
  readonly hasFunction: (nameOrArn: string) => boolean;
  /** Takes each asynchronous Lambda invocation of a function the app has. */
  readonly onAsyncInvoke: (invocation: AsyncInvocation) => void;
  /** The database of a SQL read model, by its cluster's ARN (RDS Data API calls). @default - none */
  readonly sqlDatabaseOf?: (resourceArn: string) => LocalSqlDatabase | undefined;
}

/** The RDS Data API's operations (REST JSON), by path. */
const DATA_API_PATHS = new Set(['/Execute', '/BeginTransaction', '/CommitTransaction', '/RollbackTransaction']);

/** A Data API request's body, as the SDK sends it. */
interface DataApiRequest {
  readonly resourceArn?: string;
  readonly sql?: string;
  readonly parameters?: DataApiParameter[];
  readonly transactionId?: string;
}

/** Answers one Data API call from the database of its `resourceArn`. */
async function answerDataApi(path: string, request: DataApiRequest, databaseOf: LocalEndpointSettings['sqlDatabaseOf']): Promise<Record<string, unknown>> {
  const database = request.resourceArn === undefined ? undefined : databaseOf?.(request.resourceArn);
  if (!database) throw new LocalDataApiError('NotFoundException', `cdk-cqrs local: no SQL database has the ARN ${String(request.resourceArn)} in this app.`);
  switch (path) {
    case '/BeginTransaction':
      return { transactionId: await database.beginTransaction() };
    case '/CommitTransaction':
      await database.endTransaction(String(request.transactionId), 'COMMIT');
      return { transactionStatus: 'Transaction Committed' };
    case '/RollbackTransaction':
      await database.endTransaction(String(request.transactionId), 'ROLLBACK');
      return { transactionStatus: 'Rollback Complete' };
    default:
      return { ...await database.execute(String(request.sql ?? ''), request.parameters ?? [], request.transactionId) };
  }
}

/** JSON as the AWS SDK reads it: bytes as base64. */
const awsJson = (body: unknown): string => JSON.stringify(body, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations(?:\?.*)?$/;

/**
 * The AWS endpoint of a local run, on loopback: the functions' SDK clients reach it through
 * `AWS_ENDPOINT_URL_EVENTBRIDGE` and `AWS_ENDPOINT_URL`, unchanged. It answers EventBridge
 * PutEvents (JSON 1.1) from a LocalBus and Lambda Invoke of type `Event` (REST JSON), as a
 * projection rebuild sends. Any other call is answered `NotEmulatedLocally`, naming it, so a call
 * to a service the local runtime does not emulate fails clearly and never leaves the machine.
 */
export async function startLocalEndpoint(settings: LocalEndpointSettings): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body?: { readonly __type?: string; readonly [key: string]: unknown }) => {
        // The JSON protocols read an error's name from __type, the REST ones from this header.
        response.writeHead(status, { 'content-type': 'application/json', ...(body?.__type ? { 'x-amzn-errortype': body.__type } : {}) });
        response.end(body === undefined ? '' : JSON.stringify(body));
      };
      const body = Buffer.concat(chunks).toString('utf8');
      const target = String(request.headers['x-amz-target'] ?? '');
      const invoked = request.method === 'POST' ? INVOKE_PATH.exec(request.url ?? '') : null;
      if (request.method === 'POST' && DATA_API_PATHS.has(request.url ?? '')) {
        Promise.resolve().then(() => answerDataApi(request.url ?? '', JSON.parse(body === '' ? '{}' : body) as DataApiRequest, settings.sqlDatabaseOf)).then(
          (result) => {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(awsJson(result));
          },
          (error: unknown) => answer(error instanceof LocalDataApiError && error.errorType === 'NotFoundException' ? 404 : 400, {
            __type: error instanceof LocalDataApiError ? error.errorType : 'BadRequestException', message: error instanceof Error ? error.message : String(error),
          }),
        );
        return;
      }
      try {
        if (target === 'AWSEvents.PutEvents') {
          answer(200, settings.bus.putEvents((JSON.parse(body) as { Entries?: PutEventsEntry[] }).Entries ?? []));
        } else if (invoked && request.headers['x-amz-invocation-type'] === 'Event') {
          const functionName = decodeURIComponent(invoked[1]);
          if (settings.hasFunction(functionName)) {
            settings.onAsyncInvoke({ functionName, payload: body === '' ? {} : JSON.parse(body) });
            answer(202);
          } else {
            answer(404, { __type: 'ResourceNotFoundException', message: `Function not found: ${functionName} (the local app has no such function).` });
          }
        } else {
          const call = invoked ? `Lambda Invoke of type ${String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse')} from a function` : target || `${request.method} ${request.url}`;
          answer(501, { __type: 'NotEmulatedLocally', message: `cdk-cqrs local: ${call} is not emulated; local runs answer DynamoDB, EventBridge PutEvents, asynchronous Lambda Invoke and the RDS Data API only, and send nothing to AWS.` });
        }
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
