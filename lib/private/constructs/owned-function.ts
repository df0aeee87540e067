import { type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLE_HANDLER, FUNCTION_RUNTIME } from '../bundling/function-code';
import { LOG_WRITE_ACTIONS } from '../iam-actions';
import { ENV, type FunctionRole } from '../runtime-contract';
import { OwnedRole } from './owned-role';

/** What a function of the aggregate is made of, apart from its permissions to other resources. */
export interface OwnedFunctionOptions {
  /** What the function is: set as its `ENV.functionRole`. */
  readonly functionRole: FunctionRole;
  readonly description: string;
  readonly code: lambda.Code;
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** A function, its own role and its own log group. */
export interface OwnedFunction {
  /** Its permissions are an inline policy of the role: grants to it add no `AWS::IAM::Policy`. */
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly function: lambda.Function;
}

/**
 * Adds `LogGroup`, `Role` and `Function` to `scope`: Node.js 24 on ARM64, JSON logs into a log
 * group with a retention, and a role (an `OwnedRole`: its permissions inline) that has no AWS
 * managed policy and starts with writing to that log group only. The caller grants the rest.
 */
export function createOwnedFunction(scope: Construct, options: OwnedFunctionOptions): OwnedFunction {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: options.logRetention,
    removalPolicy: options.logRemovalPolicy,
  });
  const role = new OwnedRole(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
    statements: [new iam.PolicyStatement({ actions: LOG_WRITE_ACTIONS, resources: [logGroup.logGroupArn] })],
  });
  const fn = new lambda.Function(scope, 'Function', {
    description: options.description,
    runtime: FUNCTION_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    handler: BUNDLE_HANDLER,
    code: options.code,
    environment: { ...options.environment, [ENV.functionRole]: options.functionRole },
    memorySize: options.memorySize,
    timeout: options.timeout,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
  });
  return { role, logGroup, function: fn };
}
