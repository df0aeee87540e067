import * as fs from 'node:fs';
import * as path from 'node:path';
import { sql, type Kysely } from 'kysely';
import orderView from '../../bin/domain/order-view';
import type { AnySqlProjection } from '../../lambda/sql/define-sql-projection';
import type { Migration } from '../../lambda/sql/sql-migrations';

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
