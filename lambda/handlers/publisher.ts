import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { BatchResponse } from '../shared/batch-response';
import { publishStreamRecords, type StreamRecord } from '../write/publish-events';
import { requireEnv } from '../shared/read-env';

let client: EventBridgeClient | undefined;

/** The outbox: DynamoDB stream records of the event store to EventBridge (ReportBatchItemFailures). */
export const handler = async (event: { Records: readonly StreamRecord[] }): Promise<BatchResponse> => {
  client ??= new EventBridgeClient({});
  const bus = client;
  return publishStreamRecords(event.Records, {
    eventBusName: requireEnv('eventBusName'),
    source: requireEnv('eventSource'),
    putEvents: (entries) => bus.send(new PutEventsCommand({ Entries: [...entries] })),
  });
};
