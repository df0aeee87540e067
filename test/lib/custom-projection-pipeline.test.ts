import * as path from 'node:path';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';

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

  test('leaves the other projections with their exact-fold permissions', () => {
    expect(actionsOf(onReadModel('Counters/CounterView/Role'))).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  });
});
