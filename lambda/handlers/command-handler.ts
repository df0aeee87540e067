import { handleCommand, type CommandHandlerDeps } from '../write/handle-command';
import { isAggregate } from '../write/define-aggregate';
import { describeDefinitionKind } from '../shared/definition-kind';
import { createDocumentClient } from '../store/document-client';
import type { CommandResult } from '../shared/envelope';
import { toErrorAnswer, type ErrorAnswer } from '../shared/error-answer';
import { isCommandRejection } from '../shared/errors';
import { numberEnv, requireEnv } from '../shared/read-env';
import { ENV } from '../../lib/private/runtime-contract';
import { WarmCache } from '../write/warm-cache';
import { answerHttpCommand, isHttpApiEvent } from '../http/http-command';
import type { HttpAnswer } from '../http/problem';

/**
 * The Lambda handler for an aggregate; rejected commands are answers (`{ error }`), only faults
 * throw. An event of API Gateway's HTTP API (payload format 2.0) is answered in HTTP (status,
 * ETag, RFC 9457 problems), with no function in between.
 */
export function createCommandHandler(aggregate: unknown, deps?: CommandHandlerDeps): (event: unknown) => Promise<CommandResult | ErrorAnswer | HttpAnswer> {
  if (!isAggregate(aggregate)) {
    throw new Error(`cdk-cqrs: the command handler's module must have defineAggregate(...) as its default export; it has ${describeDefinitionKind(aggregate)}.`);
  }
  let resolved = deps;
  return async (event) => {
    resolved ??= await depsFromEnv();
    const handlerDeps = resolved;
    if (isHttpApiEvent(event)) return answerHttpCommand(event, (command) => handleCommand(aggregate, command, handlerDeps));
    try {
      return await handleCommand(aggregate, event, resolved);
    } catch (err) {
      if (isCommandRejection(err)) return toErrorAnswer(err);
      throw err;
    }
  };
}

async function depsFromEnv(): Promise<CommandHandlerDeps> {
  return {
    dynamoDb: await createDocumentClient(),
    tableName: requireEnv('eventStoreTable'),
    aggregateName: requireEnv('aggregateName'),
    eventSource: requireEnv('eventSource'),
    // The construct sets every variable, so the defaults live in one place: CqrsAggregateProps.
    snapshotEvery: numberEnv('snapshotEvery'),
    maxConflictRetries: numberEnv('maxConflictRetries'),
    idempotencyTtlSeconds: numberEnv('idempotencyTtlSeconds'),
    cache: new WarmCache(),
    // Set only when the aggregate has readYourWrites.
    session: process.env[ENV.sessionTable]
      ? { tableName: requireEnv('sessionTable'), ttlSeconds: numberEnv('sessionTtlSeconds') }
      : undefined,
  };
}
