import { clientEnvName, type ClientEnvPart } from '../../lib/private/runtime-contract';

/** The value of `part` if `connect` set it, else undefined (for parts that are optional, such as read-your-writes). */
export function optionalConnectedName(aggregateName: string, part: ClientEnvPart, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[clientEnvName(aggregateName, part)];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The name of a function or table of the aggregate named `aggregateName`, from the environment
 * that `CqrsAggregate.connect(fn)` sets. Read when a client is made, so a function that was not
 * connected fails at its cold start with the fix, not at its first request.
 */
function connectedName(client: string, aggregateName: string, part: ClientEnvPart, orPass: string): string {
  const value = optionalConnectedName(aggregateName, part);
  if (value === undefined) {
    throw new Error(`${client} of aggregate '${aggregateName}': environment variable ${clientEnvName(aggregateName, part)} is not set. In your CDK app, connect this function to the aggregate: \`aggregate.connect(fn)\` sets it and grants the access; or pass ${orPass} yourself.`);
  }
  return value;
}

/**
 * The name a client was given (`explicit`, such as `functionName`), or else the one `connect` set
 * for `aggregateName`; a client given neither says how to give one.
 */
export function explicitOrConnectedName(client: string, explicit: { readonly prop: string; readonly value: string | undefined }, aggregateName: string | undefined, part: ClientEnvPart): string {
  if (explicit.value !== undefined) return explicit.value;
  if (typeof aggregateName !== 'string') {
    throw new Error(`${client} needs { aggregateName } (in a function given \`aggregate.connect(fn)\` in your CDK app) or { ${explicit.prop} }.`);
  }
  return connectedName(client, aggregateName, part, explicit.prop);
}
