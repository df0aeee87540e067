import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { COUNTER_BY_COUNT_ENTRY, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import type { CqrsAggregate } from '../../lib';

const reader = (stack: Stack) => new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

describe('the read model', () => {
  let stack: Stack;
  let template: Template;
  let aggregate: CqrsAggregate;
  let tableId: string;
  beforeAll(() => {
    // GIVEN an aggregate with two projections, two read-model indexes, and a reader
    const made = counterStack({ projections: TWO_PROJECTIONS, readModelIndexes: [{ indexName: 'byCount' }, { indexName: 'by_owner' }] });
    ({ stack, aggregate } = made);
    aggregate.grantReadModel(reader(stack));
    template = made.template;
    tableId = logicalIdOf(stack, 'Counters/ReadModel/Table');
  });

  test('is a table keyed by pk (aggregate id) and sk (projection name), both strings, on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }]),
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: Match.absent(),
    });
    expect(stack.resolve(aggregate.readModel!.tableArn)).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
  });

  test('has a GSI per readModelIndexes entry, keyed <indexName>_pk / <indexName>_sk, projecting all', () => {
    const table = template.findResources('AWS::DynamoDB::GlobalTable')[tableId];
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(['byCount', 'by_owner'].map((indexName) => ({
      IndexName: indexName,
      KeySchema: [{ AttributeName: `${indexName}_pk`, KeyType: 'HASH' }, { AttributeName: `${indexName}_sk`, KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'ALL' },
    })));
    expect(table.Properties.AttributeDefinitions).toEqual(expect.arrayContaining([
      { AttributeName: 'byCount_pk', AttributeType: 'S' }, { AttributeName: 'byCount_sk', AttributeType: 'S' },
    ]));
  });

  test('is encrypted with an AWS owned key, has point-in-time recovery, and is retained by default', () => {
    const table = template.findResources('AWS::DynamoDB::GlobalTable')[tableId];
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
    expect(table.Properties.Replicas).toEqual([expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })]);
    expect([table.DeletionPolicy, table.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('grantReadModel lets the grantee get, batch-get and query the table and its indexes, and nothing else', () => {
    const arn = { 'Fn::GetAtt': [tableId, 'Arn'] };
    expect(statementsOfRole(stack, 'Reader')).toEqual([{
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      Resource: [arn, ...['byCount', 'by_owner'].map((index) => ({ 'Fn::Join': ['', [arn, `/index/${index}`]] }))],
    }]);
  });
});

describe('the read model with props given', () => {
  test('is created only with projections: none, and no projection resources, without them', () => {
    const { template, aggregate } = counterStack();
    expect(aggregate.readModel).toBeUndefined();
    expect(aggregate.projections).toEqual([]);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::SQS::Queue', 1);
  });

  test('warns that readModelIndexes is ignored without projections', () => {
    const { stack } = counterStack({ readModelIndexes: [{ indexName: 'byCount' }] });
    Annotations.fromStack(stack).hasWarning('/Stack/Counters', Match.stringLikeRegexp('readModelIndexes is ignored: without projections there is no read model.'));
  });

  test('is destroyed with the stack when the aggregate\'s removalPolicy is DESTROY', () => {
    const { template } = counterStack({ projections: TWO_PROJECTIONS.slice(0, 1), removalPolicy: RemovalPolicy.DESTROY });
    template.allResources('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });

  test('is encrypted with the customer managed key, which grantReadModel lets the grantee decrypt with', () => {
    // GIVEN
    const made = counterStack((scope) => ({
      encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }),
      projections: TWO_PROJECTIONS.slice(0, 1),
    }));
    const { stack, aggregate } = made;
    // WHEN
    aggregate.grantReadModel(reader(stack));
    const template = made.template;
    // THEN
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(stack, 'Key'), 'Arn'] };
    const table = template.findResources('AWS::DynamoDB::GlobalTable')[logicalIdOf(stack, 'Counters/ReadModel/Table')];
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(table.Properties.Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: keyArn });
    expect(statementsOfRole(stack, 'Reader')).toContainEqual({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: keyArn });
  });

  test('lets a projection fill a declared index', () => {
    expect(() => counterStack({
      projections: [{ projectionName: 'ByCount', entry: COUNTER_BY_COUNT_ENTRY }], readModelIndexes: [{ indexName: 'byCount' }],
    })).not.toThrow();
  });

  test('fails if a projection fills an index that readModelIndexes does not declare', () => {
    expect(() => counterStack({ projections: [{ projectionName: 'ByCount', entry: COUNTER_BY_COUNT_ENTRY }] })).toThrow(
      `CqrsAggregate 'Counters': projection 'ByCount' (entry ${COUNTER_BY_COUNT_ENTRY}) fills the read-model indexes 'byCount', which readModelIndexes does not declare (declared: none).`);
  });

  test('fails if grantReadModel is called on an aggregate with no projections', () => {
    const { stack, aggregate } = counterStack();
    expect(() => aggregate.grantReadModel(reader(stack))).toThrow(
      "CqrsAggregate 'Counters': grantReadModel needs a read model, and there is none without projections. Add a projection to projections.");
  });

  test.each([
    ['fails if two indexes share a name', [{ indexName: 'byCount' }, { indexName: 'byCount' }],
      "CqrsAggregate 'Counters': two readModelIndexes are named 'byCount': each indexName must be unique."],
    ['fails if an index name is shorter than 3 characters', [{ indexName: 'by' }],
      "CqrsAggregate 'Counters': readModelIndexes[].indexName must be letters, digits and '_', starting with a letter, 3 to 64 characters (given 'by')."],
    ['fails if there are more than 20 indexes', Array.from({ length: 21 }, (_, i) => ({ indexName: `index${i}` })),
      "CqrsAggregate 'Counters': readModelIndexes must hold at most 20 indexes, as DynamoDB allows (given 21)."],
  ])('%s', (_name, readModelIndexes, message) => {
    expect(() => counterStack({ projections: TWO_PROJECTIONS, readModelIndexes })).toThrow(message);
  });
});
