import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import type { CqrsAggregate } from '../../lib';
import { rebuildCommandFor } from '../../lib/private/constructs/projection-delivery';

describe('a projection\'s rebuild', () => {
  let stack: Stack;
  let template: Template;
  let aggregate: CqrsAggregate;
  beforeAll(() => {
    // GIVEN an aggregate with two projections
    ({ stack, template, aggregate } = counterStack({ projections: TWO_PROJECTIONS }));
  });

  test('rebuildCommand invokes the projector asynchronously with a rebuild request in 4 segments', () => {
    const fnId = logicalIdOf(stack, 'Counters/CounterView/Function');
    const command = stack.resolve(aggregate.projection('CounterView').rebuildCommand);
    expect(command).toEqual({
      'Fn::Join': ['', [
        'aws lambda invoke --function-name ',
        { Ref: fnId },
        ' --invocation-type Event --cli-binary-format raw-in-base64-out --payload \'{"rebuild":{"totalSegments":4}}\' /dev/null',
      ]],
    });
    const payload = /--payload '([^']*)'/.exec(rebuildCommandFor('f'))?.[1];
    expect(JSON.parse(payload ?? 'null')).toEqual({ rebuild: { totalSegments: 4 } });
  });

  test('the README shows the very command', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(rebuildCommandFor('<projector function name>'));
  });

  test('lets the projector scan the event store and invoke itself, nothing more', () => {
    const statements = statementsOfRole(stack, 'Counters/CounterView/Role');
    const viewFn = logicalIdOf(stack, 'Counters/CounterView/Function');
    const eventStore = logicalIdOf(stack, 'Counters/EventStore/Table');
    expect(statements.filter((s) => actionsOf([s]).includes('dynamodb:Scan'))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:Query', 'dynamodb:Scan'], Resource: { 'Fn::GetAtt': [eventStore, 'Arn'] } },
    ]);
    expect(statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('lambda:')))).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [viewFn, 'Arn'] } },
    ]);
    // The other projection's projector may invoke only itself.
    const totals = statementsOfRole(stack, 'Counters/CounterTotals/Role');
    expect(JSON.stringify(totals)).not.toContain(viewFn);
  });

  test('grants the self-invoke apart from the role\'s inline policy, so the function does not depend on it (no cycle)', () => {
    const policyId = logicalIdOf(stack, 'Counters/CounterView/SelfInvokePolicy');
    const roleId = logicalIdOf(stack, 'Counters/CounterView/Role');
    const fnId = logicalIdOf(stack, 'Counters/CounterView/Function');
    expect(template.findResources('AWS::Lambda::Function')[fnId].DependsOn).toEqual([roleId]);
    expect(JSON.stringify(template.findResources('AWS::IAM::Role')[roleId].Properties.Policies)).not.toContain(fnId);
    expect(template.findResources('AWS::IAM::Policy')[policyId].Properties.Roles).toEqual([{ Ref: roleId }]);
  });
});
