/**
 * The construct IDs of an aggregate's own parts. They are contract once released: a changed ID
 * replaces the resource (a new, empty table). Each projection's scope is named by its
 * `projectionName`, so no projection may take one of these.
 */
export const AGGREGATE_PART_IDS = {
  eventStore: 'EventStore',
  bus: 'Bus',
  sessionTable: 'SessionTable',
  commandHandler: 'CommandHandler',
  publisher: 'Publisher',
  alarms: 'Alarms',
  readModel: 'ReadModel',
  queryHandler: 'QueryHandler',
} as const;

/**
 * The construct IDs of a SQL read model's own parts, contract in the same way (a changed ID of
 * the cluster replaces it: a new, empty database). Each projection's scope is named by its
 * `projectionName`, so no projection may take one of these.
 */
export const SQL_READ_MODEL_PART_IDS = {
  vpc: 'Vpc',
  securityGroup: 'SecurityGroup',
  cluster: 'Cluster',
  migrations: 'Migrations',
  queryHandler: 'QueryHandler',
} as const;
