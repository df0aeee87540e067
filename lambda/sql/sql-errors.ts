import { describeError } from '../shared/guards';

/**
 * What a failed SQL call means for the caller:
 * - `conflict`: PostgreSQL ended the transaction to keep it serializable (SQLSTATE 40001) or to
 *   break a deadlock (40P01); the whole transaction may run again.
 * - `resuming`: the cluster is resuming from a pause (scaled to zero); the call may be sent again.
 * - `fault`: anything else.
 */
export interface SqlErrorInfo {
  readonly kind: 'conflict' | 'resuming' | 'fault';
  /** The SQLSTATE, when the error names one. */
  readonly sqlState?: string;
}

/** The RDS Data API reports PostgreSQL's error as text ending in `SQLState: 40001`; PGlite and node-postgres carry it as `code`. */
const SQL_STATE = /SQLState: ([0-9A-Z]{5})/;
const CONFLICT_STATES = new Set(['40001', '40P01']);

export function sqlErrorOf(error: unknown): SqlErrorInfo {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'DatabaseResumingException') return { kind: 'resuming' };
  const code = (error as { code?: unknown } | null)?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : SQL_STATE.exec(describeError(error))?.[1];
  if (sqlState !== undefined && CONFLICT_STATES.has(sqlState)) return { kind: 'conflict', sqlState };
  return { kind: 'fault', ...(sqlState === undefined ? {} : { sqlState }) };
}

/** The wait before try `attempt + 1`: doubling from 50 ms up to 2 s, with full jitter so that colliding writers part. */
export const retryDelayMs = (attempt: number): number => Math.random() * Math.min(2_000, 50 * 2 ** attempt);
