import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as iam from 'aws-cdk-lib/aws-iam';
import { counterStack, TWO_PROJECTIONS, type PropsIn } from './fixtures/aggregate';

/** The AwsSolutions findings for a stack with one aggregate. */
function violationsFor(props: PropsIn = {}) {
  const { stack, aggregate } = counterStack(props);
  if (aggregate.readModel) aggregate.grantReadModel(new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
  const report = new AwsSolutionsChecks(stack).validateScope(stack.node.root);
  return report.violations.map((v) => ({ rule: v.ruleName, resources: v.violatingResources.map((r) => r.constructPath) }));
}

describe('cdk-nag AwsSolutions', () => {
  test('reports no violation for an aggregate with its own bus', () => {
    expect(violationsFor()).toEqual([]);
  });

  test('reports no violation for an aggregate on a given bus', () => {
    expect(violationsFor((scope) => ({ eventBus: events.EventBus.fromEventBusName(scope, 'Shared', 'shared-bus') }))).toEqual([]);
  });

  test('reports no violation for an aggregate with a customer managed key', () => {
    expect(violationsFor((scope) => ({ encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }) }))).toEqual([]);
  });

  test('reports no violation for an aggregate with two projections, read-model indexes and a reader', () => {
    expect(violationsFor({ projections: TWO_PROJECTIONS, readModelIndexes: [{ indexName: 'byCount' }] })).toEqual([]);
  });

  test('reports no violation for an aggregate with projections and a customer managed key', () => {
    expect(violationsFor((scope) => ({
      encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }),
      projections: TWO_PROJECTIONS,
    }))).toEqual([]);
  });
});
