// Apart from document-client.ts, whose declarations name the SDK's types: public types import only this.
/**
 * The part of a DynamoDB document client the runtime uses; an `@aws-sdk/lib-dynamodb`
 * `DynamoDBDocumentClient` fits. Declared here so that the types of `cdk-cqrs/runtime` do not
 * need the SDK's own types installed.
 */
export interface DocumentClientLike {
  send(command: object): Promise<object>;
}
