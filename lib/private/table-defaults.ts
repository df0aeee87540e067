import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * What every table of an aggregate has: on-demand billing, point-in-time recovery, and
 * encryption with the customer managed key when one is given, else an AWS owned key.
 */
export const secureTableDefaults = (encryptionKey?: kms.IKey) => ({
  billing: dynamodb.Billing.onDemand(),
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  encryption: encryptionKey ? dynamodb.TableEncryptionV2.customerManagedKey(encryptionKey) : dynamodb.TableEncryptionV2.dynamoOwnedKey(),
});
