import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../lib/private/runtime-contract';
import { isProjection } from '../define-projection';
import { projectMessages, type ProjectorDeps } from '../projector';
import type { BatchResponse, QueueMessage } from '../queue-message';
import { requireEnv } from '../read-env';

/** The projector Lambda for a projection: an SQS event source with ReportBatchItemFailures. */
export function createProjector(projection: unknown, deps?: ProjectorDeps): (event: { readonly Records: readonly QueueMessage[] }) => Promise<BatchResponse> {
  if (!isProjection(projection)) {
    throw new Error('cdk-cqrs: the projector got no projection: the module\'s default export must be defineProjection(...).');
  }
  let resolved = deps;
  return async (event) => {
    resolved ??= depsFromEnv();
    return projectMessages(projection, event.Records, resolved);
  };
}

function depsFromEnv(): ProjectorDeps {
  return {
    dynamoDb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    readModelTable: requireEnv('readModelTable'),
    eventStoreTable: requireEnv('eventStoreTable'),
    projectionName: requireEnv('projectionName'),
    // Optional: with it, an event of another aggregate on a shared bus is ignored rather than applied.
    aggregateName: process.env[ENV.aggregateName] || undefined,
  };
}
