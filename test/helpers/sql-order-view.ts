import * as fs from 'node:fs';
import * as path from 'node:path';
import { sql, type Kysely } from 'kysely';
import orderView from '../../bin/domain/order-view';
import type { AnySqlHandler, AnySqlProjection } from '../../lambda/sql/define-sql-projection';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { ownFunction, ownValue } from '../../lambda/shared/guards';
import { useSchema } from '../../lambda/sql/sql-generations';
import type { Migration } from '../../lambda/sql/sql-migrations';
import { upcastEvent } from '../../lambda/write/upcast';

/** The example's SQL order view (bin/domain/order-view.ts), as the projector runs it. */
export const orderViewProjection = orderView as unknown as AnySqlProjection;

/** The example's migrations (bin/sql/order-view), as the migrator gets them. */
export const orderViewMigrations = (): Migration[] => {
  const dir = path.join(__dirname, '..', '..', 'bin', 'sql', 'order-view');
  return fs.readdirSync(dir).filter((name) => name.endsWith('.sql')).sort().map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name), 'utf8') }));
};

/** The order view's tables in one schema, every row, in key order: what two builds of the view are compared by. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function orderViewRows(db: Kysely<any>, schemaName: string): Promise<Record<string, unknown[]>> {
  const read = async (table: string, orderBy: string) =>
    (await sql.raw(`SELECT * FROM "${schemaName}"."${table}" ORDER BY ${orderBy}`).execute(db)).rows;
  return {
    customers: await read('customers', 'customer_id'),
    orders: await read('orders', 'order_id'),
    order_items: await read('order_items', 'order_id, line'),
  };
}

/** An interleaving of events that keeps each aggregate's in version order: one order in which they could have been stored. */
export function storedOrder(random: () => number, events: readonly EventEnvelope[]): EventEnvelope[] {
  const streams = new Map<string, EventEnvelope[]>();
  for (const event of events) {
    const key = JSON.stringify([event.aggregateName, event.aggregateId]);
    streams.set(key, [...(streams.get(key) ?? []), event]);
  }
  const pending = [...streams.values()];
  const order: EventEnvelope[] = [];
  while (pending.length > 0) {
    const index = Math.floor(random() * pending.length);
    order.push(pending[index].shift()!);
    if (pending[index].length === 0) pending.splice(index, 1);
  }
  return order;
}

/** The sequential fold of the order view into a schema, with no projector machinery: each event's handlers once, in the order given, each event in its own transaction. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function orderViewFold(db: Kysely<any>, schemaName: string, events: readonly EventEnvelope[]): Promise<void> {
  for (const event of events) {
    await db.transaction().execute(async (trx) => {
      await useSchema(trx, schemaName);
      for (const current of upcastEvent(ownValue(orderViewProjection.aggregates, event.aggregateName)?.upcasters, event)) {
        await ownFunction<AnySqlHandler>(ownValue(orderViewProjection.events, event.aggregateName), current.type)?.(current, { db: trx, projectionName: 'reference' });
      }
    });
  }
}
