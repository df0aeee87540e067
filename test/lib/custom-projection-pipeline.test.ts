import * as path from 'node:path';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import type { CqrsAggregate } from '../../lib';
import { ENV, FUNCTION_ROLES } from '../../lib/private/runtime-contract';

const CUSTOM_ENTRY = path.join(__dirname, 'fixtures', 'domain', 'counter-custom.ts');

describe('a projection with custom writes', () => {
  const { stack, template } = counterStack({
    projections: [...TWO_PROJECTIONS, { projectionName: 'CounterLog', entry: CUSTOM_ENTRY }],
    readModelIndexes: [{ indexName: 'byCount' }],
  });
  const readModelArn = () => ({ 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/ReadModel/Table'), 'Arn'] });
  const onReadModel = (rolePath: string) => statementsOfRole(stack, rolePath).filter((s) => JSON.stringify(s.Resource).includes(logicalIdOf(stack, 'Counters/ReadModel/Table')));

  test('is routed the events its handlers list', () => {
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['Incremented'], 'source': ['cqrs.Counter'], 'detail': { aggregateName: ['Counter'] } } });
  });

  test('may read, write, update and delete items of the read model and its indexes, and no more', () => {
    const statements = onReadModel('Counters/CounterLog/Role');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem',
    ]);
    expect(statements[0].Resource).toEqual([readModelArn(), { 'Fn::Join': ['', [readModelArn(), '/index/byCount']] }]);
  });

  test('may not read the event store, scan or invoke itself, and has no rebuild command: it cannot be rebuilt', () => {
    const statements = statementsOfRole(stack, 'Counters/CounterLog/Role');
    expect(JSON.stringify(statements)).not.toContain(logicalIdOf(stack, 'Counters/EventStore/Table'));
    expect(actionsOf(statements)).not.toContain('dynamodb:Scan');
    expect(actionsOf(statements).filter((action) => action.startsWith('lambda:'))).toEqual([]);
    const aggregate = stack.node.findChild('Counters') as CqrsAggregate;
    expect(aggregate.projection('CounterLog').rebuildCommand).toBeUndefined();
    expect(aggregate.projection('CounterView').rebuildCommand).toContain('"rebuild"');
  });

  test('is not told the event store', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment.Variables[ENV.projectionName] === 'CounterLog');
    expect(fn?.Properties.Environment.Variables).toEqual({
      [ENV.readModelTable]: { Ref: logicalIdOf(stack, 'Counters/ReadModel/Table') },
      [ENV.projectionName]: 'CounterLog',
      [ENV.aggregateName]: 'Counter',
      [ENV.functionRole]: FUNCTION_ROLES.projector,
    });
  });

  test('leaves the other projections with their exact-fold permissions', () => {
    expect(actionsOf(onReadModel('Counters/CounterView/Role'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:PutItem']);
  });
});
