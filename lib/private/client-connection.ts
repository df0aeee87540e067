import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ConnectOptions } from '../connect-options';

/** What an aggregate has that a client could use. */
export interface ConnectableParts {
  readonly hasReadModel: boolean;
  readonly hasQueries: boolean;
}

/** The parts `connect` gives a function. */
export interface Connection {
  readonly sendCommands: boolean;
  readonly readModel: boolean;
  readonly queries: boolean;
}

/**
 * Turns `connect`'s options into the parts to give: each defaults to what the aggregate has, and
 * asking for a part it lacks (or for nothing) fails synth with the fix.
 */
export function resolveConnection(where: string, options: ConnectOptions, parts: ConnectableParts): Connection {
  if (options.readModel === true && !parts.hasReadModel) {
    throw new Error(`${where}: connect({ readModel: true }) needs a read model, and there is none without projections. Add a projection to projections, or leave readModel out.`);
  }
  if (options.queries === true && !parts.hasQueries) {
    throw new Error(`${where}: connect({ queries: true }) needs a query function, and there is none without queries. Set queries: { entry } to a module whose default export is defineQueries(...), or leave queries out.`);
  }
  const connection = {
    sendCommands: options.sendCommands ?? true,
    readModel: options.readModel ?? parts.hasReadModel,
    queries: options.queries ?? parts.hasQueries,
  };
  if (!connection.sendCommands && !connection.readModel && !connection.queries) {
    throw new Error(`${where}: connect(...) with these options gives the function nothing. Leave out sendCommands: false, or ask for readModel or queries.`);
  }
  return connection;
}

/** The aggregates connected to each function, by name: one function cannot tell two of one name apart. */
const connectedNames = new WeakMap<lambda.Function, Map<string, object>>();

/** Records that `aggregate` (named `aggregateName`) is connected to `fn`; throws if another aggregate of that name already is. */
export function claimClientNames(where: string, fn: lambda.Function, aggregateName: string, aggregate: object): void {
  const names = connectedNames.get(fn) ?? new Map<string, object>();
  const holder = names.get(aggregateName);
  if (holder !== undefined && holder !== aggregate) {
    throw new Error(`${where}: ${fn.node.path} is already connected to another aggregate named '${aggregateName}' (under another namespace): its CQRS_${aggregateName}_* variables would name two aggregates. Give the aggregates different aggregateNames, or pass functionName/tableName to the clients and use the grant methods instead.`);
  }
  names.set(aggregateName, aggregate);
  connectedNames.set(fn, names);
}
