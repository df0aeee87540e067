import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AggregateAlarms } from './private/constructs/alarms';
import { CommandFunction } from './private/constructs/command-function';
import { EventPublisher } from './private/constructs/event-publisher';
import { EventStoreTable } from './private/constructs/event-store-table';
import { OwnedRole } from './private/constructs/owned-role';
import { validateAggregateProps } from './private/aggregate-validation';
import { checkDefinitions } from './private/definition-checks';
import { registerAggregateInternals } from './private/aggregate-internals';
import { checkBusFree, joinBus, type BusTenant } from './private/shared-bus';
import { AGGREGATE_PART_IDS } from './private/construct-ids';
import type { IProjection } from './projection-props';
import { grantReadModelRead } from './private/constructs/read-model-table';
import { provisionReadSide } from './private/constructs/read-side';
import { QueryFunction } from './private/constructs/query-function';
import { SessionTable, grantSessionRead } from './private/constructs/session-table';
import { AGGREGATE_DEFAULTS as DEFAULTS, type CqrsAggregateProps } from './cqrs-aggregate-props';
import type { ConnectOptions } from './connect-options';
import { claimClientNames, resolveConnection } from './private/client-connection';
import { clientEnvName, type ClientEnvPart } from './private/runtime-contract';

/**
 * The write side of an event-sourced aggregate: an event store, a command handler bundled
 * from your domain module, an outbox that puts each stored event on an EventBridge bus, and
 * alarms.
 *
 * @example
 * const customers = new CqrsAggregate(this, 'Customers', {
 *   aggregateName: 'Customer',
 *   entry: path.join(__dirname, '../domain/customer.ts'),
 * });
 * customers.connect(apiFunction);
 */
export class CqrsAggregate extends Construct {
  /** The aggregate's name, as given in `aggregateName`. */
  public readonly aggregateName: string;
  /** The event store: one partition per aggregate, one item per version. */
  public readonly eventStore: dynamodb.ITableV2;
  /** The bus that the stored events are put on. */
  public readonly eventBus: events.IEventBus;
  /** The function that takes commands (invoke it with the command envelope). */
  public readonly commandHandler: lambda.IFunction;
  /** The outbox function on the event store's stream. */
  public readonly publisher: lambda.IFunction;
  /** Where the publisher puts the stream positions of batches it could not publish. */
  public readonly publisherDeadLetterQueue: sqs.IQueue;
  /**
   * The AWS CLI command that puts the stored events of a time window on the bus again: the way
   * back for a batch in the publisher's DLQ. Replace `<from>` and `<to>` by ISO 8601 times (UTC,
   * e.g. `2026-01-31T09:30:00Z`); events whose `metadata.occurredAt` is in the window are
   * republished, each aggregate's in version order. See docs/operations.md.
   */
  public readonly republishCommand: string;
  /** The `source` of this aggregate's events on the bus: `<namespace>.<aggregateName>`. */
  public readonly eventSource: string;
  /** The aggregate's alarms, its projections' included, with no actions: add yours. */
  public readonly alarms: cloudwatch.AlarmBase[];
  /**
   * The read model: one document per aggregate and projection.
   *
   * Undefined when the aggregate has no `projections`.
   */
  public readonly readModel?: dynamodb.ITableV2;
  /** The projections, in the order of `projections`. */
  public readonly projections: IProjection[];
  /**
   * The session table of read-your-writes.
   *
   * Undefined without `readYourWrites`.
   */
  public readonly sessionTable?: dynamodb.ITableV2;
  /**
   * The query function: invoke it with `{ type, params }`.
   *
   * Undefined without `queries`.
   */
  public readonly queryHandler?: lambda.IFunction;
  /** The read model's index names, for `grantReadModel`. */
  private readonly readModelIndexNames: string[];
  private readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: CqrsAggregateProps) {
    super(scope, id);
    const where = `CqrsAggregate '${id}'`;
    validateAggregateProps(where, props);
    const namespace = props.namespace ?? DEFAULTS.namespace;
    // An aggregate that owns its bus shares it with none.
    const tenant = (eventBus: events.IEventBus): BusTenant => ({ aggregate: this, eventBus, aggregateName: props.aggregateName, namespace });
    if (props.eventBus) checkBusFree(where, tenant(props.eventBus));
    const definitions = checkDefinitions(where, props);
    const removalPolicy = props.removalPolicy ?? DEFAULTS.removalPolicy;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;
    this.eventSource = `${namespace}.${props.aggregateName}`;
    this.aggregateName = props.aggregateName;

    const store = new EventStoreTable(this, AGGREGATE_PART_IDS.eventStore, { removalPolicy, encryptionKey: props.encryptionKey });
    this.eventStore = store.table;
    this.eventBus = props.eventBus ?? new events.EventBus(this, AGGREGATE_PART_IDS.bus);
    this.sessionTable = props.readYourWrites && new SessionTable(this, AGGREGATE_PART_IDS.sessionTable, { encryptionKey: props.encryptionKey }).table;

    this.commandHandler = new CommandFunction(this, AGGREGATE_PART_IDS.commandHandler, {
      entry: path.resolve(props.entry),
      aggregateName: props.aggregateName,
      eventSource: this.eventSource,
      eventStore: this.eventStore,
      encryptionKey: props.encryptionKey,
      snapshotEvery: props.snapshotEvery ?? DEFAULTS.snapshotEvery,
      maxConflictRetries: props.maxConflictRetries ?? DEFAULTS.maxConflictRetries,
      idempotencyTtl: props.idempotencyTtl ?? DEFAULTS.idempotencyTtl,
      memorySize: props.commandHandlerMemorySize ?? DEFAULTS.commandHandlerMemorySize,
      timeout: props.commandHandlerTimeout ?? DEFAULTS.commandHandlerTimeout,
      logRetention,
      logRemovalPolicy: removalPolicy,
      sessions: this.sessionTable && { table: this.sessionTable, ttl: props.readYourWrites?.ttl ?? DEFAULTS.sessionTtl },
    }).function;

    const publisher = new EventPublisher(this, AGGREGATE_PART_IDS.publisher, {
      aggregateName: props.aggregateName,
      eventSource: this.eventSource,
      eventStore: this.eventStore,
      eventBus: this.eventBus,
      encryptionKey: props.encryptionKey,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
    this.publisher = publisher.function;
    this.publisherDeadLetterQueue = publisher.deadLetterQueue;
    this.republishCommand = publisher.republishCommand;

    const aggregateAlarms = new AggregateAlarms(this, AGGREGATE_PART_IDS.alarms, {
      aggregateName: props.aggregateName,
      publisherLag: this.metricPublisherLag(),
      commandErrors: this.metricCommandErrors(),
      publisherDeadLetterQueue: this.publisherDeadLetterQueue,
    }).alarms;

    this.encryptionKey = props.encryptionKey;
    const readSide = provisionReadSide(this, {
      ...props,
      where,
      eventSource: this.eventSource,
      eventBus: this.eventBus,
      eventStore: this.eventStore,
      logRetention,
      removalPolicy,
    });
    this.readModel = readSide.readModel;
    this.readModelIndexNames = readSide.readModelIndexNames;
    this.projections = readSide.projections;
    this.alarms = [...aggregateAlarms, ...this.projections.flatMap((projection) => projection.alarms)];
    if (props.queries && this.readModel) {
      this.queryHandler = new QueryFunction(this, AGGREGATE_PART_IDS.queryHandler, {
        aggregateName: props.aggregateName,
        entry: path.resolve(props.queries.entry),
        readModel: this.readModel,
        readModelIndexNames: this.readModelIndexNames,
        encryptionKey: props.encryptionKey,
        memorySize: props.queries.memorySize ?? DEFAULTS.queryMemorySize,
        timeout: props.queries.timeout ?? DEFAULTS.queryTimeout,
        logRetention,
        logRemovalPolicy: removalPolicy,
        readYourWrites: this.sessionTable && { sessionTable: this.sessionTable, eventStore: this.eventStore },
      }).function;
    }
    registerAggregateInternals(this, {
      aggregateName: props.aggregateName,
      definitions,
      eventStore: this.eventStore,
      readModel: this.readModel,
      sessionTable: this.sessionTable,
      commandHandler: this.commandHandler,
      queryHandler: this.queryHandler,
      encryptionKey: props.encryptionKey,
      logRetention,
      removalPolicy,
      readerMemorySize: props.queries?.memorySize ?? DEFAULTS.queryMemorySize,
      readerTimeout: props.queries?.timeout ?? DEFAULTS.queryTimeout,
    });
    joinBus(tenant(this.eventBus));
    // The aggregate's own permissions are in its functions' roles; what the user grants from now
    // on goes to a default policy, as for any role (see OwnedRole).
    OwnedRole.sealAll(this);
  }

  /**
   * Gives `fn` what the runtime's clients of this aggregate need, in one call: the grants, and the
   * environment variables they read, so that in `fn`'s code `new CommandClient({ aggregateName })`,
   * `new QueryClient({ aggregateName })` and `new Repository(view, { aggregateName, projectionName })`
   * find their function or table. By default it gives all the aggregate has: sending commands, the
   * read model (with read-your-writes when the aggregate has it) and queries; `options` leave parts
   * out. The variables are `CQRS_<aggregateName>_COMMAND_FUNCTION`, `_QUERY_FUNCTION`,
   * `_READ_MODEL_TABLE`, `_SESSION_TABLE` and `_EVENT_STORE_TABLE`.
   *
   * Throws if `options` ask for a part the aggregate lacks, or for nothing, or if `fn` is already
   * connected to another aggregate of the same name.
   */
  public connect(fn: lambda.Function, options: ConnectOptions = {}): iam.Grant {
    const where = `CqrsAggregate '${this.node.id}'`;
    const connection = resolveConnection(where, options, { hasReadModel: this.readModel !== undefined, hasQueries: this.queryHandler !== undefined });
    claimClientNames(where, fn, this.aggregateName, this);
    const grants: iam.Grant[] = [];
    const setEnv = (part: ClientEnvPart, value: string) => fn.addEnvironment(clientEnvName(this.aggregateName, part), value);
    if (connection.sendCommands) {
      grants.push(this.grantSendCommand(fn));
      setEnv('commandFunction', this.commandHandler.functionName);
    }
    if (connection.readModel && this.readModel) {
      setEnv('readModelTable', this.readModel.tableName);
      if (this.sessionTable) {
        grants.push(this.grantReadYourWrites(fn));
        setEnv('sessionTable', this.sessionTable.tableName);
        setEnv('eventStoreTable', this.eventStore.tableName);
      } else {
        grants.push(this.grantReadModel(fn));
      }
    }
    if (connection.queries && this.queryHandler) {
      grants.push(this.grantQuery(fn));
      setEnv('queryFunction', this.queryHandler.functionName);
    }
    return grants.reduce((all, grant) => all.combine(grant));
  }

  /**
   * Lets `grantee` run queries: `lambda:InvokeFunction` on the query function.
   *
   * Throws if the aggregate has no `queries`.
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    if (!this.queryHandler) {
      throw new Error(`CqrsAggregate '${this.node.id}': grantQuery needs a query function, and there is none without queries. Set queries: { entry } to a module whose default export is defineQueries(...).`);
    }
    return this.queryHandler.grantInvoke(grantee);
  }

  /**
   * The projection named `projectionName`; throws if the aggregate has none of that name.
   */
  public projection(projectionName: string): IProjection {
    const found = this.projections.find((projection) => projection.projectionName === projectionName);
    if (!found) {
      const names = this.projections.map((projection) => `'${projection.projectionName}'`).join(', ') || 'none';
      throw new Error(`CqrsAggregate '${this.node.id}': no projection named '${projectionName}' (projections: ${names}).`);
    }
    return found;
  }

  /**
   * Lets `grantee` read the read model: `GetItem`, `BatchGetItem` and `Query` on the table and
   * its indexes (no scans, no writes), and decrypt with the `encryptionKey` if one is given.
   *
   * Throws if the aggregate has no `projections`, hence no read model.
   */
  public grantReadModel(grantee: iam.IGrantable): iam.Grant {
    if (!this.readModel) {
      throw new Error(`CqrsAggregate '${this.node.id}': grantReadModel needs a read model, and there is none without projections. Add a projection to projections.`);
    }
    return grantReadModelRead(grantee, this.readModel, this.readModelIndexNames, this.encryptionKey);
  }

  /**
   * Lets `grantee` read its sessions' own writes with the runtime's `Repository` (`get` and
   * `query` given a `sessionId`): what `grantReadModel` allows, plus `Query` on the session table
   * and on the event store (the events between the read model and a session's entries), and
   * decrypt with the `encryptionKey` if one is given. No writes, no scans.
   *
   * Throws if the aggregate has no `readYourWrites` or no `projections`.
   */
  public grantReadYourWrites(grantee: iam.IGrantable): iam.Grant {
    if (!this.readModel) {
      // Named first: without projections, setting readYourWrites alone would not help.
      const andSet = this.sessionTable ? '' : ', and set readYourWrites: { ttl }';
      throw new Error(`CqrsAggregate '${this.node.id}': grantReadYourWrites needs a read model to merge a session's writes into, and there is none without projections. Add a projection to projections${andSet}.`);
    }
    if (!this.sessionTable) {
      throw new Error(`CqrsAggregate '${this.node.id}': grantReadYourWrites needs a session table, and there is none without readYourWrites. Set readYourWrites: { ttl } (or use grantReadModel).`);
    }
    return this.grantReadModel(grantee).combine(grantSessionRead(grantee, this.sessionTable, this.eventStore));
  }

  /**
   * Lets `grantee` send commands: `lambda:InvokeFunction` on the command handler.
   */
  public grantSendCommand(grantee: iam.IGrantable): iam.Grant {
    return this.commandHandler.grantInvoke(grantee);
  }

  /**
   * How far the outbox is behind the event store: the publisher's `IteratorAge` (milliseconds
   * between a record's write and its read). Maximum over 1 minute.
   */
  public metricPublisherLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.publisher.metric('IteratorAge', {
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /**
   * Faults of the command handler: its `Errors`. Rejected commands are answers, not errors,
   * so they do not count. Sum over 1 minute.
   */
  public metricCommandErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.commandHandler.metricErrors({
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...props,
    });
  }
}
