// Records and store handles for the store suite: one factory per engine, each with its own throwaway place
// (a temp directory for DuckDB, a schema for PostgreSQL) that the suite removes afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { NormalisedRecord, Platform } from '../../src/model.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

export const PG_URL = process.env.HUBWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function record(
  platform: Platform,
  id: string,
  over: {
    createdAt?: string | null;
    firstSeenAt?: string;
    downloads30d?: number | null;
    downloadsAllTime?: number | null;
    likes?: number | null;
    publisherOrg?: string | null;
    publisherCountry?: string;
    publisherKind?: NormalisedRecord['publisher']['kind'];
    originOrg?: string | null;
    originCountry?: string;
    relation?: NormalisedRecord['lineage']['relation'];
    baseModels?: string[];
    licenseClass?: NormalisedRecord['license']['class'];
    name?: string;
  } = {},
): NormalisedRecord {
  const key = `${platform}:${id}`;
  const [namespace = '', name = id] = id.split('/');
  const createdAt = over.createdAt === undefined ? '2025-11-01T10:00:00.000Z' : over.createdAt;
  const firstSeenAt = over.firstSeenAt ?? '2025-11-01T12:00:00.000Z';
  const relation = over.relation ?? 'base';
  return {
    key,
    platform,
    id,
    namespace,
    name: over.name ?? name,
    url: `https://example.test/${id}`,
    createdAt,
    lastModified: createdAt,
    firstSeenAt,
    releasedAt: createdAt,
    task: 'text-generation',
    library: 'transformers',
    tags: ['text-generation', 'license:apache-2.0'],
    params: 8_000_000_000,
    license: {
      raw: 'apache-2.0',
      id: 'Apache-2.0',
      name: 'Apache License 2.0',
      class: over.licenseClass ?? 'permissive',
      basis: 'table',
    },
    publisher: {
      namespace,
      org: over.publisherOrg === undefined ? 'Qwen' : over.publisherOrg,
      country: over.publisherCountry ?? 'CN',
      countryAlt: null,
      kind: over.publisherKind ?? 'big_tech',
    },
    lineage: { relation, baseModels: over.baseModels ?? [], root: key, family: 'Qwen' },
    origin: {
      org: over.originOrg === undefined ? 'Qwen' : over.originOrg,
      country: over.originCountry ?? 'CN',
      countryAlt: null,
      kind: 'big_tech',
      basis: 'registry',
    },
    stats: {
      downloads30d: over.downloads30d === undefined ? 100 : over.downloads30d,
      downloadsAllTime: over.downloadsAllTime === undefined ? 1000 : over.downloadsAllTime,
      likes: over.likes === undefined ? 5 : over.likes,
    },
    mirrors: [],
  };
}

export interface EngineHarness {
  name: 'duckdb' | 'postgres';
  /** Opens (and migrates) a store on this harness's place; the same place each call, so reopening sees the data. */
  open(): Promise<Store>;
  /** Removes the place. */
  destroy(): Promise<void>;
}

export function duckdbHarness(): EngineHarness {
  const dir = mkdtempSync(join(tmpdir(), 'hubwatch-store-'));
  return {
    name: 'duckdb',
    open: () => openStore({ dataDir: dir, databaseUrl: null }),
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresHarness(): EngineHarness {
  const schema = `hubwatch_test_${randomBytes(6).toString('hex')}`;
  return {
    name: 'postgres',
    open: () => openStore({ dataDir: '/nonexistent', databaseUrl: PG_URL, schema }),
    destroy: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Both engines, for `describe.each`: every store test runs on the embedded file and on PostgreSQL alike. */
export const ENGINES = [
  { name: 'duckdb', make: duckdbHarness },
  { name: 'postgres', make: postgresHarness },
] as const;

/** Drains an async iterable of chunks, keeping the chunk sizes so a test can see the boundaries. */
export async function drain<T>(it: AsyncIterable<T[]>): Promise<{ rows: T[]; sizes: number[] }> {
  const rows: T[] = [];
  const sizes: number[] = [];
  for await (const chunk of it) {
    sizes.push(chunk.length);
    rows.push(...chunk);
  }
  return { rows, sizes };
}
