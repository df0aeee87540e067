import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { handleCommand, type CommandHandlerDeps } from '../write/handle-command';
import { isAggregate } from '../write/define-aggregate';
import type { CommandResult } from '../shared/envelope';
import { toErrorAnswer, type ErrorAnswer } from '../shared/error-answer';
import { isCommandRejection } from '../shared/errors';
import { numberEnv, requireEnv } from '../shared/read-env';
import { ENV } from '../../lib/private/runtime-contract';
import { WarmCache } from '../write/warm-cache';

/** The Lambda handler for an aggregate; rejected commands are answers (`{ error }`), only faults throw. */
export function createCommandHandler(aggregate: unknown, deps?: CommandHandlerDeps): (event: unknown) => Promise<CommandResult | ErrorAnswer> {
  if (!isAggregate(aggregate)) {
    throw new Error('cdk-cqrs: the command handler got no aggregate: the module\'s default export must be defineAggregate(...).');
  }
  let resolved = deps;
  return async (event) => {
    resolved ??= depsFromEnv();
    try {
      return await handleCommand(aggregate, event, resolved);
    } catch (err) {
      if (isCommandRejection(err)) return toErrorAnswer(err);
      throw err;
    }
  };
}

function depsFromEnv(): CommandHandlerDeps {
  return {
    dynamoDb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
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
