import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';

/** Every table of an aggregate is encrypted: with the customer managed key when one is given, else an AWS owned key. */
export const tableEncryption = (encryptionKey?: kms.IKey): dynamodb.TableEncryptionV2 =>
  (encryptionKey ? dynamodb.TableEncryptionV2.customerManagedKey(encryptionKey) : dynamodb.TableEncryptionV2.dynamoOwnedKey());
