import type { ErrorAnswer } from '../shared/error-answer';
import { isQueries } from '../query/define-queries';
import { describeDefinitionKind } from '../shared/definition-kind';
import { handleQuery, type QueryHandlerDeps } from '../query/handle-query';
import { readYourWritesEnv, requireEnv } from '../shared/read-env';
import { ENV } from '../../lib/private/runtime-contract';
import { answerQueryInvocation } from '../http/http-command';
import type { HttpAnswer } from '../http/problem';

/**
 * The query Lambda: `{ type, params, caller? }` in, the query's result out; a rejected query is an
 * answer (`{ error }`), only faults throw. An HTTP API event is answered in HTTP (200, or a problem).
 */
export function createQueryHandler(queries: unknown, deps?: QueryHandlerDeps): (event: unknown) => Promise<unknown | ErrorAnswer | HttpAnswer> {
  if (!isQueries(queries)) {
    throw new Error(`cdk-cqrs: the query function's module must have defineQueries(...) as its default export; it has ${describeDefinitionKind(queries)}.`);
  }
  let resolved = deps;
  return async (event) => {
    resolved ??= depsFromEnv();
    const handlerDeps = resolved;
    return answerQueryInvocation(event, (request) => handleQuery(queries, request, handlerDeps));
  };
}

function depsFromEnv(): QueryHandlerDeps {
  return {
    readModelTable: requireEnv('readModelTable'),
    // Set by the constructs since UnknownQuery names the aggregate; a function synthesized before has none.
    aggregateName: process.env[ENV.aggregateName] || undefined,
    readYourWrites: readYourWritesEnv(),
  };
}
