import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventPattern } from './event-pattern';

/**
 * The parts of a synthesized CDK app (a cloud assembly, `cdk.out`) that the local runtime runs,
 * read from the templates CloudFormation would deploy: tables, functions with their bundled code
 * and environment, queues, event buses, rules with their event patterns, event source mappings.
 */
export interface LocalTopology {
  readonly tables: readonly TableResource[];
  readonly functions: readonly FunctionResource[];
  readonly queues: readonly QueueResource[];
  readonly buses: readonly BusResource[];
  readonly rules: readonly RuleResource[];
  readonly mappings: readonly MappingResource[];
}

/** A resource's identity: its stack and logical ID, and its construct path when the template has it. */
export interface ResourceId {
  /** `<stack>/<logical ID>`: unique across the assembly. */
  readonly key: string;
  readonly logicalId: string;
  /** `aws:cdk:path` metadata, e.g. `Shop/Customers/EventStore/Table/Resource`; else the key. */
  readonly path: string;
}

export interface TableResource extends ResourceId {
  /** The template's `AWS::DynamoDB::GlobalTable` or `AWS::DynamoDB::Table` properties. */
  readonly properties: Record<string, unknown>;
}

/** An environment value: a literal, or a reference to another resource's name (`Ref`). */
export type EnvValue = { readonly literal: string } | { readonly ref: string };

export interface FunctionResource extends ResourceId {
  /** The folder of the bundled code (the asset), absolute. */
  readonly codeDirectory: string;
  /** `file.export`, as Lambda's `Handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, EnvValue>>;
}

export interface QueueResource extends ResourceId {
  readonly visibilityTimeoutSeconds?: number;
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
}

export interface BusResource extends ResourceId {
  readonly name: string;
}

export interface RuleResource extends ResourceId {
  /** The key of the bus in this assembly, or the name of the default bus. */
  readonly bus: string;
  readonly eventPattern: EventPattern;
  /** Keys of the target queues. */
  readonly targetQueues: readonly string[];
}

export interface MappingResource extends ResourceId {
  readonly function: string;
  readonly source: { readonly kind: 'stream'; readonly table: string } | { readonly kind: 'queue'; readonly queue: string };
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
  readonly filterPatterns: readonly EventPattern[];
  /** Stream sources: retries of a failing batch before it goes to `onFailureQueue`. */
  readonly maximumRetryAttempts?: number;
  readonly onFailureQueue?: string;
}

interface Template {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly Metadata?: Record<string, unknown> }>;
}

/** Reads every stack of the cloud assembly in `directory` (the `outdir` of `cdk synth`). */
export function readCloudAssembly(directory: string): LocalTopology {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`cdk-cqrs local: no cloud assembly in ${directory} (manifest.json is missing). Run \`npx cdk synth\` first, or pass the outdir of your app.synth().`);
  }
  const manifest = readJson(manifestFile) as { artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const topology: { [K in keyof LocalTopology]: LocalTopology[K][number][] } = { tables: [], functions: [], queues: [], buses: [], rules: [], mappings: [] };
  for (const [stackName, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = readJson(path.join(directory, artifact.properties.templateFile)) as Template;
    const assets = readAssetFolders(directory, artifact.properties.templateFile.replace(/\.template\.json$/, '.assets.json'));
    readStack(stackName, template, directory, assets, topology);
  }
  return topology;
}

function readStack(stack: string, template: Template, directory: string, assets: ReadonlyMap<string, string>, into: { [K in keyof LocalTopology]: LocalTopology[K][number][] }): void {
  const key = (logicalId: string) => `${stack}/${logicalId}`;
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    const cdkPath = resource.Metadata?.['aws:cdk:path'];
    const id: ResourceId = { key: key(logicalId), logicalId, path: typeof cdkPath === 'string' ? cdkPath : key(logicalId) };
    const ref = (value: unknown, what: string): string => key(refTarget(value, `${id.path} ${what}`));
    switch (resource.Type) {
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        into.tables.push({ ...id, properties: props });
        break;
      case 'AWS::Lambda::Function': {
        const code = props.Code as { S3Key?: unknown } | undefined;
        const assetHash = typeof code?.S3Key === 'string' ? code.S3Key.replace(/\.zip$/, '') : undefined;
        const assetFolder = assetHash ? assets.get(assetHash) : undefined;
        if (!assetFolder) {
          throw new Error(`cdk-cqrs local: ${id.path} has no bundled code in the assembly (Code must be an asset). Local runs support functions built from assets.`);
        }
        const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
        into.functions.push({
          ...id,
          codeDirectory: path.resolve(directory, assetFolder),
          handler: String(props.Handler ?? 'index.handler'),
          timeoutSeconds: Number(props.Timeout ?? 3),
          environment: Object.fromEntries(Object.entries(variables).map(([name, value]) =>
            [name, typeof value === 'string' ? { literal: value } : { ref: key(envRef(value, `${id.path} environment variable ${name}`)) }])),
        });
        break;
      }
      case 'AWS::SQS::Queue': {
        const redrive = props.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
        into.queues.push({
          ...id,
          visibilityTimeoutSeconds: props.VisibilityTimeout === undefined ? undefined : Number(props.VisibilityTimeout),
          redrive: redrive ? { deadLetterQueue: ref(redrive.deadLetterTargetArn, 'RedrivePolicy'), maxReceiveCount: Number(redrive.maxReceiveCount) } : undefined,
        });
        break;
      }
      case 'AWS::Events::EventBus':
        into.buses.push({ ...id, name: String(props.Name) });
        break;
      case 'AWS::Events::Rule': {
        if (props.State === 'DISABLED' || !props.EventPattern) break;
        const targets = (props.Targets as { Arn: unknown; InputTransformer?: unknown; Input?: unknown; InputPath?: unknown }[] | undefined) ?? [];
        into.rules.push({
          ...id,
          // A literal name is a bus from elsewhere (EventBus.fromEventBusName): matched by that name.
          bus: props.EventBusName === undefined ? 'default' : typeof props.EventBusName === 'string' ? props.EventBusName : ref(props.EventBusName, 'EventBusName'),
          eventPattern: props.EventPattern as EventPattern,
          targetQueues: targets.map((target) => {
            if (target.InputTransformer || target.Input || target.InputPath) {
              throw new Error(`cdk-cqrs local: ${id.path} transforms its target's input; local runs deliver the event as it is.`);
            }
            return ref(target.Arn, 'target');
          }),
        });
        break;
      }
      case 'AWS::Lambda::EventSourceMapping':
        if (props.Enabled === false) break;
        into.mappings.push(readMapping(id, props, ref));
        break;
      default:
    }
  }
}

function readMapping(id: ResourceId, props: Record<string, unknown>, ref: (value: unknown, what: string) => string): MappingResource {
  const sourceArn = props.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const attribute = sourceArn?.['Fn::GetAtt']?.[1];
  const source = ref(sourceArn, 'EventSourceArn');
  const filters = ((props.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters) ?? [];
  const onFailure = (props.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
  return {
    ...id,
    function: ref(props.FunctionName, 'FunctionName'),
    source: attribute === 'StreamArn' ? { kind: 'stream', table: source } : { kind: 'queue', queue: source },
    // Lambda's defaults: 100 records from a DynamoDB stream, 10 messages from an SQS queue.
    batchSize: Number(props.BatchSize ?? (attribute === 'StreamArn' ? 100 : 10)),
    reportBatchItemFailures: ((props.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
    filterPatterns: filters.map((filter) => JSON.parse(filter.Pattern) as EventPattern),
    maximumRetryAttempts: props.MaximumRetryAttempts === undefined ? undefined : Number(props.MaximumRetryAttempts),
    onFailureQueue: onFailure === undefined ? undefined : ref(onFailure, 'OnFailure destination'),
  };
}

/** The logical ID a `Ref` or `Fn::GetAtt` points at; anything else cannot be run locally. */
function refTarget(value: unknown, what: string): string {
  if (typeof value === 'object' && value !== null) {
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string') return ref;
    const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  throw new Error(`cdk-cqrs local: ${what} is ${JSON.stringify(value)}; local runs resolve only Ref and Fn::GetAtt to resources of the same stack.`);
}

/** An environment variable is resolved only through `Ref` (a name): a `Fn::GetAtt` (an ARN, a URL) or `Fn::Join` has no local value. */
function envRef(value: unknown, what: string): string {
  const ref = typeof value === 'object' && value !== null ? (value as { Ref?: unknown }).Ref : undefined;
  if (typeof ref === 'string') return ref;
  throw new Error(`cdk-cqrs local: ${what} is ${JSON.stringify(value)}; local runs resolve only literals and Ref (a resource's name) in environment variables.`);
}

/** Asset hash → its folder, from the stack's asset manifest. */
function readAssetFolders(directory: string, assetsFile: string): Map<string, string> {
  const file = path.join(directory, assetsFile);
  if (!fs.existsSync(file)) return new Map();
  const manifest = readJson(file) as { files?: Record<string, { source?: { path?: string } }> };
  return new Map(Object.entries(manifest.files ?? {}).flatMap(([hash, entry]) => (entry.source?.path ? [[hash, entry.source.path] as const] : [])));
}

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));
