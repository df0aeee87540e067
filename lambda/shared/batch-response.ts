/**
 * The answer of a function with ReportBatchItemFailures: the records that failed (an SQS message
 * id, a stream record's sequence number), to be delivered again. aws-lambda's SQSBatchResponse
 * and DynamoDBBatchResponse both fit.
 */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}
