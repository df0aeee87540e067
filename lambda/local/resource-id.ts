// Its own file: the assembly reader and the HTTP API reader both name resources so, and neither may import the other.
/** A resource's identity: its stack and logical ID, and its construct path when the template has it. */
export interface ResourceId {
  /** `<stack>/<logical ID>`: unique across the assembly. */
  readonly key: string;
  readonly logicalId: string;
  /**
   * The construct path, e.g. `Shop/Customers/EventStore/Table/Resource`: the `aws:cdk:path`
   * metadata, else the app's construct tree (`tree.json`); the key when neither has it.
   */
  readonly path: string;
}
