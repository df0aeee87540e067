import {
  CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { projectMessages, type ProjectorDeps } from '../../lambda/projection/project-messages';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { startSqsLocal } from '../helpers/sqs-local';
import { storeEvents } from '../helpers/store-events';
import { ledgerView } from '../helpers/test-projections';

// A poison message against real SQS semantics (fauxqs, an SQS emulator, on loopback): the queue's
// redrive policy moves it to the DLQ after maxReceiveCount receives, while the projector applies
// the other messages of its batches. The loop below does what Lambda's SQS event source does:
// receive a batch, call the projector, delete what it did not report as failed.
const MAX_RECEIVE_COUNT = 3;
const projection = eraseProjection(ledgerView);

let sqsLocal: Awaited<ReturnType<typeof startSqsLocal>>;
let sqs: SQSClient;
let store: EventStoreTable;
let readModel: ReadModelTable;
beforeAll(async () => {
  sqsLocal = await startSqsLocal();
  sqs = sqsLocal.client;
  [store, readModel] = await Promise.all([createEventStoreTable('poison-events'), createReadModelTable('poison', ['byOwner'])]);
});
afterAll(async () => {
  await sqsLocal.stop();
  await Promise.all([store.drop(), readModel.drop()]);
});

async function drain(queueUrl: string, deps: ProjectorDeps, deadline: number): Promise<number> {
  let batches = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    if (Messages.length > 0) {
      batches += 1;
      const result = await projectMessages(projection, Messages.map((m) => ({ messageId: m.MessageId!, body: m.Body! })), deps);
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      const done = Messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length > 0) {
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    }
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }));
    if (Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0') return batches;
    if (Date.now() > deadline) throw new Error(`The queue did not drain in time: ${JSON.stringify(Attributes)}`);
  }
}

test('a poison message ends in the DLQ after maxReceiveCount, and the rest of its batches are applied', async () => {
  // GIVEN a queue whose redrive policy sends a message to the DLQ after 3 receives
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'projection-dlq' }));
  const { Attributes: dlqAttributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const queue = await sqs.send(new CreateQueueCommand({
    QueueName: 'projection',
    Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes.QueueArn, maxReceiveCount: String(MAX_RECEIVE_COUNT) }) },
  }));
  // AND the events of two accounts in the store, delivered with a message that is not an event
  const events = [
    ...envelopes('Ledger', 'acc-1', [{ type: 'Opened', data: { owner: 'ann' } }, { type: 'Deposited', data: { amount: 5 } }]),
    ...envelopes('Ledger', 'acc-2', [{ type: 'Opened', data: { owner: 'bob' } }, { type: 'Deposited', data: { amount: 7 } }]),
  ];
  await storeEvents(store.doc, store.tableName, events);
  const bodies = [...events.map((e) => queueMessage(e).body), 'this is not an EventBridge event'];
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.QueueUrl, Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })) }));

  // WHEN the projector consumes the queue until it is empty
  const deps: ProjectorDeps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView', log: () => undefined };
  const batches = await drain(queue.QueueUrl!, deps, Date.now() + 30_000);

  // THEN the poison message is in the DLQ, received exactly maxReceiveCount times
  const { Messages: deadLetters = [] } = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: dlq.QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'],
  }));
  expect(deadLetters.map((m) => m.Body)).toEqual(['this is not an EventBridge event']);
  expect(batches).toBeGreaterThanOrEqual(MAX_RECEIVE_COUNT);
  // AND both accounts are projected
  const view = async (id: string) => (await readModel.doc.send(new GetCommand({ TableName: readModel.tableName, Key: { pk: id, sk: 'LedgerView' }, ConsistentRead: true }))).Item;
  expect(await view('acc-1')).toMatchObject({ version: 2, view: { owner: 'ann', balance: 5, trail: [1, 2] } });
  expect(await view('acc-2')).toMatchObject({ version: 2, view: { owner: 'bob', balance: 7, trail: [1, 2] } });
});
