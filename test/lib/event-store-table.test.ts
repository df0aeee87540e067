import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { counterStack } from './fixtures/aggregate';
import { logicalIdOf } from './fixtures/stand-in-app';
import { EVENT_STORE } from '../../lib/private/runtime-contract';

describe('the event store', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN an aggregate with default props
    ({ template } = counterStack());
  });

  test('is keyed by aggregate id (string) and version (number)', () => {
    // THEN
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: EVENT_STORE.partitionKey, KeyType: 'HASH' },
        { AttributeName: EVENT_STORE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: EVENT_STORE.partitionKey, AttributeType: 'S' },
        { AttributeName: EVENT_STORE.sortKey, AttributeType: 'N' },
      ]),
    });
  });

  test('streams new images for the outbox', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  test('has point-in-time recovery on', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  test('expires idempotency records by TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: EVENT_STORE.ttlAttribute, Enabled: true },
    });
  });

  test('bills on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { BillingMode: 'PAY_PER_REQUEST' });
  });

  test('is encrypted with an AWS owned key by default', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: false },
    });
  });

  test('is retained on stack deletion and replacement by default', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('is deleted with the stack when removalPolicy is DESTROY', () => {
    // GIVEN / WHEN
    const { template: destroyed } = counterStack({ removalPolicy: RemovalPolicy.DESTROY });
    // THEN
    destroyed.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('is encrypted with the customer managed key when encryptionKey is given', () => {
    // GIVEN / WHEN
    const { stack, template: encrypted } = counterStack((scope) => ({ encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }) }));
    // THEN
    encrypted.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [Match.objectLike({
        SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, 'Key'), 'Arn'] } },
      })],
    });
  });
});
