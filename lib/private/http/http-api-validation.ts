import type { CqrsHttpApiProps } from '../../cqrs-http-api-props';
import { QUERIES_SEGMENT, type ExposedAggregate } from './http-routes';

const RESOURCE = /^[a-z][a-z0-9-]{0,62}$/;
/** A query type is a path segment of its own: characters a path takes unencoded, no `{` (a path parameter). */
const QUERY_TYPE = /^[A-Za-z0-9._~-]{1,128}$/;

/** Throws, naming the fix, for props an API cannot be built from: nothing is created before. */
export function validateHttpApiProps(where: string, props: CqrsHttpApiProps, exposed: readonly ExposedAggregate[]): void {
  if (exposed.length === 0) throw new Error(`${where}: aggregates is empty. Give at least one: aggregates: [{ aggregate }].`);
  checkLimits(where, props);
  const resources = new Map<string, string>();
  const queryTypes = new Map<string, string>();
  for (const entry of exposed) {
    const name = entry.aggregate.aggregateName;
    if (!RESOURCE.test(entry.resource) || entry.resource === QUERIES_SEGMENT) {
      throw new Error(`${where}: resource '${entry.resource}' of ${name} must be lower-case letters, digits and '-', starting with a letter, at most 63 characters, and not '${QUERIES_SEGMENT}' (the queries' segment). Set resource: 'orders', for example.`);
    }
    const taken = resources.get(entry.resource);
    if (taken !== undefined) throw new Error(`${where}: ${taken} and ${name} both have the resource '${entry.resource}'. Give one of them another resource.`);
    resources.set(entry.resource, name);
    if (!entry.commands && entry.projections.length === 0 && !entry.queries) {
      throw new Error(`${where}: ${name} exposes nothing (commands: false, no exposeProjections, no queries). Expose a part, or leave the aggregate out.`);
    }
    checkProjections(where, entry);
    if (entry.queries) {
      if (!entry.aggregate.queryHandler) throw new Error(`${where}: queries: true for ${name}, which has no queries. Set queries: { entry } on its CqrsAggregate, or leave queries out.`);
      for (const queryType of entry.aggregate.definitions.queryTypes ?? []) {
        if (!QUERY_TYPE.test(queryType)) throw new Error(`${where}: the query '${queryType}' of ${name} cannot be a path segment of /${QUERIES_SEGMENT}/{queryType}: use letters, digits, '.', '_', '~' and '-' (at most 128), or set queries: false.`);
        const owner = queryTypes.get(queryType);
        if (owner !== undefined) throw new Error(`${where}: ${owner} and ${name} both have a query '${queryType}', and both would be /${QUERIES_SEGMENT}/${queryType}. Rename one, or set queries: false on one aggregate.`);
        queryTypes.set(queryType, name);
      }
    }
  }
}

function checkLimits(where: string, props: CqrsHttpApiProps): void {
  const rate = props.throttlingRateLimit;
  const burst = props.throttlingBurstLimit;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw new Error(`${where}: throttlingRateLimit must be a number above 0 (given ${rate}).`);
  if (burst !== undefined && !(Number.isInteger(burst) && burst > 0)) throw new Error(`${where}: throttlingBurstLimit must be an integer above 0 (given ${burst}).`);
}

/** Each exposed projection is one of the aggregate's, listed once, and has documents to read. */
function checkProjections(where: string, entry: ExposedAggregate): void {
  const name = entry.aggregate.aggregateName;
  const known = entry.aggregate.definitions.projections;
  const seen = new Set<string>();
  for (const projectionName of entry.projections) {
    const projection = known.find((candidate) => candidate.projectionName === projectionName);
    if (!projection) {
      throw new Error(`${where}: exposeProjections of ${name} names '${projectionName}', which is not one of its projections (${known.map((candidate) => `'${candidate.projectionName}'`).join(', ') || 'none'}).`);
    }
    if (projection.kind === 'customProjection') {
      throw new Error(`${where}: exposeProjections of ${name} names '${projectionName}', a custom projection: its handlers write the read model their own way, so there is no document per aggregate to read. Expose it through a query instead.`);
    }
    if (!projection.readableOverHttp) {
      throw new Error(`${where}: exposeProjections of ${name} names '${projectionName}', which does not say who may read its documents. Add readableBy to its defineProjection(...): (view, { caller, aggregateId }) => true for the callers who may read that view (the example: its customer, or staff), or () => true to let every caller of the API read every document.`);
    }
    if (seen.has(projectionName)) throw new Error(`${where}: exposeProjections of ${name} names '${projectionName}' twice.`);
    seen.add(projectionName);
  }
}
