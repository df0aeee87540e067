import type { CommandOf } from '../write/aggregate-types';
import type { CommandEnvelope } from '../shared/envelope';

/** The commands of `Agg` (`typeof` an aggregate definition); any command envelope when none is given. */
type CommandsOf<Agg> = [Agg] extends [never] ? CommandEnvelope : CommandOf<Agg>;
import { CommandClient } from '../write/command-client';
import type { Projection } from '../projection/define-projection';
import { QueryClient } from '../query/query-client';
import { Repository } from '../query/repository';
import type { LocalCloud } from '../local/local-cloud';
import type { TokenRequest } from '../local/local-issuer';
import type { RunningDynamoDbLocal } from '../local/dynamodb-local';
import { synthQuietly, type SynthesizableApp } from './quiet-synth';

export interface LocalAppOptions {
  /**
   * Your CDK app, synthesized here: a function that builds it (`() => { const app = new App(); new ShopStack(app, 'Shop'); return app; }`),
   * or the App (or any Stage) itself. Built by a function, it is quiet: the "Bundling asset ..." lines
   * aws-cdk-lib writes to stderr as it bundles each function (when the function is constructed)
   * are left out of the test's output. Give this or `assembly`.
   */
  readonly app?: SynthesizableApp | (() => SynthesizableApp);
  /** An app synthesized already: what `app.synth()` returns, or any `{ directory }` of a cloud assembly, such as `cdk.out`. Give this or `app`. */
  readonly assembly?: { readonly directory: string };
  /**
   * A DynamoDB Local that is already running.
   * @default - DynamoDB Local is started (and fetched once, see `startDynamoDbLocal`) and stopped with the app
   */
  readonly dynamoDbEndpoint?: string;
  /** Where each step of the run is printed, one line each. @default - nowhere */
  readonly trace?: (line: string) => void;
  /** Where the functions' `@aws-sdk/*` imports are resolved from. @default process.cwd() */
  readonly awsSdkFrom?: string;
  /** Delivers every nth routed event twice (at-least-once delivery made to happen). @default - each event once */
  readonly duplicateDeliveryEvery?: number;
  /** The loopback port of an HTTP API, by its name, construct path or logical ID. @default - each API on a free port of 127.0.0.1 */
  readonly httpPorts?: Readonly<Record<string, number>>;
  /**
   * Table names start with this. Give the same to a later start on the same DynamoDB Local to run
   * a changed app on what an earlier run stored (an upgrade, say): tables that exist are used as
   * they are, and their streams are read from their start again (the projectors skip what they
   * applied already).
   * @default - a random prefix: each start has tables of its own
   */
  readonly tablePrefix?: string;
}

/**
 * Your synthesized CDK app, running on your machine, for tests in jest or vitest: its aggregates'
 * command handlers, outboxes, rules, queues, projectors and query functions are the very bundles
 * `cdk synth` built, on DynamoDB Local. Commands are answered at once; events reach the read model
 * when you call `settle()`, so a test can look at the moment between.
 *
 * `start` builds and synthesizes the app and starts DynamoDB Local (10-40 s): give its
 * `beforeAll` a timeout of 2 minutes (a hook's default, 5 s in jest and 10 s in vitest, is shorter
 * than a synth with bundling).
 *
 * @example
 * let local: LocalApp;
 * beforeAll(async () => {
 *   local = await LocalApp.start({ app: () => { const app = new App(); new ShopStack(app, 'Shop'); return app; } });
 * }, 120_000);
 * afterAll(() => local?.stop());
 *
 * test('a suspended customer shows as suspended', async () => {
 *   const customers = local.commands<typeof customer>('Customer');
 *   await customers.send({ type: 'RegisterCustomer', aggregateId: 'c-1', payload: { email: 'a@b.example', name: 'A' } });
 *   await customers.send({ type: 'SuspendCustomer', aggregateId: 'c-1', payload: { reason: 'fraud' } });
 *   await local.settle();
 *   expect(await local.repository(customerView, 'CustomerView').get('c-1')).toMatchObject({ status: 'SUSPENDED' });
 * });
 */
export class LocalApp {
  /**
   * Synthesizes the app (or takes the synthesized `assembly`), starts DynamoDB Local unless given
   * `dynamoDbEndpoint`, creates the app's tables and readies its functions. If any step fails,
   * what the earlier steps started is stopped before the error is thrown.
   */
  static async start(options: LocalAppOptions): Promise<LocalApp> {
    const assemblyDirectory = synthesizedDirectory(options);
    // Loaded here: specs that never start an app must not need the AWS SDK installed.
    const [{ LocalCloud: Cloud }, { formatTrace }, dynamoDbLocal] = await Promise.all([
      import('../local/local-cloud'), import('../local/trace'), import('../local/dynamodb-local'),
    ]);
    let started: RunningDynamoDbLocal | undefined;
    try {
      started = options.dynamoDbEndpoint === undefined ? await dynamoDbLocal.startDynamoDbLocal() : undefined;
      const trace = options.trace;
      const cloud = await Cloud.start({
        assemblyDirectory,
        dynamoDbEndpoint: options.dynamoDbEndpoint ?? started!.endpoint,
        awsSdkFrom: options.awsSdkFrom,
        duplicateDeliveryEvery: options.duplicateDeliveryEvery,
        tablePrefix: options.tablePrefix,
        httpPorts: options.httpPorts,
        onTrace: trace ? (entry) => trace(formatTrace(entry)) : undefined,
      });
      // Each bundle loaded now (its init), so a test's first commands fit its own timeout.
      await cloud.warm();
      return new LocalApp(cloud, started, dynamoDbLocal.stopDynamoDbLocal);
    } catch (error) {
      if (started) await dynamoDbLocal.stopDynamoDbLocal(started);
      throw error;
    }
  }

  private stopping?: Promise<void>;

  private constructor(
    /** The running app, for what this class does not wrap (invoking any function, a queue's messages, table names). */
    public readonly cloud: LocalCloud,
    private readonly dynamoDbLocal: RunningDynamoDbLocal | undefined,
    private readonly stopDynamoDbLocal: (running: RunningDynamoDbLocal) => Promise<void>,
  ) {}

  /** A client of an aggregate's command handler (`aggregateName` as given to CqrsAggregate); rejections throw their typed errors. */
  commands<Agg = never>(aggregateName: string): CommandClient<CommandsOf<Agg>> {
    return new CommandClient<CommandsOf<Agg>>({ functionName: this.cloud.commandHandlerName(aggregateName), lambda: this.cloud.lambdaClient() });
  }

  /**
   * A client of an aggregate's query function (`aggregateName` as given to CqrsAggregate, which
   * must have `queries`), typed by its queries: `local.queries<typeof orderQueries>('Order')`.
   * Rejections throw their typed errors.
   */
  queries<Q>(aggregateName: string): QueryClient<Q> {
    return new QueryClient<Q>({ functionName: this.cloud.queryHandlerName(aggregateName), lambda: this.cloud.lambdaClient() });
  }

  /**
   * A Repository of a projection's read model. With `readYourWritesOf` (the aggregate's name),
   * `get(id, { sessionId })` also applies the session's writes the projector has not applied yet.
   */
  repository<Agg, View>(projection: Projection<Agg, View>, projectionName: string, options: { readonly readYourWritesOf?: string } = {}): Repository<Agg, View> {
    const aggregateName = options.readYourWritesOf;
    return new Repository(projection, {
      tableName: this.cloud.readModelTableName(projectionName), projectionName, dynamoDb: this.cloud.documents(),
      readYourWrites: aggregateName === undefined ? undefined : {
        aggregateName, sessionTable: this.cloud.sessionTableName(aggregateName), eventStoreTable: this.cloud.eventStoreTableName(aggregateName),
      },
    });
  }

  /**
   * The base URL of one of the app's API Gateway HTTP APIs, served on 127.0.0.1 from `start` to
   * `stop` (routes, JWT authorizers and payload 2.0 events as API Gateway has them): the app's
   * only API, or the one `apiName` names (its name, or a unique part of its construct path).
   */
  httpUrl(apiName?: string): string {
    return this.cloud.httpUrl(apiName);
  }

  /**
   * A bearer token the app's JWT routes accept: signed by the run's local issuer, for the issuer
   * and audience of the app's JWT authorizer unless given. `fetch(url, { headers: { authorization: `Bearer ${await local.tokenFor({ sub: 'c-1' })}` } })`.
   */
  tokenFor(request: TokenRequest): Promise<string> {
    return this.cloud.tokenFor(request);
  }

  /** Delivers every stored event to the bus, the queues and the projectors, retries included, until nothing is left. */
  settle(): Promise<void> {
    return this.cloud.settle();
  }

  /**
   * Stops the functions and the local endpoint, and DynamoDB Local if this app started it; then
   * nothing of the app holds the process open. Calling it again, or while it runs, waits for the
   * same stop.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    try {
      await this.cloud.stop();
    } finally {
      if (this.dynamoDbLocal) await this.stopDynamoDbLocal(this.dynamoDbLocal);
    }
  }
}

/** The cloud assembly to run: `app` synthesized quietly, or `assembly` as given; exactly one of them. */
function synthesizedDirectory(options: LocalAppOptions): string {
  if (options.app !== undefined && options.assembly !== undefined) {
    throw new Error('cdk-cqrs LocalApp.start: give either your app ({ app }) or a synthesized assembly ({ assembly }), not both.');
  }
  if (options.app !== undefined) return synthQuietly(options.app).directory;
  if (options.assembly !== undefined) return options.assembly.directory;
  throw new Error('cdk-cqrs LocalApp.start: give your app: LocalApp.start({ app }) with the App your stacks are in (or { assembly } with what app.synth() returned).');
}
