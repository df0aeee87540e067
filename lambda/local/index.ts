export { LocalCloud } from './local-cloud';
export type { LocalCloudOptions, LocalTrace } from './local-cloud';
export { formatTrace } from './trace';
export { startDynamoDbLocal, stopDynamoDbLocal, fetchDynamoDbLocal, defaultDynamoDbLocalDirectory } from './dynamodb-local';
export type { RunningDynamoDbLocal, StartDynamoDbLocalOptions } from './dynamodb-local';
export type { LocalTopology } from './cloud-assembly';
export type { TokenRequest } from './local-issuer';
export type { HttpRequestTrace } from './local-http-api';
