import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { readCloudAssembly } from '../../lambda/local/cloud-assembly';
import { LocalCloud } from '../../lambda/local/local-cloud';

const HASH = '6cba92905d58ab071b14889733138060c6a758de0cb8bfa3e11946ed79883643';
const ONLY_EVENTS = { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['event'] } } } };
const CUSTOMER_EVENTS = { 'source': ['shop.Customer'], 'detail-type': ['CustomerRegistered'] };

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;

const cdkPath = (p: string) => ({ 'aws:cdk:path': `Shop/${p}` });
const getAtt = (logicalId: string, attribute: string) => ({ 'Fn::GetAtt': [logicalId, attribute] });
const code = { S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, S3Key: `${HASH}.zip` };

/** The resources of a small cdk-cqrs app, as `cdk synth` writes them. */
const shopResources = (): Resources => ({
  EventStoreTable: {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    },
    Metadata: cdkPath('Customers/EventStore/Table/Resource'),
  },
  PublisherFunction: {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Code: code, Handler: 'index.handler', Timeout: 30,
      Environment: { Variables: { CQRS_AGGREGATE_NAME: 'Customer', CQRS_EVENT_STORE_TABLE: { Ref: 'EventStoreTable' } } },
    },
    Metadata: cdkPath('Customers/Publisher/Function/Resource'),
  },
  ProjectorFunction: { Type: 'AWS::Lambda::Function', Properties: { Code: code } },
  PublisherDeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
  ViewQueue: {
    Type: 'AWS::SQS::Queue',
    Properties: { VisibilityTimeout: 180, RedrivePolicy: { deadLetterTargetArn: getAtt('ViewDeadLetterQueue', 'Arn'), maxReceiveCount: 5 } },
  },
  ViewDeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
  ShopBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'ShopBusName' } },
  ViewRule: {
    Type: 'AWS::Events::Rule',
    Properties: {
      EventBusName: { Ref: 'ShopBus' }, EventPattern: CUSTOMER_EVENTS, State: 'ENABLED',
      Targets: [{ Arn: getAtt('ViewQueue', 'Arn'), Id: 'Target0', DeadLetterConfig: { Arn: getAtt('ViewDeadLetterQueue', 'Arn') } }],
    },
  },
  PublisherMapping: {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: {
      EventSourceArn: getAtt('EventStoreTable', 'StreamArn'), FunctionName: { Ref: 'PublisherFunction' },
      BatchSize: 25, StartingPosition: 'TRIM_HORIZON', FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(ONLY_EVENTS) }] },
      MaximumRetryAttempts: 10, DestinationConfig: { OnFailure: { Destination: getAtt('PublisherDeadLetterQueue', 'Arn') } },
    },
  },
  ProjectorMapping: {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: { EventSourceArn: getAtt('ViewQueue', 'Arn'), FunctionName: { Ref: 'ProjectorFunction' } },
  },
});

const directories: string[] = [];
afterEach(() => directories.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Writes a cloud assembly with one stack, `Shop`, holding `resources`; answers its directory. */
function writeAssembly(resources: Resources): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-assembly-'));
  directories.push(dir);
  const write = (file: string, json: unknown) => fs.writeFileSync(path.join(dir, file), JSON.stringify(json, undefined, 1));
  write('manifest.json', {
    version: '48.0.0',
    artifacts: {
      'Shop.assets': { type: 'cdk:asset-manifest', properties: { file: 'Shop.assets.json' } },
      'Shop': { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'Shop.template.json' }, displayName: 'Shop' },
      'Tree': { type: 'cdk:tree', properties: { file: 'tree.json' } },
    },
  });
  write('Shop.template.json', { Resources: resources });
  write('Shop.assets.json', {
    version: '48.0.0',
    files: { [HASH]: { displayName: 'Customers/Publisher/Function/Code', source: { path: `asset.${HASH}`, packaging: 'zip' }, destinations: {} } },
  });
  return dir;
}

describe('readCloudAssembly', () => {
  test('reads a stack\'s tables, functions, queues, buses, rules and event source mappings, with Ref and Fn::GetAtt as resource keys', () => {
    // GIVEN
    const dir = writeAssembly(shopResources());

    // WHEN
    const topology = readCloudAssembly(dir);

    // THEN
    expect(topology.tables).toEqual([{
      key: 'Shop/EventStoreTable', logicalId: 'EventStoreTable', path: 'Shop/Customers/EventStore/Table/Resource',
      properties: shopResources().EventStoreTable.Properties,
    }]);
    expect(topology.functions).toEqual([
      {
        key: 'Shop/PublisherFunction', logicalId: 'PublisherFunction', path: 'Shop/Customers/Publisher/Function/Resource',
        codeDirectory: path.join(dir, `asset.${HASH}`), handler: 'index.handler', timeoutSeconds: 30,
        environment: { CQRS_AGGREGATE_NAME: { literal: 'Customer' }, CQRS_EVENT_STORE_TABLE: { ref: 'Shop/EventStoreTable' } },
      },
      {
        key: 'Shop/ProjectorFunction', logicalId: 'ProjectorFunction', path: 'Shop/ProjectorFunction',
        codeDirectory: path.join(dir, `asset.${HASH}`), handler: 'index.handler', timeoutSeconds: 3, environment: {},
      },
    ]);
    expect(topology.queues).toEqual([
      { key: 'Shop/PublisherDeadLetterQueue', logicalId: 'PublisherDeadLetterQueue', path: 'Shop/PublisherDeadLetterQueue' },
      {
        key: 'Shop/ViewQueue', logicalId: 'ViewQueue', path: 'Shop/ViewQueue',
        visibilityTimeoutSeconds: 180, redrive: { deadLetterQueue: 'Shop/ViewDeadLetterQueue', maxReceiveCount: 5 },
      },
      { key: 'Shop/ViewDeadLetterQueue', logicalId: 'ViewDeadLetterQueue', path: 'Shop/ViewDeadLetterQueue' },
    ]);
    expect(topology.buses).toEqual([{ key: 'Shop/ShopBus', logicalId: 'ShopBus', path: 'Shop/ShopBus', name: 'ShopBusName' }]);
    expect(topology.rules).toEqual([{
      key: 'Shop/ViewRule', logicalId: 'ViewRule', path: 'Shop/ViewRule',
      bus: 'Shop/ShopBus', eventPattern: CUSTOMER_EVENTS, targetQueues: ['Shop/ViewQueue'],
    }]);
    expect(topology.mappings).toEqual([
      {
        key: 'Shop/PublisherMapping', logicalId: 'PublisherMapping', path: 'Shop/PublisherMapping',
        function: 'Shop/PublisherFunction', source: { kind: 'stream', table: 'Shop/EventStoreTable' },
        batchSize: 25, reportBatchItemFailures: true, filterPatterns: [ONLY_EVENTS],
        maximumRetryAttempts: 10, onFailureQueue: 'Shop/PublisherDeadLetterQueue',
      },
      {
        key: 'Shop/ProjectorMapping', logicalId: 'ProjectorMapping', path: 'Shop/ProjectorMapping',
        function: 'Shop/ProjectorFunction', source: { kind: 'queue', queue: 'Shop/ViewQueue' },
        batchSize: 10, reportBatchItemFailures: false, filterPatterns: [],
      },
    ]);
  });

  test('a rule without EventBusName is on the default bus', () => {
    const resources = shopResources();
    delete resources.ViewRule.Properties!.EventBusName;

    expect(readCloudAssembly(writeAssembly(resources)).rules.map((rule) => rule.bus)).toEqual(['default']);
  });

  test('a mapping without BatchSize takes Lambda\'s default: 100 from a stream, 10 from a queue', () => {
    const resources = shopResources();
    delete resources.PublisherMapping.Properties!.BatchSize;

    expect(readCloudAssembly(writeAssembly(resources)).mappings.map((mapping) => [mapping.logicalId, mapping.batchSize]))
      .toEqual([['PublisherMapping', 100], ['ProjectorMapping', 10]]);
  });

  test('leaves out a disabled event source mapping', () => {
    const resources = shopResources();
    resources.ProjectorMapping.Properties!.Enabled = false;

    expect(readCloudAssembly(writeAssembly(resources)).mappings.map((mapping) => mapping.logicalId)).toEqual(['PublisherMapping']);
  });

  test('leaves out disabled rules and rules without an event pattern', () => {
    const resources = shopResources();
    resources.DisabledRule = { Type: 'AWS::Events::Rule', Properties: { ...resources.ViewRule.Properties, State: 'DISABLED' } };
    resources.ScheduledRule = { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [] } };

    expect(readCloudAssembly(writeAssembly(resources)).rules.map((rule) => rule.logicalId)).toEqual(['ViewRule']);
  });

  test('fails when the directory holds no manifest.json, and says to run `npx cdk synth`', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-assembly-'));
    directories.push(dir);

    expect(() => readCloudAssembly(dir)).toThrow(`cdk-cqrs local: no cloud assembly in ${dir} (manifest.json is missing). Run \`npx cdk synth\` first`);
  });

  test('fails on a rule whose target has an InputTransformer', () => {
    const resources = shopResources();
    resources.ViewRule.Properties!.Targets = [{
      Arn: getAtt('ViewQueue', 'Arn'), Id: 'Target0',
      InputTransformer: { InputPathsMap: { id: '$.detail.aggregateId' }, InputTemplate: '{"id": <id>}' },
    }];

    expect(() => readCloudAssembly(writeAssembly(resources)))
      .toThrow('cdk-cqrs local: Shop/ViewRule transforms its target\'s input; local runs deliver the event as it is.');
  });

  test('reads an environment variable that is an Fn::Join of literals, Refs and pseudo parameters, part by part', () => {
    const resources = shopResources();
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/', { Ref: 'ShopBus' }]] };
    resources.PublisherFunction.Properties!.Environment = { Variables: { EVENT_BUS_ARN: arn } };

    const publisher = readCloudAssembly(writeAssembly(resources)).functions.find((f) => f.logicalId === 'PublisherFunction');
    expect(publisher?.environment.EVENT_BUS_ARN).toEqual({
      separator: '', join: [{ literal: 'arn:' }, { pseudo: 'AWS::Partition' }, { literal: ':events:eu-west-1:123456789012:event-bus/' }, { ref: 'Shop/ShopBus' }],
    });
  });

  test('fails on an environment variable that is an Fn::GetAtt (an attribute has no local value), and names the variable', () => {
    const resources = shopResources();
    const arn = { 'Fn::GetAtt': ['ShopBus', 'Arn'] };
    resources.PublisherFunction.Properties!.Environment = { Variables: { EVENT_BUS_ARN: arn } };

    expect(() => readCloudAssembly(writeAssembly(resources))).toThrow(
      `cdk-cqrs local: Shop/Customers/Publisher/Function/Resource environment variable EVENT_BUS_ARN is ${JSON.stringify(arn)}; local runs resolve only literals, Ref (a resource's name or a pseudo parameter) and Fn::Join of those in environment variables.`);
  });

  test('fails on a function whose code is not an asset of the assembly', () => {
    const resources = shopResources();
    resources.ProjectorFunction.Properties!.Code = { ZipFile: 'exports.handler = async () => {};' };

    expect(() => readCloudAssembly(writeAssembly(resources)))
      .toThrow('cdk-cqrs local: Shop/ProjectorFunction has no bundled code in the assembly (Code must be an asset).');
  });
});

describe('readCloudAssembly: construct paths without aws:cdk:path metadata', () => {
  /** A plain `new App()`, as in a user's test: no path metadata in its templates, only its tree.json. */
  function synthPlainApp(): { app: App; directory: string } {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-assembly-'));
    directories.push(outdir);
    const app = new App({ outdir });
    new sqs.Queue(new Stack(app, 'Shop'), 'Orders');
    const prod = new Stage(app, 'Prod');
    new sqs.Queue(new Stack(prod, 'Shop', { stackName: 'prod-shop' }), 'Orders');
    new sqs.Queue(new Stack(new Stage(prod, 'Eu'), 'Shop'), 'Orders');
    return { app, directory: app.synth().directory };
  }

  test('reads each resource\'s construct path from tree.json, in Stages\' nested assemblies too', () => {
    const { directory } = synthPlainApp();
    expect(fs.readFileSync(path.join(directory, 'Shop.template.json'), 'utf8')).not.toContain('aws:cdk:path');

    const queues = readCloudAssembly(directory).queues;

    expect(queues.map((queue) => queue.path).sort()).toEqual(['Prod/Eu/Shop/Orders/Resource', 'Prod/Shop/Orders/Resource', 'Shop/Orders/Resource']);
    // Keys stay `<artifact id>/<logical ID>`, unique across the nested assemblies.
    expect(new Set(queues.map((queue) => queue.key)).size).toBe(3);
    const top = queues.find((queue) => queue.path === 'Shop/Orders/Resource')!;
    expect(top.key).toBe(`Shop/${top.logicalId}`);
  });

  test('reads a Stage\'s own assembly with the paths of the tree of the app that holds it', () => {
    const { directory } = synthPlainApp();

    expect(readCloudAssembly(path.join(directory, 'assembly-Prod')).queues.map((queue) => queue.path).sort())
      .toEqual(['Prod/Eu/Shop/Orders/Resource', 'Prod/Shop/Orders/Resource']);
  });

  test('prefers aws:cdk:path metadata, and knows a resource by its key when the tree is absent', () => {
    // GIVEN a template where only the publisher has path metadata
    const dir = writeAssembly(shopResources());
    const node = (nodePath: string, logicalId?: string) => ({
      id: nodePath.split('/').pop(), path: nodePath, ...(logicalId && { attributes: { 'aws:cdk:cloudformation:logicalId': logicalId } }),
    });
    const tree = { ...node('Shop'), children: {
      a: node('Shop/Customers/Publisher/FromTree', 'PublisherFunction'),
      b: node('Shop/Customers/Projector/Function/Resource', 'ProjectorFunction'),
      c: { ...node('Shop/Other'), children: { d: node('Shop/Other/Queue/Resource', 'NotInTheTemplate') } },
    } };
    fs.writeFileSync(path.join(dir, 'tree.json'), JSON.stringify({ version: 'tree-0.1', tree: { ...node(''), children: { Shop: tree } } }));

    // THEN
    expect(readCloudAssembly(dir).functions.map((fn) => fn.path)).toEqual(['Shop/Customers/Publisher/Function/Resource', 'Shop/Customers/Projector/Function/Resource']);
    fs.rmSync(path.join(dir, 'tree.json'));
    expect(readCloudAssembly(dir).functions.map((fn) => fn.path)).toEqual(['Shop/Customers/Publisher/Function/Resource', 'Shop/ProjectorFunction']);
  });
});

describe('LocalCloud.start on an assembly it cannot run', () => {
  test('fails, and leaves no server or client holding the process open', async () => {
    // GIVEN a mapping that reads a queue the assembly does not have (its table is made first)
    const resources = shopResources();
    resources.EventStoreTable.Properties!.AttributeDefinitions = [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }];
    resources.ProjectorMapping.Properties!.EventSourceArn = getAtt('NoSuchQueue', 'Arn');
    const servers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
    const serversBefore = servers();

    // WHEN / THEN
    await expect(LocalCloud.start({ assemblyDirectory: writeAssembly(resources), dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT! }))
      .rejects.toThrow('cdk-cqrs local: no queue Shop/NoSuchQueue in the assembly.');
    // A closed server's handle is released a few turns of the event loop later.
    for (let waited = 0; servers() > serversBefore && waited < 1000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(servers()).toBe(serversBefore);
  });
});
