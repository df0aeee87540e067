import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BatchResponse } from '../shared/batch-response';
import { publishStreamRecords, type PublisherDeps, type StreamRecord } from '../write/publish-events';
import {
  handleRepublishRequest, isRepublishRequest, type RepublishContext, type RepublishInvoker, type RepublishReport, type RepublishRequest,
} from '../write/republish-request';
import { requireEnv } from '../shared/read-env';
import { createDocumentClient } from '../store/document-client';

/** What the publisher is invoked with: a batch of stream records, or a republish request (`aws lambda invoke`, or itself). */
export type PublisherEvent = { readonly Records: readonly StreamRecord[] } | RepublishRequest;

/** The publisher's handler: stream records in, their partial batch response out; or a republish request in, its report out. */
export interface Publisher {
  (event: { readonly Records: readonly StreamRecord[] }, context?: RepublishContext): Promise<BatchResponse>;
  (event: RepublishRequest, context: RepublishContext): Promise<RepublishReport>;
}

export interface PublisherHandlerDeps extends PublisherDeps {
  /** The event store a republish reads. @default - a client for the current region, and ENV.eventStoreTable */
  readonly dynamoDb?: DynamoDBDocumentClient;
  readonly eventStoreTable?: string;
  /** How a republish invokes the function again. @default - a LambdaClient for the current region */
  readonly lambda?: RepublishInvoker;
}

/** The outbox: DynamoDB stream records of the event store to EventBridge (ReportBatchItemFailures), and republish requests. */
export function createPublisher(deps?: PublisherHandlerDeps): Publisher {
  let publishing: PublisherDeps | undefined = deps;
  let dynamoDb = deps?.dynamoDb;
  let lambda = deps?.lambda;
  const handler = async (event: PublisherEvent, context?: RepublishContext): Promise<BatchResponse | RepublishReport> => {
    if (!publishing) {
      const bus = new EventBridgeClient({});
      publishing = {
        eventBusName: requireEnv('eventBusName'),
        source: requireEnv('eventSource'),
        putEvents: (entries) => bus.send(new PutEventsCommand({ Entries: [...entries] })),
      };
    }
    if (!isRepublishRequest(event)) return publishStreamRecords(event.Records, publishing);
    if (!context) throw new Error('cdk-cqrs: a republish request needs the Lambda context (its function name and remaining time).');
    dynamoDb ??= await createDocumentClient();
    if (!lambda) {
      // Loaded here, not at cold start: only a republish invokes Lambda.
      const { LambdaClient } = await import('@aws-sdk/client-lambda');
      lambda = new LambdaClient({});
    }
    return handleRepublishRequest(event, context, {
      ...publishing, dynamoDb, lambda, eventStoreTable: deps?.eventStoreTable ?? requireEnv('eventStoreTable'),
    });
  };
  return handler as Publisher;
}

export const handler = createPublisher();
