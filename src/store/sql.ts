// The engine-neutral half of the two stores. Every query is written once, in the SQL that DuckDB and PostgreSQL
// share, so "both engines give identical results" holds by construction; the engines only supply a connection, a
// transaction and the fast bulk write of commitPage. The SQL lives in one module per role of the Store contract
// (types.ts): sql-ingest.ts, sql-lineage.ts, sql-snapshot.ts and momentum-sql.ts, sql-read.ts, sql-ops.ts,
// sql-backfill.ts, with sql-shared.ts and sql-columns.ts beneath them. This class holds the engine's hooks and forwards
// each Store method to its module, handing over its protected parts as one context.
import type { NormalisedRecord, Platform } from '../model.js';
import type {
  AdoptionChunk,
  CoverageCounters,
  DayComparison,
  DerivativeCounts,
  HistoryQuery,
  HistoryRow,
  LineageNode,
  ModelPage,
  ModelQuery,
  MomentumRow,
  NamespaceDownloads,
  OriginUpdate,
  PageCommit,
  PreviousDates,
  Provenance,
  QuarantineRow,
  SeenModel,
  SnapshotRow,
  StatsPoint,
  Store,
} from './types.js';
import * as momentum from './momentum-sql.js';
import type { Columns, Db, Dialect, Row } from './sql-shared.js';
import * as ingest from './sql-ingest.js';
import type { ModelWrite } from './sql-ingest.js';
import * as lineage from './sql-lineage.js';
import * as snapshot from './sql-snapshot.js';
import * as read from './sql-read.js';
import * as ops from './sql-ops.js';
import * as backfill from './sql-backfill.js';

export abstract class SqlStore implements Store {
  abstract readonly engine: 'duckdb' | 'postgres';
  protected abstract readonly dialect: Dialect;
  /** Reads outside any transaction. */
  protected abstract readonly db: Db;
  protected abstract tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Stages the page's models and upserts models and daily_stats, inside the transaction of commitPage. */
  protected abstract writeModels(db: Db, write: ModelWrite): Promise<void>;
  /**
   * Writes the day's figures of known, unchanged models (daily_stats, the models' latest figures, last_seen_date,
   * deleted_at cleared), inside the transaction of commitPage.
   */
  protected abstract writeSeen(db: Db, date: string, platform: Platform, seen: readonly SeenModel[]): Promise<void>;
  /** Wraps a list of strings so the engine binds it as a text array (`CAST($n AS TEXT[])`). */
  protected abstract textArray(values: readonly (string | null)[]): unknown;
  /**
   * Runs one query and hands its rows over in chunks of exactly `chunkSize` (the last one shorter), holding no more
   * than about a chunk in memory; statements the caller runs between chunks must not wait for the stream.
   */
  protected abstract streamQuery(sql: string, params: readonly unknown[], chunkSize: number): AsyncIterable<Columns>;

  /** $1 is a text array; an engine that defers work of commitPage also looks at what it deferred. */
  protected readonly existingKeysSql: string = ingest.DEFAULT_EXISTING_KEYS_SQL;
  /**
   * The keys of a sighting relation `s(key, fingerprint)` that are not stored with that fingerprint. An engine that
   * defers work of commitPage also returns keys with deferred rows: their stored fingerprint is not the latest.
   */
  protected changedKeysSql(sightings: string): string {
    return ingest.defaultChangedKeysSql(sightings);
  }
  /** The sightings as a relation (key, fingerprint) and its parameters; by default two JSON arrays of text. */
  protected sightingsRelation(keys: string[], fingerprints: string[]): { sql: string; params: unknown[] } {
    return ingest.defaultSightingsRelation(keys, fingerprints);
  }
  /**
   * Models of `platform` that carry one of these object ids under another key, and whose new key is not stored yet:
   * the repositories renamed since they were last written (rows `old_key`, `new_key`, `oid`). An engine that defers
   * work of commitPage also looks there.
   */
  protected findRenamed(db: Db, platform: Platform, keys: string[], oids: string[]): Promise<Row[]> {
    return ingest.defaultFindRenamed(this.ctx, db, platform, keys, oids);
  }
  /** Moves models' rows and histories from old keys to new ones, in commitPage's transaction (see defaultMoveKeys). */
  protected moveKeys(db: Db, olds: string[], news: string[]): Promise<void> {
    return ingest.defaultMoveKeys(this.ctx, db, olds, news);
  }

  /** Called before every read of models or daily_stats: an engine that defers work of commitPage finishes it here. */
  protected async prepareRead(): Promise<void> {}
  /** Called before the lineage pass's reads, which never read origins: an engine may leave origin writes pending. */
  protected prepareLineageRead(): Promise<void> {
    return this.prepareRead();
  }

  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;

  /** Whether daily_stats has the provenance column (migration 5): asked once per store, not per read. */
  private provenanceColumn: Promise<boolean> | null = null;
  private context: (ingest.IngestSqlContext & read.HistorySqlContext) | null = null;

  /**
   * The parts of this store the role modules use, built on first use (the engine's constructor has set `db` by then).
   * Hooks are called through the store, so an engine's overrides apply.
   */
  private get ctx(): ingest.IngestSqlContext & read.HistorySqlContext {
    return (this.context ??= {
      dialect: this.dialect,
      db: this.db,
      tx: (fn) => this.tx(fn),
      prepareRead: () => this.prepareRead(),
      prepareLineageRead: () => this.prepareLineageRead(),
      streamQuery: (sql, params, chunkSize) => this.streamQuery(sql, params, chunkSize),
      textArray: (values) => this.textArray(values),
      writeModels: (db, write) => this.writeModels(db, write),
      writeSeen: (db, date, platform, seen) => this.writeSeen(db, date, platform, seen),
      findRenamed: (db, platform, keys, oids) => this.findRenamed(db, platform, keys, oids),
      moveKeys: (db, olds, news) => this.moveKeys(db, olds, news),
      existingKeysSql: this.existingKeysSql,
      changedKeysSql: (sightings) => this.changedKeysSql(sightings),
      sightingsRelation: (keys, fingerprints) => this.sightingsRelation(keys, fingerprints),
      hasProvenanceColumn: () => (this.provenanceColumn ??= read.provenanceColumnExists(this.db)),
    });
  }

  // IngestStore: pages in, checkpoints, coverage, missing and deleted models (sql-ingest.ts)

  commitPage(page: PageCommit): Promise<void> {
    return ingest.commitPage(this.ctx, page);
  }

  getCheckpoint<T = unknown>(name: string): Promise<T | null> {
    return ingest.getCheckpoint<T>(this.ctx, name);
  }

  setCheckpoint(name: string, value: unknown | null): Promise<void> {
    return ingest.setCheckpoint(this.ctx, name, value);
  }

  setCoverageFlags(
    date: string,
    platform: Platform,
    flags: Partial<Pick<CoverageCounters, 'complete' | 'degraded' | 'swept'>> & { note?: string },
  ): Promise<void> {
    return ingest.setCoverageFlags(this.ctx, date, platform, flags);
  }

  getCoverage(date: string): Promise<Partial<Record<Platform, CoverageCounters>>> {
    return ingest.getCoverage(this.ctx, date);
  }

  existingKeys(keys: string[]): Promise<Set<string>> {
    return ingest.existingKeys(this.ctx, keys);
  }

  changedKeys(sightings: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Set<string>> {
    return ingest.changedKeys(this.ctx, sightings);
  }

  markMissing(platform: Platform, date: string): Promise<number> {
    return ingest.markMissing(this.ctx, platform, date);
  }

  deletionCandidates(
    platform: Platform,
    date: string,
    limit: number,
  ): Promise<Array<{ key: string; id: string; missingSince: string }>> {
    return ingest.deletionCandidates(this.ctx, platform, date, limit);
  }

  markDeleted(platform: Platform, keys: readonly string[], date: string): Promise<number> {
    return ingest.markDeleted(this.ctx, platform, keys, date);
  }

  // LineageStore (sql-lineage.ts)

  streamDerivativeKeys(chunkSize?: number): AsyncIterable<string[]> {
    return lineage.streamDerivativeKeys(this.ctx, chunkSize);
  }

  streamUnlinkedRedistributedKeys(chunkSize?: number): AsyncIterable<string[]> {
    return lineage.streamUnlinkedRedistributedKeys(this.ctx, chunkSize);
  }

  getLineageNodes(keys: string[]): Promise<Map<string, LineageNode>> {
    return lineage.getLineageNodes(this.ctx, keys);
  }

  findByNames(platform: Platform, names: string[]): Promise<Map<string, LineageNode[]>> {
    return lineage.findByNames(this.ctx, platform, names);
  }

  updateOrigins(updates: OriginUpdate[]): Promise<void> {
    return lineage.updateOrigins(this.ctx, updates);
  }

  /** PostgreSQL checkpoints on its own; the embedded store overrides this. */
  checkpoint(): Promise<void> {
    return Promise.resolve();
  }

  // SnapshotStore (its momentum reads are in momentum-sql.ts) (sql-snapshot.ts)

  statsDates(): Promise<string[]> {
    return snapshot.statsDates(this.ctx);
  }

  platformsOn(date: string): Promise<Platform[]> {
    return snapshot.platformsOn(this.ctx, date);
  }

  streamSnapshotRows(date: string, prevDate: PreviousDates, chunkSize?: number): AsyncIterable<SnapshotRow[]> {
    return snapshot.streamSnapshotRows(this.ctx, date, prevDate, chunkSize);
  }

  provenanceCounts(date: string): Promise<Partial<Record<Platform, Record<Provenance, number>>>> {
    return snapshot.provenanceCounts(this.ctx, date);
  }

  // ReadStore (sql-read.ts)

  listModels(q: ModelQuery): Promise<ModelPage> {
    return read.listModels(this.ctx, q);
  }

  getModel(key: string): Promise<NormalisedRecord | null> {
    return read.getModel(this.ctx, key);
  }

  renamedTo(key: string): Promise<string | null> {
    return read.renamedTo(this.ctx, key);
  }

  derivativeCounts(key: string): Promise<DerivativeCounts> {
    return read.derivativeCounts(this.ctx, key);
  }

  statsHistory(key: string): Promise<StatsPoint[]> {
    return read.statsHistory(this.ctx, key);
  }

  statsHistories(keys: string[]): Promise<Map<string, StatsPoint[]>> {
    return read.statsHistories(this.ctx, keys);
  }

  streamHistory(q: HistoryQuery, chunkSize?: number): AsyncIterable<HistoryRow[]> {
    return read.streamHistory(this.ctx, q, chunkSize);
  }

  orgCounts(): Promise<Array<{ org: string; publisherModels: number; originModels: number }>> {
    return read.orgCounts(this.ctx);
  }

  unknownNamespaces(date: string, top: number): Promise<{ total: number; rows: NamespaceDownloads[] }> {
    return read.unknownNamespaces(this.ctx, date, top);
  }

  // OpsStore (sql-ops.ts)

  ping(): Promise<void> {
    return ops.ping(this.ctx);
  }

  listQuarantine(limit: number, platform?: Platform): Promise<QuarantineRow[]> {
    return ops.listQuarantine(this.ctx, limit, platform);
  }

  countQuarantine(platform?: Platform): Promise<number> {
    return ops.countQuarantine(this.ctx, platform);
  }

  // BackfillStore and QualityStore (sql-backfill.ts)

  liveKeysOn(date: string, keys: readonly string[]): Promise<Set<string>> {
    return backfill.liveKeysOn(this.ctx, date, keys);
  }

  keysNewerThan(date: string, keys: readonly string[]): Promise<Set<string>> {
    return backfill.keysNewerThan(this.ctx, date, keys);
  }

  compareDays(platform: Platform, date: string, prevDate: string, activeFloor: number): Promise<DayComparison> {
    return backfill.compareDays(this.ctx, platform, date, prevDate, activeFloor);
  }

  renameCandidates(
    platform: Platform,
    since: string,
    date: string,
  ): Promise<Array<{ oldKey: string; newKey: string }>> {
    return backfill.renameCandidates(this.ctx, platform, since, date);
  }

  mergeRenamed(
    platform: Platform,
    pairs: ReadonlyArray<{ oldKey: string; newKey: string }>,
    date: string,
  ): Promise<number> {
    return backfill.mergeRenamed(this.ctx, platform, pairs, date);
  }

  renamesOn(platform: Platform, date: string): Promise<number> {
    return backfill.renamesOn(this.ctx, platform, date);
  }

  // SnapshotStore's momentum reads (momentum-sql.ts)

  streamMomentumRows(
    date: string,
    at7: string | null,
    at28: string | null,
    chunkSize?: number,
  ): AsyncIterable<MomentumRow[]> {
    return momentum.streamMomentumRows(this.ctx, date, at7, at28, chunkSize);
  }

  streamAdoptionHistories(date: string, createdFrom: string, chunkSize?: number): AsyncIterable<AdoptionChunk> {
    return momentum.streamAdoptionHistories(this.ctx, date, createdFrom, chunkSize);
  }
}
