import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalBus, type BusEvent } from '../../lambda/local/local-bus';
import { startLocalEndpoint, type AsyncInvocation } from '../../lambda/local/local-endpoint';

// The endpoint as the functions' own SDK clients reach it: real clients, pointed at loopback.
const delivered: BusEvent[] = [];
const asyncInvocations: AsyncInvocation[] = [];
let endpoint: Awaited<ReturnType<typeof startLocalEndpoint>>;
let config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

beforeAll(async () => {
  const bus = new LocalBus({ account: '000000000000', region: 'us-east-1' });
  bus.addRule({ name: 'Orders', busName: 'shop', eventPattern: { source: ['shop.Order'] }, deliver: (event) => delivered.push(event) });
  endpoint = await startLocalEndpoint({ bus, hasFunction: (name) => name.endsWith(':function:Projector'), onAsyncInvoke: (invocation) => asyncInvocations.push(invocation) });
  config = { endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
});
afterAll(() => endpoint.stop());

describe('the local AWS endpoint', () => {
  test('answers EventBridge PutEvents from the local bus', async () => {
    const client = new EventBridgeClient(config);
    const answer = await client.send(new PutEventsCommand({ Entries: [{ EventBusName: 'shop', Source: 'shop.Order', DetailType: 'OrderCreated', Detail: '{"orderId":"o-1"}' }] }));
    client.destroy();

    expect(answer.FailedEntryCount).toBe(0);
    expect(delivered.map((event) => [event['detail-type'], event.detail])).toEqual([['OrderCreated', { orderId: 'o-1' }]]);
  });

  test('takes an asynchronous Lambda invocation and answers 202 as Lambda does', async () => {
    const client = new LambdaClient(config);
    const answer = await client.send(new InvokeCommand({
      FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:Projector', InvocationType: 'Event', Payload: new TextEncoder().encode('{"rebuild":{"totalSegments":2}}'),
    }));
    client.destroy();

    expect(answer.StatusCode).toBe(202);
    expect(asyncInvocations).toEqual([{ functionName: 'arn:aws:lambda:us-east-1:000000000000:function:Projector', payload: { rebuild: { totalSegments: 2 } } }]);
  });

  test('answers an asynchronous invocation of a function the app lacks with ResourceNotFoundException, and queues nothing', async () => {
    const before = asyncInvocations.length;
    const client = new LambdaClient(config);
    await expect(client.send(new InvokeCommand({ FunctionName: 'Nope', InvocationType: 'Event', Payload: new TextEncoder().encode('{}') })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: Nope (the local app has no such function).' });
    client.destroy();
    expect(asyncInvocations).toHaveLength(before);
  });

  test.each([
    ['a synchronous Lambda invocation', () => new LambdaClient(config).send(new InvokeCommand({ FunctionName: 'Projector', Payload: new TextEncoder().encode('{}') })),
      'Lambda Invoke of type RequestResponse from a function'],
    ['an SQS call', () => new SQSClient(config).send(new SendMessageCommand({ QueueUrl: `${config.endpoint}/000000000000/q`, MessageBody: 'x' })), 'AmazonSQS.SendMessage'],
  ])('refuses %s with an error that names it, sending nothing on', async (_call, send, named) => {
    await expect(send()).rejects.toMatchObject({
      name: 'NotEmulatedLocally',
      message: `cdk-cqrs local: ${named} is not emulated; local runs answer DynamoDB, EventBridge PutEvents, asynchronous Lambda Invoke and the RDS Data API only, and send nothing to AWS.`,
    });
  });
});
