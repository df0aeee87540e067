import * as fs from 'node:fs';
import * as path from 'node:path';
import { SQL_READ_MODEL } from '../../lib/private/runtime-contract';
import type { EventPattern } from './event-pattern';
import { readHttpApis, type HttpApiResource } from './http-api-topology';
import type { ResourceId } from './resource-id';

/**
 * The parts of a synthesized CDK app (a cloud assembly, `cdk.out`) that the local runtime runs,
 * read from the templates CloudFormation would deploy: tables, functions with their bundled code
 * and environment, queues, event buses, rules with their event patterns, event source mappings,
 * and the HTTP APIs in front of the functions.
 */
export interface LocalTopology {
  readonly tables: readonly TableResource[];
  readonly functions: readonly FunctionResource[];
  readonly queues: readonly QueueResource[];
  readonly buses: readonly BusResource[];
  readonly rules: readonly RuleResource[];
  readonly mappings: readonly MappingResource[];
  /** API Gateway HTTP APIs (`AWS::ApiGatewayV2::Api`), each with its routes, served on loopback by a local run. */
  readonly apis: readonly HttpApiResource[];
  /** Resources known locally by name only, as a function's environment refers to them: SQL clusters and their secrets. */
  readonly named: readonly ResourceId[];
  /** The custom resources that apply SQL read models' migrations (`Custom::CqrsSqlMigrations`), run once at start. */
  readonly sqlMigrations: readonly SqlMigrationsResource[];
}

/** A `Custom::CqrsSqlMigrations` resource: the function that applies the migrations, and what CloudFormation would send it. */
export interface SqlMigrationsResource extends ResourceId {
  /** The key of the function behind it (its ServiceToken). */
  readonly function: string;
  readonly properties: Record<string, unknown>;
}

export type { ResourceId } from './resource-id';

export interface TableResource extends ResourceId {
  /** The template's `AWS::DynamoDB::GlobalTable` or `AWS::DynamoDB::Table` properties. */
  readonly properties: Record<string, unknown>;
}

/**
 * An environment value: a literal, a reference to another resource's name (`Ref`), a pseudo
 * parameter (`AWS::Region`, ...), or those joined (`Fn::Join`, as an ARN or a JSON map of names is).
 */
export type EnvValue =
  | { readonly literal: string }
  | { readonly ref: string }
  | { readonly pseudo: string }
  | { readonly join: readonly EnvValue[]; readonly separator: string };

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

interface Manifest {
  readonly artifacts?: Record<string, {
    readonly type: string;
    /** A stack's construct path (`stack.node.path`), e.g. `Shop` or `Prod/Shop` in a Stage. */
    readonly displayName?: string;
    readonly properties?: { readonly templateFile?: string; readonly directoryName?: string; readonly file?: string };
  }>;
}

/** A stack artifact of the assembly or of one nested in it (a Stage's). */
interface StackArtifact {
  readonly artifactId: string;
  /** The assembly folder it is in: its template and asset paths are relative to it. */
  readonly directory: string;
  readonly templateFile: string;
  readonly constructPath?: string;
}

/** Reads every stack of the cloud assembly in `directory` (the `outdir` of `cdk synth`), and of the Stages' assemblies nested in it. */
export function readCloudAssembly(directory: string): LocalTopology {
  if (!fs.existsSync(path.join(directory, 'manifest.json'))) {
    throw new Error(`cdk-cqrs local: no cloud assembly in ${directory} (manifest.json is missing). Run \`npx cdk synth\` first, or pass the directory of what your app.synth() returned (LocalApp.start({ app }) synthesizes it for you).`);
  }
  const stacks = stackArtifacts(directory);
  const constructPaths = readConstructPaths(directory, new Set(stacks.flatMap((stack) => (stack.constructPath ? [stack.constructPath] : []))));
  const topology: { [K in keyof LocalTopology]: LocalTopology[K][number][] } = {
    tables: [], functions: [], queues: [], buses: [], rules: [], mappings: [], apis: [], named: [], sqlMigrations: [],
  };
  for (const stack of stacks) {
    const template = readJson(path.join(stack.directory, stack.templateFile)) as Template;
    const assets = readAssetFolders(stack.directory, stack.templateFile.replace(/\.template\.json$/, '.assets.json'));
    const paths = (stack.constructPath && constructPaths.get(stack.constructPath)) || new Map<string, string>();
    readStack(stack.artifactId, template, stack.directory, assets, paths, topology);
  }
  return topology;
}

const readManifest = (directory: string): Manifest => readJson(path.join(directory, 'manifest.json')) as Manifest;

/** The stack artifacts of an assembly, then those of its nested assemblies (a Stage synthesizes into one). */
function stackArtifacts(directory: string): StackArtifact[] {
  return Object.entries(readManifest(directory).artifacts ?? {}).flatMap(([artifactId, artifact]): StackArtifact[] => {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) return stackArtifacts(path.join(directory, artifact.properties.directoryName));
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) return [];
    return [{ artifactId, directory, templateFile: artifact.properties.templateFile, constructPath: artifact.displayName }];
  });
}

interface TreeNode {
  readonly path?: string;
  readonly attributes?: Record<string, unknown>;
  readonly children?: Record<string, TreeNode>;
  /** A subtree written to a file of its own (a large app's tree is split): `fileName` holds it as `forest[treeId]`. */
  readonly fileName?: string;
  readonly treeId?: string;
}

/**
 * Each stack's resources' construct paths by logical ID, read from the app's construct tree
 * (`tree.json`, which `synth` writes by default), for the templates that lack `aws:cdk:path`
 * metadata: a plain `new App()` outside the CDK CLI does not add it. Empty when the assembly has
 * no tree; resources are then known by their logical IDs.
 */
function readConstructPaths(directory: string, stackPaths: ReadonlySet<string>): Map<string, Map<string, string>> {
  const byStack = new Map<string, Map<string, string>>();
  const tree = treeOf(directory);
  if (!tree) return byStack;
  const forests = new Map<string, Record<string, TreeNode>>();
  const subtree = (node: TreeNode): TreeNode => {
    if (!node.fileName || !node.treeId) return node;
    if (!forests.has(node.fileName)) forests.set(node.fileName, (readJson(path.join(tree.directory, node.fileName)) as { forest?: Record<string, TreeNode> }).forest ?? {});
    return forests.get(node.fileName)?.[node.treeId] ?? node;
  };
  const ambiguous = new Set<string>();
  const visit = (reference: TreeNode, stack: string | undefined): void => {
    const node = subtree(reference);
    const inStack = node.path !== undefined && stackPaths.has(node.path) ? node.path : stack;
    const logicalId = node.attributes?.['aws:cdk:cloudformation:logicalId'];
    if (inStack !== undefined && node.path !== undefined && typeof logicalId === 'string') {
      const paths = byStack.get(inStack) ?? new Map<string, string>();
      byStack.set(inStack, paths);
      // A nested stack's resources sit under its parent stack's node; a logical ID both use names neither.
      if (paths.has(logicalId)) ambiguous.add(`${inStack}\0${logicalId}`);
      paths.set(logicalId, node.path);
    }
    for (const child of Object.values(node.children ?? {})) visit(child, inStack);
  };
  visit(tree.root, undefined);
  for (const entry of ambiguous) {
    const [stack, logicalId] = entry.split('\0');
    byStack.get(stack)?.delete(logicalId);
  }
  return byStack;
}

/**
 * The app's construct tree. Only the root assembly has one: for a nested assembly (a Stage's),
 * it is looked for in the assemblies that hold it.
 */
function treeOf(directory: string): { readonly directory: string; readonly root: TreeNode } | undefined {
  const treeFile = Object.values(readManifest(directory).artifacts ?? {}).find((artifact) => artifact.type === 'cdk:tree')?.properties?.file;
  if (treeFile) {
    const file = path.join(directory, treeFile);
    return fs.existsSync(file) ? { directory, root: (readJson(file) as { tree: TreeNode }).tree } : undefined;
  }
  const parent = path.dirname(directory);
  const nestedInParent = fs.existsSync(path.join(parent, 'manifest.json')) && Object.values(readManifest(parent).artifacts ?? {})
    .some((artifact) => artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName === path.basename(directory));
  return nestedInParent ? treeOf(parent) : undefined;
}

function readStack(
  stack: string, template: Template, directory: string, assets: ReadonlyMap<string, string>,
  constructPaths: ReadonlyMap<string, string>, into: { [K in keyof LocalTopology]: LocalTopology[K][number][] },
): void {
  const key = (logicalId: string) => `${stack}/${logicalId}`;
  const idOf = (logicalId: string): ResourceId => {
    const cdkPath = template.Resources?.[logicalId]?.Metadata?.['aws:cdk:path'];
    return { key: key(logicalId), logicalId, path: typeof cdkPath === 'string' ? cdkPath : constructPaths.get(logicalId) ?? key(logicalId) };
  };
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    const id = idOf(logicalId);
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
          environment: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, envValue(value, key, `${id.path} environment variable ${name}`)])),
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
      case 'AWS::RDS::DBCluster':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::SecretsManager::SecretTargetAttachment':
        into.named.push(id);
        break;
      case SQL_READ_MODEL.migrationsResourceType:
        into.sqlMigrations.push({ ...id, function: ref(props.ServiceToken, 'ServiceToken'), properties: props });
        break;
      case 'AWS::Lambda::EventSourceMapping':
        if (props.Enabled === false) break;
        into.mappings.push(readMapping(id, props, ref));
        break;
      default:
    }
  }
  // Routes point at integrations and authorizers anywhere in the template: read once every resource is known.
  into.apis.push(...readHttpApis(template.Resources ?? {}, idOf, new Set(into.functions.map((fn) => fn.key))));
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

/**
 * An environment variable as local runs resolve it: literals, `Ref` (a resource's local name, or
 * a pseudo parameter) and `Fn::Join` of those. A `Fn::GetAtt` (an attribute of a resource) has no
 * local value.
 */
function envValue(value: unknown, key: (logicalId: string) => string, what: string): EnvValue {
  if (typeof value === 'string') return { literal: value };
  if (typeof value === 'number' || typeof value === 'boolean') return { literal: String(value) };
  const ref = typeof value === 'object' && value !== null ? (value as { Ref?: unknown }).Ref : undefined;
  if (typeof ref === 'string') return ref.startsWith('AWS::') ? { pseudo: ref } : { ref: key(ref) };
  const join = typeof value === 'object' && value !== null ? (value as { 'Fn::Join'?: unknown })['Fn::Join'] : undefined;
  if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return { join: join[1].map((part: unknown) => envValue(part, key, what)), separator: join[0] };
  }
  throw new Error(`cdk-cqrs local: ${what} is ${JSON.stringify(value)}; local runs resolve only literals, Ref (a resource's name or a pseudo parameter) and Fn::Join of those in environment variables.`);
}

/** Asset hash → its folder, from the stack's asset manifest. */
function readAssetFolders(directory: string, assetsFile: string): Map<string, string> {
  const file = path.join(directory, assetsFile);
  if (!fs.existsSync(file)) return new Map();
  const manifest = readJson(file) as { files?: Record<string, { source?: { path?: string } }> };
  return new Map(Object.entries(manifest.files ?? {}).flatMap(([hash, entry]) => (entry.source?.path ? [[hash, entry.source.path] as const] : [])));
}

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));
