import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { COUNTER_QUERIES_ENTRY, logicalIdOf, newStack, statementsOfRole } from './fixtures/stand-in-app';
import { OWNED_ROLE_POLICY_NAME, OwnedRole } from '../../lib/private/constructs/owned-role';

/** The functions of an aggregate with two projections and queries, by construct path. */
const FUNCTIONS = ['Counters/CommandHandler', 'Counters/Publisher', 'Counters/CounterView', 'Counters/CounterTotals', 'Counters/QueryHandler'];

describe('the roles of the aggregate\'s functions', () => {
  let stack: Stack;
  let template: Template;
  beforeAll(() => {
    // GIVEN an aggregate with two projections and queries
    ({ stack, template } = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY } }));
  });

  test('hold their permissions in one inline policy each; the only AWS::IAM::Policy resources are the self-invokes', () => {
    for (const path of FUNCTIONS) {
      const role = template.findResources('AWS::IAM::Role')[logicalIdOf(stack, `${path}/Role`)];
      expect(role.Properties.Policies).toEqual([{ PolicyName: OWNED_ROLE_POLICY_NAME, PolicyDocument: expect.objectContaining({ Statement: expect.any(Array) }) }]);
      expect(role.Properties.Policies[0].PolicyDocument.Statement.length).toBeGreaterThan(0);
    }
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).sort()).toEqual(
      ['Counters/Publisher', 'Counters/CounterView', 'Counters/CounterTotals'].map((path) => logicalIdOf(stack, `${path}/SelfInvokePolicy`)).sort());
  });

  test('are created before their functions, with the permissions in them', () => {
    for (const path of FUNCTIONS) {
      const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(stack, `${path}/Function`)];
      expect(fn.DependsOn).toEqual([logicalIdOf(stack, `${path}/Role`)]);
    }
  });

  test('carry the permissions of the event sources: the publisher reads the stream, a projector consumes its queue', () => {
    const streamActions = statementsOfRole(stack, 'Counters/Publisher/Role').filter((s) => JSON.stringify(s.Action).includes('dynamodb:GetRecords'));
    expect(streamActions).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/EventStore/Table'), 'StreamArn'] } })]);
    const queueActions = statementsOfRole(stack, 'Counters/CounterView/Role').filter((s) => JSON.stringify(s.Action).includes('sqs:ReceiveMessage'));
    expect(queueActions).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/CounterView/Queue'), 'Arn'] } })]);
  });
});

describe('a grant the user gives one of the aggregate\'s functions', () => {
  test('goes to a default policy of that role, which the function waits for', () => {
    // GIVEN
    const { stack, aggregate } = counterStack();
    const topicArn = 'arn:aws:sns:eu-west-1:111111111111:orders';
    // WHEN
    aggregate.commandHandler.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topicArn] }));
    // THEN
    const template = Template.fromStack(stack);
    const policyId = logicalIdOf(stack, 'Counters/CommandHandler/Role/DefaultPolicy');
    expect(template.findResources('AWS::IAM::Policy')[policyId].Properties.PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: topicArn }]);
    expect(template.findResources('AWS::Lambda::Function')[logicalIdOf(stack, 'Counters/CommandHandler/Function')].DependsOn).toContain(policyId);
    expect(statementsOfRole(stack, 'Counters/CommandHandler/Role')).toContainEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: topicArn });
  });

  test('of a secret under a key whose policy names the role makes no dependency cycle (it would, inline)', () => {
    // GIVEN
    const { stack, aggregate } = counterStack();
    const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new kms.Key(stack, 'SecretKey', { enableKeyRotation: true }) });
    // WHEN: the key's policy names the role (kms:ViaService), and the role's permissions name the secret
    secret.grantRead(aggregate.commandHandler);
    // THEN: Template.fromStack throws on a cycle
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('an OwnedRole', () => {
  test('with no statement fails synthesis, rather than deploy with an empty policy', () => {
    const { app, stack } = newStack();
    new OwnedRole(stack, 'Empty', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'empty', statements: [] });
    expect(() => app.synth()).toThrow(/Stack\/Empty: an OwnedRole needs at least one statement/);
  });
});
