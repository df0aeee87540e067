import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MARSHALL_OPTIONS } from '../store/document-client';
import type { LambdaInvoker } from '../shared/function-invoker';
import type { DocumentClientLike } from '../query/repository';
import { AppResources, localNames } from './app-resources';
import { readCloudAssembly, type LocalTopology } from './cloud-assembly';
import { startLocalEndpoint, type AsyncInvocation } from './local-endpoint';
import { LocalSqlDatabase } from './local-sql-database';
import { ENV } from '../../lib/private/runtime-contract';
import { queuePoller, streamPoller, type Poll } from './event-source-mappings';
import { FunctionHost, type Invocation } from './function-host';
import type { HttpApiResource } from './http-api-topology';
import { startLocalHttpApi, type HttpRequestTrace, type RunningHttpApi } from './local-http-api';
import { LocalIssuer, type TokenRequest } from './local-issuer';
import { LocalBus, type RoutedEvent } from './local-bus';
import { localLambdaClient } from './local-lambda-client';
import { LocalClock, createLocalQueues, type LocalQueue } from './local-queue';
import { createLocalTable } from './local-tables';
import { StreamReader } from './stream-reader';

/** What the local runtime reports as it runs, for a trace. */
export type LocalTrace =
  | { readonly kind: 'invoked'; readonly functionName: string; readonly event: unknown; readonly invocation: Invocation }
  | { readonly kind: 'routed'; readonly routed: RoutedEvent }
  /** A request one of the app's HTTP APIs answered (after the invocation it made, if any). */
  | { readonly kind: 'http'; readonly request: HttpRequestTrace }
  | { readonly kind: 'clock'; readonly advancedMs: number };

export interface LocalCloudOptions {
  /** The cloud assembly: the `outdir` of `cdk synth` (`cdk.out`). */
  readonly assemblyDirectory: string;
  /** DynamoDB Local's endpoint, e.g. `http://127.0.0.1:8000`. */
  readonly dynamoDbEndpoint: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * Where the functions' `@aws-sdk/*` imports come from: the Lambda runtime provides AWS SDK v3,
   * so bundles leave it out, and locally it is resolved from this folder's node_modules.
   * @default process.cwd() (your app, with the @aws-sdk clients in its devDependencies)
   */
  readonly awsSdkFrom?: string;
  /** Table names are this plus the table's logical ID, so that several runs can share one DynamoDB Local. @default - a random prefix */
  readonly tablePrefix?: string;
  readonly onTrace?: (trace: LocalTrace) => void;
  /** Delivers every nth routed event twice, to show that projectors skip duplicates. @default - each event once */
  readonly duplicateDeliveryEvery?: number;
  /**
   * The loopback port of an HTTP API, by the API's name, construct path or logical ID (as
   * `httpUrl` finds it); an API not listed gets a free port.
   * @default - each API on a free port of 127.0.0.1
   */
  readonly httpPorts?: Readonly<Record<string, number>>;
}

/** What `start` set up for a run. */
interface Running {
  readonly topology: LocalTopology;
  readonly options: LocalCloudOptions;
  readonly region: string;
  /** The app's functions and tables by the names its user knows, and their local names. */
  readonly resources: AppResources;
  readonly streamArns: ReadonlyMap<string, string>;
  readonly dynamoDb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly clock: LocalClock;
  readonly queues: ReadonlyMap<string, LocalQueue>;
  /** Events routed while a publisher runs, traced after its invocation, in the order a reader expects. */
  readonly routed: RoutedEvent[];
  readonly baseEnvironment: Readonly<Record<string, string>>;
  readonly stopEndpoint: () => Promise<void>;
  /** Asynchronous Lambda invocations not yet run, each with the attempts it has had. */
  readonly asyncInvocations: (AsyncInvocation & { readonly attempts: number })[];
}

const LOCAL_ACCOUNT = '000000000000';

/**
 * One local PostgreSQL (PGlite) per SQL cluster the app's functions use, by the cluster ARN in
 * their environment (a cluster of the app, or one it imports): none when the app has no SQL read model.
 */
async function startSqlDatabases(topology: LocalTopology, resources: AppResources): Promise<Map<string, LocalSqlDatabase>> {
  const arns = new Set(topology.functions.filter((fn) => fn.environment[ENV.sqlClusterArn] !== undefined).map((fn) => resources.resolve(fn, ENV.sqlClusterArn)));
  const databases = new Map<string, LocalSqlDatabase>();
  try {
    for (const arn of arns) databases.set(arn, await LocalSqlDatabase.start());
  } catch (error) {
    await Promise.all([...databases.values()].map((database) => database.stop()));
    throw error;
  }
  return databases;
}
/** What `tokenFor` signs for when the app has no JWT authorizer (its IAM routes take any issuer). */
const LOCAL_ONLY_AUTHORIZER = { issuer: 'https://cdk-cqrs.local/', audience: ['cdk-cqrs-local'] };
/** Lambda retries a failed asynchronous invocation twice unless its EventInvokeConfig says otherwise. */
const ASYNC_INVOKE_RETRIES = 2;
/** A run that keeps finding work after this many rounds is looping (say, a stream batch that fails forever without a destination). */
const MAX_SETTLE_ROUNDS = 10_000;

/**
 * A synthesized CDK app, run on this machine: its tables in DynamoDB Local, its functions' bundled
 * code in worker threads with the environment from the template (AWS SDK calls go to DynamoDB
 * Local and to a local EventBridge endpoint), its tables' streams polled as Lambda does, its
 * rules' event patterns routing events to in-memory queues with SQS semantics, and those queues
 * polled into their functions. Nothing runs until `settle()`, so a test can hold projectors back.
 */
export class LocalCloud {
  /** Starts the app's resources; `stop()` ends every worker and server it started. */
  static async start(options: LocalCloudOptions): Promise<LocalCloud> {
    const topology = readCloudAssembly(options.assemblyDirectory);
    const region = options.region ?? 'us-east-1';
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const dynamoDb = new DynamoDBClient({ endpoint: options.dynamoDbEndpoint, region, credentials });
    const streams = new DynamoDBStreamsClient({ endpoint: options.dynamoDbEndpoint, region, credentials });
    let stopEndpoint: (() => Promise<void>) | undefined;
    let sqlDatabases: Map<string, LocalSqlDatabase> | undefined;
    // Whatever fails after this point must not leave the clients or the endpoint holding the process open.
    try {
      const resources = new AppResources(topology, localNames(topology, options.tablePrefix ?? `local-${randomUUID().slice(0, 8)}-`), {
        'AWS::Region': region, 'AWS::AccountId': LOCAL_ACCOUNT, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com',
      });
      const streamArns = new Map<string, string>();
      for (const table of topology.tables) {
        const streamArn = await createLocalTable(dynamoDb, table, resources.nameOf(table.key));
        if (streamArn) streamArns.set(table.key, streamArn);
      }
      const clock = new LocalClock();
      const queues = createLocalQueues(topology.queues, clock, `arn:aws:sqs:${region}:${LOCAL_ACCOUNT}:`);
      const routed: RoutedEvent[] = [];
      const bus = new LocalBus({ account: LOCAL_ACCOUNT, region, duplicateEvery: options.duplicateDeliveryEvery, onRouted: (event) => routed.push(event) });
      for (const rule of topology.rules) {
        bus.addRule({
          name: rule.path, busName: resources.nameOf(rule.bus), eventPattern: rule.eventPattern,
          deliver: (event, delaySeconds) => rule.targetQueues.forEach((queue) => queues.get(queue)?.send(JSON.stringify(event), delaySeconds)),
        });
      }
      const asyncInvocations: Running['asyncInvocations'] = [];
      sqlDatabases = await startSqlDatabases(topology, resources);
      const databases = sqlDatabases;
      const endpoint = await startLocalEndpoint({
        bus,
        hasFunction: (name) => resources.functionsNamed(name).length === 1,
        onAsyncInvoke: (invocation) => asyncInvocations.push({ ...invocation, attempts: 0 }),
        sqlDatabaseOf: (resourceArn) => databases.get(resourceArn),
      });
      stopEndpoint = async () => {
        await endpoint.stop();
        await Promise.all([...databases.values()].map((database) => database.stop()));
      };
      const baseEnvironment = {
        AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: options.dynamoDbEndpoint, AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint.url, AWS_ENDPOINT_URL: endpoint.url,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', TZ: 'UTC',
      };
      const cloud = new LocalCloud({
        topology, options, region, resources, streamArns, dynamoDb, streams, clock, queues, routed, baseEnvironment, stopEndpoint, asyncInvocations,
      });
      stopEndpoint = undefined;
      try {
        await cloud.serveHttpApis();
        await cloud.applySqlMigrations();
      } catch (error) {
        await cloud.stop();
        throw error;
      }
      return cloud;
    } catch (error) {
      if (stopEndpoint) await stopEndpoint();
      else await Promise.all([...(sqlDatabases?.values() ?? [])].map((database) => database.stop()));
      dynamoDb.destroy();
      streams.destroy();
      throw error;
    }
  }

  /** The app as read from its cloud assembly. */
  public readonly topology: LocalTopology;
  private readonly hosts = new Map<string, FunctionHost>();
  private stopped = false;
  private stopping?: Promise<void>;
  private readonly polls: Poll[];
  private documentClient?: DynamoDBDocumentClient;
  /** The app's HTTP APIs, served from `start` to `stop`. */
  private readonly httpApis: RunningHttpApi[] = [];
  /** Signs `tokenFor`'s tokens and verifies those the HTTP APIs receive; made when the app has an HTTP API. */
  private issuer?: LocalIssuer;

  private constructor(private readonly run: Running) {
    this.topology = run.topology;
    const invoke = (key: string, event: unknown) => this.invokeByKey(key, event);
    this.polls = run.topology.mappings.map((mapping) => {
      const common = {
        functionKey: mapping.function, batchSize: mapping.batchSize, reportBatchItemFailures: mapping.reportBatchItemFailures, filterPatterns: mapping.filterPatterns,
      };
      if (mapping.source.kind === 'queue') return queuePoller({ ...common, queue: this.queue(mapping.source.queue) }, invoke);
      const streamArn = run.streamArns.get(mapping.source.table);
      if (!streamArn) throw new Error(`cdk-cqrs local: ${mapping.path} reads the stream of a table without one.`);
      return streamPoller({
        ...common, reader: new StreamReader(run.streams, streamArn, run.region),
        maximumRetryAttempts: mapping.maximumRetryAttempts, onFailure: mapping.onFailureQueue ? this.queue(mapping.onFailureQueue) : undefined,
      }, invoke);
    });
    this.polls.push(() => this.runAsyncInvocations());
  }

  /** Invokes a function, found by its name (logical ID), its construct path or a part of it that is unique; a thrown error is thrown here. */
  async invoke(functionName: string, event: unknown): Promise<unknown> {
    const fn = this.run.resources.findFunction(functionName);
    const invocation = await this.invokeByKey(fn.key, event);
    if (!invocation.ok) throw Object.assign(new Error(`${fn.path} failed: ${invocation.error.errorType}: ${invocation.error.errorMessage}`), { invocation });
    return invocation.result;
  }

  /**
   * Delivers everything that is pending, as AWS would, until nothing is left: new stream records
   * to their functions (the outbox publishes them to the bus, whose rules fill the queues), and
   * queued messages to theirs. When only messages inside their visibility timeout are left, the
   * local clock jumps to when they are visible again, so retries and redrive take no real time.
   */
  async settle(): Promise<void> {
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round += 1) {
      let delivered = 0;
      for (const poll of this.polls) delivered += await poll();
      if (delivered > 0) continue;
      // Only messages that are not visible yet are left (a visibility timeout, a delay): jump to the first.
      const next = Math.min(...[...this.run.queues.values()].map((q) => q.nextVisibleAtMs() ?? Number.POSITIVE_INFINITY));
      if (next === Number.POSITIVE_INFINITY) return;
      this.run.options.onTrace?.({ kind: 'clock', advancedMs: next - this.run.clock.now() });
      this.run.clock.advanceTo(next);
    }
    throw new Error(`cdk-cqrs local: still delivering after ${MAX_SETTLE_ROUNDS} rounds; a batch keeps failing with no destination to give it up to.`);
  }

  /** A DynamoDB document client of the DynamoDB Local the app runs on, to read its tables (a Repository takes it as `dynamoDb`). */
  documents(): DocumentClientLike {
    this.documentClient ??= DynamoDBDocumentClient.from(this.run.dynamoDb, { marshallOptions: MARSHALL_OPTIONS });
    return this.documentClient;
  }

  /** The name of the command handler of an aggregate (`aggregateName` as given to CqrsAggregate). */
  commandHandlerName(aggregateName: string): string {
    return this.run.resources.commandHandlerName(aggregateName);
  }

  /** The name of the query function of an aggregate (`aggregateName` as given to CqrsAggregate); throws unless the aggregate has `queries`. */
  queryHandlerName(aggregateName: string): string {
    return this.run.resources.queryHandlerName(aggregateName);
  }

  /** The local name of the read-model table a projection writes (`projectionName` as given in `projections`). */
  readModelTableName(projectionName: string): string {
    return this.run.resources.readModelTableName(projectionName);
  }

  /** The local name of an aggregate's event store. */
  eventStoreTableName(aggregateName: string): string {
    return this.run.resources.eventStoreTableName(aggregateName);
  }

  /** The local name of an aggregate's session table; throws unless the aggregate has `readYourWrites`. */
  sessionTableName(aggregateName: string): string {
    return this.run.resources.sessionTableName(aggregateName);
  }

  /**
   * A Lambda client for the runtime's `CommandClient` (and anything that sends `InvokeCommand`s):
   * `new CommandClient({ functionName: local.commandHandlerName('Customer'), lambda: local.lambdaClient() })`.
   * An invocation of type `Event` is answered 202 at once and runs in `settle()`, as in Lambda.
   */
  lambdaClient(): LambdaInvoker {
    return localLambdaClient({
      functionKey: (functionName) => this.run.resources.findFunction(functionName).key,
      invoke: (key, payload) => this.invokeByKey(key, payload),
      invokeLater: (key, payload) => this.run.asyncInvocations.push({ functionName: key, payload, attempts: 0 }),
    });
  }

  /**
   * The base URL of one of the app's HTTP APIs, served on 127.0.0.1 (`http://127.0.0.1:<port>`,
   * the `$default` stage; another stage is under `/<stage name>`). With one API, no name is
   * needed; with several, give the API's name, logical ID, construct path or a unique part of it.
   */
  httpUrl(apiName?: string): string {
    return this.findHttpApi(apiName).url;
  }

  /**
   * A token of the local issuer (ES256, signed by the key pair this run made at start), that the
   * app's JWT routes accept as API Gateway accepts one from the identity provider: by default for
   * the issuer and first audience of the app's one JWT authorizer (give `issuer`, and `audience`,
   * when it has several), valid for an hour. Add scopes as a claim: `claims: { scope: 'orders:write' }`.
   * An IAM route takes it too, as a stand-in for a SigV4 signature, its `sub` as the caller's ARN.
   */
  async tokenFor(request: TokenRequest): Promise<string> {
    if (!this.issuer) throw new Error('cdk-cqrs local: the app has no HTTP API, so there is nothing a token would be for.');
    const authorizers = [...new Map(this.topology.apis.flatMap((api) => api.routes)
      .flatMap((route) => (route.authorization.kind === 'JWT' ? [route.authorization.authorizer] : [])).map((a) => [a.path, a])).values()];
    // An app with IAM routes only has no issuer to sign for: any will do there.
    const candidates = authorizers.length === 0 ? [LOCAL_ONLY_AUTHORIZER] : authorizers.filter((a) => request.issuer === undefined || a.issuer === request.issuer);
    const issuer = request.issuer ?? (candidates.length === 1 ? candidates[0].issuer : undefined);
    const audience = request.audience ?? (new Set(candidates.map((a) => a.audience[0])).size === 1 ? candidates[0].audience[0] : undefined);
    if (issuer === undefined || audience === undefined) {
      const known = authorizers.map((a) => `${a.path} (issuer ${a.issuer}, audience ${a.audience.join(', ') || 'none'})`).join('; ') || 'none';
      throw new Error(`cdk-cqrs local: give tokenFor an issuer and an audience: the app's JWT authorizers do not name one of each. Its JWT authorizers: ${known}.`);
    }
    return this.issuer.sign({ ...request, issuer, audience });
  }

  /** The messages in a queue, found by its construct path or logical ID (to look into a dead-letter queue). */
  queueBodies(queueName: string): string[] {
    return this.queue(this.run.resources.findQueue(queueName).key).peekBodies();
  }

  /**
   * Ends every function worker, the local AWS endpoint and the DynamoDB clients, so that nothing
   * of the run holds the process open. The tables stay in DynamoDB Local. Calling it again, or
   * while it runs, waits for the same stop.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    this.stopped = true;
    try {
      // The HTTP APIs first, so that no request starts a function while the functions stop.
      await Promise.all(this.httpApis.splice(0).map((api) => api.stop()));
      await this.issuer?.stop();
      await Promise.all([...this.hosts.values()].map((host) => host.stop()));
      this.hosts.clear();
      await this.run.stopEndpoint();
    } finally {
      this.run.dynamoDb.destroy();
      this.run.streams.destroy();
    }
  }

  /**
   * Loads every function's bundle in its worker, as Lambda's init does on a first invocation, so
   * that the first invocations of a test do not pay for it (a test runner's per-test timeout is
   * 5 s by default). A bundle that fails to load fails its first invocation, as in Lambda.
   */
  async warm(): Promise<void> {
    await Promise.all(this.topology.functions.map((fn) => this.hostOf(fn.key).host.warm()));
  }

  /** The function `key` of the assembly, and its container (started on first use). */
  private hostOf(key: string): { readonly host: FunctionHost; readonly fn: LocalTopology['functions'][number] } {
    if (this.stopped) throw new Error('cdk-cqrs local: the app was stopped; start it again to invoke its functions.');
    const fn = this.topology.functions.find((f) => f.key === key);
    if (!fn) throw new Error(`cdk-cqrs local: no function ${key} in the assembly.`);
    let host = this.hosts.get(key);
    if (!host) {
      const name = this.run.resources.nameOf(key);
      const environment = { ...this.run.baseEnvironment, AWS_LAMBDA_FUNCTION_NAME: name, ...this.run.resources.environmentOf(fn) };
      host = new FunctionHost({
        name, codeDirectory: fn.codeDirectory, handler: fn.handler, timeoutSeconds: fn.timeoutSeconds, environment,
        providedModulesFrom: this.run.options.awsSdkFrom ?? process.cwd(),
      });
      this.hosts.set(key, host);
    }
    return { host, fn };
  }

  /**
   * Serves each HTTP API of the app on 127.0.0.1, from start: its URL is known at once (so
   * `httpUrl` needs no await), and a server costs a few milliseconds. The issuer's key pair is
   * made here too (jose loaded in its worker), only for an app that has an HTTP API.
   */
  /**
   * Applies each SQL read model's migrations, as CloudFormation would create its
   * `Custom::CqrsSqlMigrations` resource at deploy: its function is invoked with the resource's
   * properties (and no response URL: it answers the invocation instead).
   */
  private async applySqlMigrations(): Promise<void> {
    for (const resource of this.topology.sqlMigrations) {
      const invocation = await this.invokeByKey(resource.function, { RequestType: 'Create', LogicalResourceId: resource.logicalId, ResourceProperties: resource.properties });
      if (!invocation.ok) throw new Error(`cdk-cqrs local: the migrations of ${resource.path} failed: ${invocation.error.errorType}: ${invocation.error.errorMessage}`);
    }
  }

  private async serveHttpApis(): Promise<void> {
    if (this.topology.apis.length === 0) return;
    this.issuer = await LocalIssuer.create();
    const ports = Object.entries(this.run.options.httpPorts ?? {}).map(([name, port]) => [this.findHttpApiResource(name).key, port] as const);
    for (const api of this.topology.apis) {
      this.httpApis.push(await startLocalHttpApi({
        api, accountId: LOCAL_ACCOUNT, issuer: this.issuer, port: ports.find(([key]) => key === api.key)?.[1],
        invoke: (key, event) => this.invokeByKey(key, event),
        onRequest: (request) => this.run.options.onTrace?.({ kind: 'http', request }),
      }));
    }
  }

  /** The one HTTP API a name points at: its name, logical ID, key or construct path, else a unique part of its construct path; with no name, the app's only one. */
  private findHttpApiResource(apiName: string | undefined): HttpApiResource {
    const apis = this.topology.apis;
    const exact = apis.filter((api) => apiName === undefined || [api.name, api.logicalId, api.key, api.path].includes(apiName));
    const matches = exact.length > 0 || apiName === undefined ? exact : apis.filter((api) => api.path.includes(apiName));
    if (matches.length !== 1) {
      const known = apis.map((api) => `${api.name} (${api.path})`).join(', ') || 'none';
      throw new Error(`cdk-cqrs local: ${matches.length} HTTP APIs match ${apiName === undefined ? 'no name given' : `'${apiName}'`}; name one. The app's HTTP APIs: ${known}.`);
    }
    return matches[0];
  }

  private findHttpApi(apiName: string | undefined): RunningHttpApi {
    const resource = this.findHttpApiResource(apiName);
    const running = this.httpApis.find((api) => api.api.key === resource.key);
    if (!running) throw new Error('cdk-cqrs local: the app was stopped; its HTTP APIs are no longer served.');
    return running;
  }

  private async invokeByKey(key: string, event: unknown): Promise<Invocation> {
    const { host, fn } = this.hostOf(key);
    const invocation = await host.invoke(event);
    this.run.options.onTrace?.({ kind: 'invoked', functionName: fn.path.replace(/\/Resource$/, ''), event, invocation });
    for (const routed of this.run.routed.splice(0)) this.run.options.onTrace?.({ kind: 'routed', routed });
    return invocation;
  }

  /**
   * Runs the asynchronous invocations queued so far (those they queue run in the next round). As
   * Lambda does by default, a failed one is tried twice more, then dropped; the trace shows each try.
   */
  private async runAsyncInvocations(): Promise<number> {
    const due = this.run.asyncInvocations.splice(0);
    for (const invocation of due) {
      const fn = this.run.resources.findFunction(invocation.functionName);
      const result = await this.invokeByKey(fn.key, invocation.payload);
      if (!result.ok && invocation.attempts < ASYNC_INVOKE_RETRIES) this.run.asyncInvocations.push({ ...invocation, attempts: invocation.attempts + 1 });
    }
    return due.length;
  }

  private queue(key: string): LocalQueue {
    const queue = this.run.queues.get(key);
    if (!queue) throw new Error(`cdk-cqrs local: no queue ${key} in the assembly.`);
    return queue;
  }
}
