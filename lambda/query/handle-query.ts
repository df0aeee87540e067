import type { Projection } from '../projection/define-projection';
import { isQueries, type QueryContext } from './define-queries';
import { UnknownQuery, ValidationError } from '../shared/errors';
import { ownFunction } from '../shared/guards';
import { parseCaller } from '../shared/caller';
import type { DocumentClientLike } from '../store/document-client-like';
import { Repository } from './repository';
import type { Caller } from '../shared/envelope';
import type { SessionReadSettings } from '../store/session-entry';

export interface QueryHandlerDeps {
  readonly readModelTable: string;
  /** The aggregate's name, for the messages of rejections. @default - "This aggregate" */
  readonly aggregateName?: string;
  /** With the aggregate's `readYourWrites`: repositories read a session's own writes (`get(id, { sessionId })`). */
  readonly readYourWrites?: SessionReadSettings;
  /** @default - a DynamoDB document client for the current region, created on first use */
  readonly dynamoDb?: DocumentClientLike;
}

/**
 * Runs one query request `{ type, params, caller? }` (the caller checked as a command's is). A query the definition does not have (as an own
 * property: `constructor` is none) is an UnknownQuery, as an unknown command is an UnknownCommand;
 * a request without a string `type` is a ValidationError.
 */
export async function handleQuery(queries: unknown, request: unknown, deps: QueryHandlerDeps): Promise<unknown> {
  if (!isQueries(queries)) throw new Error('cdk-cqrs: the query function got no queries: the module\'s default export must be defineQueries(...).');
  const { handler, params, caller } = parseQueryRequest(queries.handlers, request, deps.aggregateName);
  const context: QueryContext = {
    readModelTable: deps.readModelTable,
    ...(caller === undefined ? {} : { caller }),
    repository: <Agg, View>(projection: Projection<Agg, View>, projectionName: string) =>
      new Repository(projection, { tableName: deps.readModelTable, projectionName, dynamoDb: deps.dynamoDb, readYourWrites: deps.readYourWrites }),
  };
  return handler(params, context);
}

/** A query request taken apart: its handler (an own property of `handlers`), params and verified caller. */
export interface ParsedQueryRequest<Handler> {
  readonly handler: Handler;
  readonly params: unknown;
  readonly caller?: Caller;
}

/**
 * Reads a query request `{ type, params, caller? }`: a request without a string `type`, or with a
 * malformed caller, is a ValidationError; a type with no handler (as an own property:
 * `constructor` is none) is an UnknownQuery.
 */
export function parseQueryRequest<Handler extends (...args: never[]) => unknown>(
  handlers: Readonly<Record<string, Handler | undefined>>, request: unknown, aggregateName?: string,
): ParsedQueryRequest<Handler> {
  if (typeof request !== 'object' || request === null || typeof (request as { type?: unknown }).type !== 'string') {
    throw new ValidationError('A query request is { type, params }: type is missing.', [{ message: 'must be a string', path: ['type'] }]);
  }
  const { type, params } = request as { type: string; params?: unknown };
  const caller = parseCaller((request as { caller?: unknown }).caller, (field, rule) => {
    throw new ValidationError(`A query request's ${field} ${rule}.`, [{ message: rule, path: [field] }]);
  });
  const handler = ownFunction(handlers, type);
  if (!handler) throw new UnknownQuery({ queryType: type, knownQueries: Object.keys(handlers), aggregateName });
  return { handler, params: params ?? {}, ...(caller === undefined ? {} : { caller }) };
}
