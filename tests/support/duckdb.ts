// An in-memory DuckDB for the tests that read back what hubwatch writes (Parquet, CSV) with DuckDB's own readers.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';

/** Registers hooks that open an in-memory DuckDB before the enclosing block's tests and close it after them. */
export function inMemoryDuckDb(): { readonly conn: DuckDBConnection } {
  let instance: DuckDBInstance | undefined;
  let conn: DuckDBConnection | undefined;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
  });
  return {
    get conn() {
      if (!conn) throw new Error('the in-memory DuckDB opens in beforeAll: read it inside a test');
      return conn;
    },
  };
}
