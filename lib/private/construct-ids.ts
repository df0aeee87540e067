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
