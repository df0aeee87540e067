import { Duration, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TWO_PROJECTIONS, counterStack } from './fixtures/aggregate';
import { actionsOf, logicalIdOf, statementsOfRole, EVENTS_ONLY_CONDITION } from './fixtures/stand-in-app';
import { ENV, SESSION_TABLE } from '../../lib/private/runtime-contract';

const commandHandlerVariables = (template: ReturnType<typeof counterStack>['template']) => {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Command handler') } }));
  return fn.Properties.Environment.Variables as Record<string, unknown>;
};

describe('read-your-writes', () => {
  test('has no session table, and tells the command handler of none, without readYourWrites', () => {
    const { aggregate, template } = counterStack();
    expect(aggregate.sessionTable).toBeUndefined();
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    expect(Object.keys(commandHandlerVariables(template))).not.toContain(ENV.sessionTable);
  });

  describe('with readYourWrites', () => {
    const { stack, aggregate, template, app } = (() => {
      const made = counterStack({ readYourWrites: {} });
      return { ...made, app: made.stack.node.root };
    })();

    test('creates an encrypted session table keyed by session, whose entries expire by TTL', () => {
      expect(aggregate.sessionTable).toBeDefined();
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        Properties: Match.objectLike({
          KeySchema: [{ AttributeName: SESSION_TABLE.partitionKey, KeyType: 'HASH' }, { AttributeName: SESSION_TABLE.sortKey, KeyType: 'RANGE' }],
          AttributeDefinitions: Match.arrayWith([{ AttributeName: SESSION_TABLE.sortKey, AttributeType: 'S' }]),
          TimeToLiveSpecification: { AttributeName: SESSION_TABLE.ttlAttribute, Enabled: true },
          SSESpecification: { SSEEnabled: false },
          Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
        }),
        // Entries live minutes and are safe to lose: the table goes with the stack.
        DeletionPolicy: 'Delete',
      });
    });

    test('tells the command handler the session table and a 5 minute TTL by default', () => {
      expect(commandHandlerVariables(template)).toMatchObject({
        [ENV.sessionTable]: { Ref: logicalIdOf(stack, 'Counters/SessionTable/Table') },
        [ENV.sessionTtlSeconds]: '300',
      });
    });

    test('lets the command handler put session entries, and nothing else on that table', () => {
      const sessionArn = { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/SessionTable/Table'), 'Arn'] };
      const statements = statementsOfRole(stack, 'Counters/CommandHandler/Role');
      const onSessions = statements.filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(sessionArn)));
      expect(onSessions).toEqual([{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: sessionArn }]);
      expect(actionsOf(statements).filter((a) => a.includes('*'))).toEqual([]);
    });

    test('passes the cdk-nag AWS Solutions rules', () => {
      expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
    });
  });

  test('uses the ttl given', () => {
    const { template } = counterStack({ readYourWrites: { ttl: Duration.minutes(15) } });
    expect(commandHandlerVariables(template)).toMatchObject({ [ENV.sessionTtlSeconds]: '900' });
  });

  test('fails if readYourWrites.ttl is under a minute', () => {
    expect(() => counterStack({ readYourWrites: { ttl: Duration.seconds(30) } }))
      .toThrow(/CqrsAggregate 'Counters': readYourWrites\.ttl must be/);
  });
});

describe('grantReadYourWrites', () => {
  const reader = (stack: Stack) => new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  test('lets the grantee read the read model, and query the session table and the event store, and nothing else', () => {
    // GIVEN
    const { stack, aggregate } = counterStack((scope) => ({
      readYourWrites: {}, projections: TWO_PROJECTIONS.slice(0, 1), encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }),
    }));
    // WHEN
    aggregate.grantReadYourWrites(reader(stack));
    // THEN
    const arnOf = (path: string) => ({ 'Fn::GetAtt': [logicalIdOf(stack, path), 'Arn'] });
    const statements = statementsOfRole(stack, 'Reader');
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'dynamodb:Query', Resource: arnOf('Counters/SessionTable/Table') });
    expect(statements).toContainEqual({
      Effect: 'Allow', Action: 'dynamodb:Query', Resource: arnOf('Counters/EventStore/Table'), Condition: EVENTS_ONLY_CONDITION,
    });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: arnOf('Key') });
    // The read model's read statement and these three: nothing else.
    expect(statements).toHaveLength(4);
    expect([...new Set(actionsOf(statements))]).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt', 'kms:DescribeKey']);
  });

  test('fails without readYourWrites, and names the prop that fixes it', () => {
    const { stack, aggregate } = counterStack({ projections: TWO_PROJECTIONS.slice(0, 1) });
    expect(() => aggregate.grantReadYourWrites(reader(stack))).toThrow(
      "CqrsAggregate 'Counters': grantReadYourWrites needs a session table, and there is none without readYourWrites. Set readYourWrites: { ttl } (or use grantReadModel).");
  });
});
