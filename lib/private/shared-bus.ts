import { Stack, Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type { IConstruct } from 'constructs';

/**
 * Aggregates may share a bus, but not a `source`: each projection's rule matches the source
 * `<namespace>.<aggregateName>` and the aggregate's name in the envelope, so two aggregates
 * with the same name and namespace on one bus would feed each other's projections with events
 * they were not written for. Checked at construction, across the whole app (the bus may be
 * shared by stacks).
 */

/** An aggregate on a bus, as the check needs it. */
export interface BusTenant {
  readonly aggregate: IConstruct;
  readonly eventBus: events.IEventBus;
  readonly aggregateName: string;
  readonly namespace: string;
}

/** The aggregates of each app, by its root: a WeakMap, so that an app that is gone takes its list along. */
const tenantsByApp = new WeakMap<IConstruct, BusTenant[]>();

/** Throws if another aggregate of the app puts events with `tenant`'s source on its bus. */
export function checkBusFree(where: string, tenant: BusTenant): void {
  const clash = (tenantsByApp.get(tenant.aggregate.node.root) ?? []).find((other) => other.aggregateName === tenant.aggregateName && other.namespace === tenant.namespace && sameBus(other, tenant));
  if (clash) {
    throw new Error(`${where}: aggregateName '${tenant.aggregateName}' (namespace '${tenant.namespace}') is already taken on this eventBus by CqrsAggregate '${clash.aggregate.node.id}' (${clash.aggregate.node.path}): `
      + `both would put events with source '${tenant.namespace}.${tenant.aggregateName}' on it, and each one's projections would take the other's events. Give one of them another aggregateName or namespace, or its own eventBus.`);
  }
}

/** Records `tenant` in its app, once it is built: an aggregate whose construction failed takes no name. */
export function joinBus(tenant: BusTenant): void {
  const root = tenant.aggregate.node.root;
  tenantsByApp.set(root, [...tenantsByApp.get(root) ?? [], tenant]);
}

/**
 * The same bus object, or the same ARN where it names one bus: an ARN with no Token anywhere,
 * or one whose Tokens (account, region, partition) resolve alike, in one stack or in stacks of
 * one concrete account and region. Two env-agnostic stacks may deploy to different regions, so
 * their buses of one name are not taken for one.
 */
function sameBus(a: BusTenant, b: BusTenant): boolean {
  if (a.eventBus === b.eventBus) return true;
  if (a.eventBus.eventBusArn !== b.eventBus.eventBusArn) return false;
  if (!Token.isUnresolved(a.eventBus.eventBusArn)) return true;
  const [stackA, stackB] = [Stack.of(a.aggregate), Stack.of(b.aggregate)];
  if (stackA === stackB) return true;
  const concrete = (stack: Stack) => !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region);
  return concrete(stackA) && concrete(stackB) && stackA.account === stackB.account && stackA.region === stackB.region;
}
