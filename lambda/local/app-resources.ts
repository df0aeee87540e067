import { ENV, FUNCTION_ROLES, type FunctionRole } from '../../lib/private/runtime-contract';
import type { EnvValue, FunctionResource, LocalTopology, QueueResource } from './cloud-assembly';

/**
 * Resource key → the name the resource has in a local run. Tables get `tablePrefix` before their
 * logical ID, so that several runs can share one DynamoDB Local; a bus keeps its own name, as
 * the rules match it by that name; a function is known by its logical ID.
 */
export function localNames(topology: LocalTopology, tablePrefix: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const table of topology.tables) names.set(table.key, `${tablePrefix}${table.logicalId}`);
  for (const bus of topology.buses) names.set(bus.key, bus.name);
  for (const fn of topology.functions) names.set(fn.key, fn.logicalId);
  for (const resource of topology.named) names.set(resource.key, resource.logicalId);
  return names;
}

/**
 * The resources of an app as its user knows them: a function by its name, construct path or
 * ARN; the command handler and query function of an aggregate and the projector of a projection
 * by the names given to `CqrsAggregate`; and the local names of their tables, read from those functions'
 * environments (the template wires each function to its tables, so that is where they are said).
 *
 * A function's role is the one it states in `ENV.functionRole`, never guessed from its other
 * variables: a publisher and a projector are told the aggregate's name too, and a function the
 * user adds may carry any variable it likes.
 */
export class AppResources {
  constructor(
    private readonly topology: LocalTopology,
    /** Resource key → its local name (tables, buses, functions), as `localNames` answers. */
    private readonly names: ReadonlyMap<string, string>,
    /** The values of the pseudo parameters (`AWS::Region`, `AWS::AccountId`, `AWS::Partition`, `AWS::URLSuffix`). */
    private readonly pseudo: Readonly<Record<string, string>> = {},
  ) {}

  /** The local name of a resource; a resource without one (a queue, say) is known by its key. */
  nameOf(key: string): string {
    return this.names.get(key) ?? key;
  }

  /**
   * The functions a name points at: a logical ID, construct path or resource key, else a unique
   * part of a construct path; an ARN (with or without a qualifier) names its function.
   */
  functionsNamed(nameOrArn: string): FunctionResource[] {
    const name = nameOrArn.replace(/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/, '').replace(/:[^:/]+$/, '');
    const functions = this.topology.functions;
    const exact = functions.filter((f) => f.key === name || f.logicalId === name || f.path === name);
    return exact.length > 0 ? exact : functions.filter((f) => f.path.includes(name));
  }

  /** The one function a name points at (see `functionsNamed`); otherwise an error that lists the app's functions. */
  findFunction(name: string): FunctionResource {
    const matches = this.functionsNamed(name);
    if (matches.length !== 1) {
      throw new Error(`cdk-cqrs local: ${matches.length} functions match '${name}'. Functions: ${this.topology.functions.map((f) => f.logicalId).join(', ')}.`);
    }
    return matches[0];
  }

  /** The one queue whose logical ID is `name` or whose construct path contains it (to look into a dead-letter queue). */
  findQueue(name: string): QueueResource {
    const matches = this.topology.queues.filter((q) => q.logicalId === name || q.path.includes(name));
    if (matches.length !== 1) throw new Error(`cdk-cqrs local: ${matches.length} queues match '${name}'; give a construct path that names one.`);
    return matches[0];
  }

  /** The function whose role is `command-handler` for the aggregate named `aggregateName`. */
  commandHandlerOf(aggregateName: string): FunctionResource {
    return this.functionNamed('aggregate', FUNCTION_ROLES.commandHandler, ENV.aggregateName, aggregateName);
  }

  /**
   * The function whose role is `query-handler` for the aggregate named `aggregateName`; an
   * aggregate the app lacks, or one without `queries`, is an error that says which and what to set.
   */
  queryHandlerOf(aggregateName: string): FunctionResource {
    // The aggregate first: one the app lacks is an error that lists those it has.
    this.commandHandlerOf(aggregateName);
    const queryHandlers = this.topology.functions.filter((f) => literal(f.environment[ENV.functionRole]) === FUNCTION_ROLES.queryHandler);
    const handler = queryHandlers.find((f) => literal(f.environment[ENV.aggregateName]) === aggregateName);
    if (handler) return handler;
    // A query function synthesized before it was told its aggregate's name cannot be told apart.
    const unnamed = queryHandlers.some((f) => f.environment[ENV.aggregateName] === undefined)
      ? ` The app has query functions that do not say their aggregate (synthesized with an older cdk-cqrs?): run \`cdk synth\` again.`
      : '';
    throw new Error(`cdk-cqrs local: aggregate '${aggregateName}' has no query function: set queries: { entry } on its CqrsAggregate, to a module whose default export is defineQueries(...).${unnamed}`);
  }

  /** The function whose role is `projector` for the projection named `projectionName`. */
  projectorOf(projectionName: string): FunctionResource {
    return this.functionNamed('projection', FUNCTION_ROLES.projector, ENV.projectionName, projectionName);
  }

  /** The local name of the command handler of an aggregate (`aggregateName` as given to CqrsAggregate). */
  commandHandlerName(aggregateName: string): string {
    return this.nameOf(this.commandHandlerOf(aggregateName).key);
  }

  /** The local name of the query function of an aggregate (`aggregateName` as given to CqrsAggregate). */
  queryHandlerName(aggregateName: string): string {
    return this.nameOf(this.queryHandlerOf(aggregateName).key);
  }

  /** The local name of the read-model table a projection writes (`projectionName` as given in `projections`). */
  readModelTableName(projectionName: string): string {
    return this.resolve(this.projectorOf(projectionName), ENV.readModelTable);
  }

  /** The local name of an aggregate's event store. */
  eventStoreTableName(aggregateName: string): string {
    return this.resolve(this.commandHandlerOf(aggregateName), ENV.eventStoreTable);
  }

  /** The local name of an aggregate's session table; throws unless the aggregate has `readYourWrites`. */
  sessionTableName(aggregateName: string): string {
    const handler = this.commandHandlerOf(aggregateName);
    if (handler.environment[ENV.sessionTable] === undefined) {
      throw new Error(`cdk-cqrs local: aggregate '${aggregateName}' has no session table: set readYourWrites on its CqrsAggregate.`);
    }
    return this.resolve(handler, ENV.sessionTable);
  }

  /** A function's environment variable, with a `Ref` turned into the local name of what it points at. */
  resolve(fn: FunctionResource, variable: string): string {
    const value = fn.environment[variable];
    if (value === undefined) throw new Error(`cdk-cqrs local: ${fn.path} has no environment variable ${variable}.`);
    return this.resolveValue(value, `${fn.path} sets ${variable} to`);
  }

  private resolveValue(value: EnvValue, where: string): string {
    if ('literal' in value) return value.literal;
    if ('join' in value) return value.join.map((part) => this.resolveValue(part, where)).join(value.separator);
    if ('pseudo' in value) {
      const known = Object.hasOwn(this.pseudo, value.pseudo) ? this.pseudo[value.pseudo] : undefined;
      if (known === undefined) throw new Error(`cdk-cqrs local: ${where} the pseudo parameter ${value.pseudo}, which local runs do not provide.`);
      return known;
    }
    const name = this.names.get(value.ref);
    if (name === undefined) throw new Error(`cdk-cqrs local: ${where} a resource (${value.ref}) that local runs do not provide.`);
    return name;
  }

  /** A function's whole environment, resolved as `resolve` does each variable. */
  environmentOf(fn: FunctionResource): Record<string, string> {
    return Object.fromEntries(Object.keys(fn.environment).map((variable) => [variable, this.resolve(fn, variable)]));
  }

  /**
   * The one function of `role` whose environment `variable` is `name`; otherwise an error that
   * lists the names the functions of that role have.
   */
  private functionNamed(kind: string, role: FunctionRole, variable: string, name: string): FunctionResource {
    const candidates = this.topology.functions.filter((f) => literal(f.environment[ENV.functionRole]) === role);
    const matches = candidates.filter((f) => literal(f.environment[variable]) === name);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new Error(`cdk-cqrs local: the app has ${matches.length} ${kind}s named '${name}' (in different stacks?); run an assembly that has one.`);
    const known = [...new Set(candidates.map((f) => literal(f.environment[variable])))].filter((known) => known !== undefined);
    // A cdk.out synthesized before functions stated their role would otherwise read as an app without aggregates.
    const unstated = this.topology.functions.length > 0 && !this.topology.functions.some((f) => f.environment[ENV.functionRole] !== undefined)
      ? ` None of its functions sets ${ENV.functionRole} (synthesized with an older cdk-cqrs?): run \`cdk synth\` again.`
      : '';
    throw new Error(`cdk-cqrs local: the app has no ${kind} '${name}'. Its ${kind}s: ${known.join(', ') || 'none'}.${unstated}`);
  }
}

const literal = (value: EnvValue | undefined): string | undefined => (value && 'literal' in value ? value.literal : undefined);
