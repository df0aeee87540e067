import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { actionsOf, logicalIdOf, statementsOfRole, EVENTS_ONLY_CONDITION } from './fixtures/stand-in-app';
import { ENV, FUNCTION_ROLES } from '../../lib/private/runtime-contract';

const QUERIES_ENTRY = path.join(__dirname, 'fixtures', 'domain', 'counter-queries.ts');

describe('the query function', () => {
  const { stack, aggregate, template } = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: QUERIES_ENTRY } });

  test('bundles the queries module and knows the read model', () => {
    expect(aggregate.queryHandler).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Query function of the Counter aggregate'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 10,
      Environment: { Variables: {
        [ENV.readModelTable]: { Ref: logicalIdOf(stack, 'Counters/ReadModel/Table') }, [ENV.aggregateName]: 'Counter', [ENV.functionRole]: FUNCTION_ROLES.queryHandler,
      } },
    });
  });

  test('may read the read model and write its logs, nothing else', () => {
    const statements = statementsOfRole(stack, 'Counters/QueryHandler/Role');
    expect(actionsOf(statements)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    const readModelArn = { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/ReadModel/Table'), 'Arn'] };
    const dynamo = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(JSON.stringify(dynamo.map((s) => s.Resource))).toContain(JSON.stringify(readModelArn));
    expect(JSON.stringify(dynamo.map((s) => s.Resource))).not.toContain(logicalIdOf(stack, 'Counters/EventStore/Table'));
  });

  test('with readYourWrites, knows the session table and the event store, and may only query them besides the read model', () => {
    // GIVEN
    const made = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: QUERIES_ENTRY }, readYourWrites: {} });
    const arnOf = (path: string) => ({ 'Fn::GetAtt': [logicalIdOf(made.stack, path), 'Arn'] });
    // THEN
    made.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Query function of the Counter aggregate'),
      Environment: { Variables: {
        [ENV.readModelTable]: { Ref: logicalIdOf(made.stack, 'Counters/ReadModel/Table') },
        [ENV.aggregateName]: 'Counter',
        [ENV.sessionTable]: { Ref: logicalIdOf(made.stack, 'Counters/SessionTable/Table') },
        [ENV.eventStoreTable]: { Ref: logicalIdOf(made.stack, 'Counters/EventStore/Table') },
      } },
    });
    const statements = statementsOfRole(made.stack, 'Counters/QueryHandler/Role');
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'dynamodb:Query', Resource: arnOf('Counters/SessionTable/Table') });
    expect(statements).toContainEqual({
      Effect: 'Allow', Action: 'dynamodb:Query', Resource: arnOf('Counters/EventStore/Table'), Condition: EVENTS_ONLY_CONDITION,
    });
    expect([...new Set(actionsOf(statements))]).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  test('grantQuery lets a caller invoke the query function only', () => {
    const granted = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: QUERIES_ENTRY } });
    const caller = new iam.Role(granted.stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    granted.aggregate.grantQuery(caller);
    const statements = statementsOfRole(granted.stack, 'Caller');
    expect(actionsOf(statements).every((action) => action === 'lambda:InvokeFunction')).toBe(true);
    const functionId = logicalIdOf(granted.stack, 'Counters/QueryHandler/Function');
    expect(statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])).every((r) => JSON.stringify(r).includes(functionId))).toBe(true);
  });

  test('uses the memory and timeout given', () => {
    const { template: tuned } = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: QUERIES_ENTRY, memorySize: 1024, timeout: Duration.seconds(3) } });
    tuned.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^Query function'), MemorySize: 1024, Timeout: 3 });
  });

  test('has no query function without queries, and grantQuery says what to set', () => {
    const { aggregate: plain, stack: plainStack } = counterStack({ projections: TWO_PROJECTIONS });
    expect(plain.queryHandler).toBeUndefined();
    const caller = new iam.Role(plainStack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => plain.grantQuery(caller)).toThrow(/grantQuery needs a query function, and there is none without queries/);
  });

  test('fails if queries is given without projections', () => {
    expect(() => counterStack({ queries: { entry: QUERIES_ENTRY } })).toThrow(/queries needs a read model to read, and there is none without projections/);
  });

  test('fails if the queries entry does not exist', () => {
    expect(() => counterStack({ projections: TWO_PROJECTIONS, queries: { entry: '/nowhere/queries.ts' } }))
      .toThrow('CqrsAggregate \'Counters\': queries.entry not found at /nowhere/queries.ts. Point it at a module whose default export is defineQueries(...).');
  });
});
