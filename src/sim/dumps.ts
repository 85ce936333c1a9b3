// The Hub's public metadata dumps, written from the simulator's own universe, so that `hubwatch backfill` can be
// tested against files whose every row is known: a partition dated D holds every Hub model exactly as the live
// simulated Hub serves it on day D (same ids, figures, dates, tags, card, lineage), unless a quality trap says
// otherwise, and the trap report says which rows it touched.
//
// What the real dumps are (research/anchors.md §12, research/hf.md §7, issue 16):
// - `hfmlsoc/hub_weekly_snapshots` keeps `models/<YYYY-MM-DD>/models.parquet`, weekly from 2024-07-24, each an
//   unmodified copy of the latest `cfahlgren1/hub-stats` `models.parquet` before the weekly boundary;
//   `models.csv` preceded `models.parquet`.
// - The columns public readers select: id, author, downloads, downloadsAllTime (from 2025-02-27, absent before),
//   likes, trendingScore, pipeline_tag, library_name, createdAt, lastModified, tags (a list), cardData (JSON text),
//   baseModels ({models: [{_id, id}], relation}), safetensors ({total, parameters}), gated (later files only), gguf
//   [tardellirs/modelpulse pipeline/build.py `latest_meta` reads exactly these, `gated` only "if present";
//   research/hf.md §7 for gguf and cardData as a string].
// - Dates drifted between text and timestamps; quality traps are real: "stall" days when most counters do not move,
//   days when counters go backwards, partial files, and renames between two files [tardellirs/modelpulse
//   analysis/stalls/A_frozen_metric.md: 25–90 % of models' downloadsAllTime frozen on a stall day;
//   huggingface_hub#4365; research/hf.md §7].
//
// Schemas (`DumpSchema`), as the real files drifted:
// - `v0`: `models.csv`, the oldest form. Flat text: dates as pandas writes a zoned datetime
//   (`2024-05-29 14:43:28+00:00`) and `tags` as a Python list repr (`['a', 'b']`), the way the one real CSV of Hub
//   models on record has them (samples/hf-bulk/hf-list-models-full-top10k-downloads.cs573.2024-09-20.csv);
//   `cardData` JSON text; no downloadsAllTime, gated, baseModels, safetensors or gguf.
// - `v1`: `models.parquet`, dates as VARCHAR (ISO-8601 as the API writes them), no downloadsAllTime, no gated;
//   baseModels and safetensors as structs (safetensors.parameters as JSON text by default).
// - `v2`: `models.parquet` with TIMESTAMP dates, downloadsAllTime, gated (`false`|`auto`|`manual` as text), tags
//   VARCHAR[], cardData JSON text, baseModels STRUCT(models STRUCT(_id, id)[], relation), safetensors
//   STRUCT(total BIGINT, parameters MAP(VARCHAR, BIGINT) by default, or JSON text), gguf STRUCT(total,
//   architecture, context_length), trendingScore.
// Whether the real files carry each model's own `_id` is not in the evidence: `withObjectId` (default off) adds it
// as the first column, so a backfill's rename matching can be tested both ways. Column order is ours; readers must
// select by name.
//
// API:
//   writeDumpFolder(universe, dir, plan) → { files, traps }   writes <dir>/models/<date>/models.{csv,parquet}
//   describeTraps(universe, plan) → TrapReport                 what each trap did, without writing anything
//   dumpColumns(schema, opts) → [{ name, type }]               the exact columns of a partition, as DuckDB reads them
//   defaultSchemaOf(date)                                      v0 before 2024-07-24, v1 until 2025-02-26, v2 after
// plan = { dates, schemaOf?, stall?, stallShare?, backwards?, backwardsShare?, partial?: [{date, share}],
//          renames?: [{date, count}], withObjectId?, rowGroupSize?, safetensorsParameters?, hostileRate? }
// Traps compare a partition with the previous date of the plan (its "previous partition"): a stall date holds
// `stallShare` of the models (default 0.8) at the previous partition's downloads, downloadsAllTime and likes; a
// backwards date puts `backwardsShare` of them (default 0.02) below the previous partition's downloadsAllTime (or
// 30-day downloads where the schema has no all-time column); a partial date leaves out `share` of the rows; a rename
// gives `count` models a new id from that date on, with `_id`, createdAt and counts carried over. Models with
// derivatives are never renamed (their new id would have to reach every child's tags and card).
//
// How it writes: one in-memory DuckDB per call and a JavaScript table function that hands DuckDB one JSON text per
// model, 2,048 rows a chunk, while the next chunk is prepared between DuckDB's calls; DuckDB shapes the text into
// typed columns (`from_json`) and streams them to `COPY … TO 'models.parquet' (FORMAT parquet, ROW_GROUP_SIZE n)`
// (or CSV). No partition is ever held whole, in JavaScript or in DuckDB, so memory does not follow its size. Files
// are written under a `.partial` name and renamed when complete: a server listing the folder never shows half a file.
// Measured on the shared 2-core test machine (v2, default row groups): 1,000,262 rows in 29 s of CPU (154 MB);
// 3,001,252 rows in 87 s of CPU (533 MB), the same ~29 µs a row. Peak RSS over the universe's own: +324 MB at 1M,
// +508 MB at 3M; the difference (~90 bytes a model) is the universe's ids, which it keeps once made
// (src/sim/universe.ts), not the writer.
// Served by src/sim/dumps-http.ts: startSim({ dumps: { dir } }) or `hubwatch sim --dumps DIR`.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, DuckDBTableFunction, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { HfRenderer } from './hf.js';
import { dayNumber, hash3, isoSeconds, unit } from './rng.js';
import type { Universe } from './universe.js';

export const DUMP_SCHEMAS = ['v0', 'v1', 'v2'] as const;
export type DumpSchema = (typeof DUMP_SCHEMAS)[number];

/** The weekly mirror starts here, in Parquet (research/anchors.md §12). */
export const FIRST_PARQUET_DATE = '2024-07-24';
/** downloadsAllTime appears in the dumps from this date (research/anchors.md §12; Model Pulse's README). */
export const FIRST_ALL_TIME_DATE = '2025-02-27';

/** A date's schema when the plan does not say: the real drift, as far as the evidence dates it. */
export function defaultSchemaOf(date: string): DumpSchema {
  if (date < FIRST_PARQUET_DATE) return 'v0';
  return date < FIRST_ALL_TIME_DATE ? 'v1' : 'v2';
}

export function dumpFileName(schema: DumpSchema): 'models.csv' | 'models.parquet' {
  return schema === 'v0' ? 'models.csv' : 'models.parquet';
}

/** `<dir>/models/<date>/models.{csv,parquet}`: the layout of hub_weekly_snapshots. */
export function dumpFilePath(dir: string, date: string, schema: DumpSchema): string {
  return join(dir, 'models', date, dumpFileName(schema));
}

// ---------------------------------------------------------------------------------------------------------------
// The plan, validated at the edge (it may come from a command line or a test's literal).

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const SHARE = z.number().gt(0).lt(1);

const PlanSchema = z.object({
  dates: z.array(DATE).min(1, 'a dump needs at least one date'),
  schemaOf: z.custom<(date: string) => DumpSchema>((v) => v === undefined || typeof v === 'function').optional(),
  stall: z.array(DATE).optional(),
  stallShare: SHARE.optional(),
  backwards: z.array(DATE).optional(),
  backwardsShare: SHARE.optional(),
  partial: z.array(z.object({ date: DATE, share: SHARE })).optional(),
  renames: z.array(z.object({ date: DATE, count: z.number().int().positive() })).optional(),
  withObjectId: z.boolean().optional(),
  rowGroupSize: z.number().int().min(1).max(10_000_000).optional(),
  safetensorsParameters: z.enum(['json', 'map']).optional(),
  hostileRate: z.number().min(0).max(1).optional(),
});

export interface DumpPlan {
  /** Partition dates (any order; written and compared in date order). */
  dates: string[];
  /** Schema of each date's file; default `defaultSchemaOf`. */
  schemaOf?: (date: string) => DumpSchema;
  /** Stall dates: `stallShare` of the models keep the previous partition's downloads, downloadsAllTime and likes. */
  stall?: string[];
  stallShare?: number;
  /** Backwards dates: `backwardsShare` of the models fall below the previous partition's all-time count. */
  backwards?: string[];
  backwardsShare?: number;
  /** Partial files: `share` of the date's rows are left out. */
  partial?: Array<{ date: string; share: number }>;
  /** Renames: `count` models get a new id from `date` on (same `_id`, createdAt and counts). */
  renames?: Array<{ date: string; count: number }>;
  /** Add the model's own `_id` as a column (not in the evidence either way; default off). */
  withObjectId?: boolean;
  /** Parquet row-group size (default 100,000). */
  rowGroupSize?: number;
  /** How `safetensors.parameters` is stored in Parquet: JSON text or a MAP (default: json in v1, map in v2). */
  safetensorsParameters?: 'json' | 'map';
  /** Share of models with hostile free text, as the live simulator's `hostileRate` fault (default 0). */
  hostileRate?: number;
}

function checkPlan(u: Universe, raw: DumpPlan): Required<Pick<DumpPlan, 'stallShare' | 'backwardsShare'>> & DumpPlan {
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `Invalid dump plan at ${issue.path.join('.') || '(plan)'}: ${issue.message}. Fix the plan passed to writeDumpFolder.`,
    );
  }
  const dates = [...new Set(raw.dates)].sort();
  if (dates.length !== raw.dates.length) throw new Error('Invalid dump plan: a date is listed twice in `dates`.');
  for (const d of dates) u.checkDay(d);
  const known = new Set(dates);
  const needsPrevious = (label: string, list: string[]): void => {
    for (const d of list) {
      if (!known.has(d)) throw new Error(`Invalid dump plan: ${label} date ${d} is not one of the plan's dates.`);
      if (d === dates[0])
        throw new Error(
          `Invalid dump plan: ${label} date ${d} is the first date; a ${label} needs a previous partition to compare with.`,
        );
    }
  };
  needsPrevious('stall', raw.stall ?? []);
  needsPrevious('backwards', raw.backwards ?? []);
  needsPrevious(
    'rename',
    (raw.renames ?? []).map((r) => r.date),
  );
  for (const p of raw.partial ?? [])
    if (!known.has(p.date))
      throw new Error(`Invalid dump plan: partial date ${p.date} is not one of the plan's dates.`);
  return { ...raw, dates, stallShare: raw.stallShare ?? 0.8, backwardsShare: raw.backwardsShare ?? 0.02 };
}

// ---------------------------------------------------------------------------------------------------------------
// Columns of each schema, as DuckDB reads them back.

export interface DumpColumn {
  name: string;
  /** DuckDB's type name, as `DESCRIBE` prints it. */
  type: string;
}

const BASE_MODELS_TYPE = 'STRUCT(models STRUCT(_id VARCHAR, id VARCHAR)[], relation VARCHAR)';
const GGUF_TYPE = 'STRUCT(total BIGINT, architecture VARCHAR, context_length BIGINT)';

function parametersForm(schema: DumpSchema, opts: { safetensorsParameters?: 'json' | 'map' }): 'json' | 'map' {
  return opts.safetensorsParameters ?? (schema === 'v2' ? 'map' : 'json');
}

/**
 * The exact columns of a partition file, in file order. Parquet types are what DuckDB's DESCRIBE prints; a CSV is
 * text, so for v0 they are what was written (DuckDB's read_csv sniffs the dates as TIMESTAMP WITH TIME ZONE).
 */
export function dumpColumns(
  schema: DumpSchema,
  opts: { withObjectId?: boolean; safetensorsParameters?: 'json' | 'map' } = {},
): DumpColumn[] {
  const cols: DumpColumn[] = [];
  if (opts.withObjectId) cols.push({ name: '_id', type: 'VARCHAR' });
  cols.push({ name: 'id', type: 'VARCHAR' }, { name: 'author', type: 'VARCHAR' });
  if (schema === 'v0') {
    cols.push(
      { name: 'downloads', type: 'BIGINT' },
      { name: 'likes', type: 'BIGINT' },
      { name: 'trendingScore', type: 'DOUBLE' },
      { name: 'pipeline_tag', type: 'VARCHAR' },
      { name: 'library_name', type: 'VARCHAR' },
      { name: 'createdAt', type: 'VARCHAR' },
      { name: 'lastModified', type: 'VARCHAR' },
      { name: 'tags', type: 'VARCHAR' },
      { name: 'cardData', type: 'VARCHAR' },
    );
    return cols;
  }
  const date = schema === 'v1' ? 'VARCHAR' : 'TIMESTAMP';
  cols.push({ name: 'downloads', type: 'BIGINT' });
  if (schema === 'v2') cols.push({ name: 'downloadsAllTime', type: 'BIGINT' });
  cols.push(
    { name: 'likes', type: 'BIGINT' },
    { name: 'trendingScore', type: 'DOUBLE' },
    { name: 'pipeline_tag', type: 'VARCHAR' },
    { name: 'library_name', type: 'VARCHAR' },
    { name: 'createdAt', type: date },
    { name: 'lastModified', type: date },
    { name: 'tags', type: 'VARCHAR[]' },
    { name: 'cardData', type: 'VARCHAR' },
  );
  if (schema === 'v2') cols.push({ name: 'gated', type: 'VARCHAR' });
  cols.push({ name: 'baseModels', type: BASE_MODELS_TYPE });
  const params = parametersForm(schema, opts) === 'map' ? 'MAP(VARCHAR, BIGINT)' : 'VARCHAR';
  cols.push({ name: 'safetensors', type: `STRUCT(total BIGINT, parameters ${params})` });
  if (schema === 'v2') cols.push({ name: 'gguf', type: GGUF_TYPE });
  return cols;
}

// ---------------------------------------------------------------------------------------------------------------
// The world of a plan: which rows each partition holds, under which id, with which figures.

export interface Figures {
  downloads: number;
  downloadsAllTime: number;
  likes: number;
}

export interface RenamedModel {
  objectId: string;
  from: string;
  to: string;
  createdAt: string;
}

export interface TrapReport {
  /** Per stall date: the models (ids on that date) whose figures are the previous partition's. */
  stall: Array<{ date: string; previous: string; ids: string[] }>;
  /** Per backwards date: the models whose all-time (v0/v1: 30-day) count is below the previous partition's. */
  backwards: Array<{ date: string; previous: string; column: 'downloadsAllTime' | 'downloads'; ids: string[] }>;
  /** Per partial date: the ids left out, and the rows the file has. */
  partial: Array<{ date: string; share: number; missing: string[]; rows: number }>;
  /** Per rename date: each model's `_id`, old and new id, and createdAt. */
  renames: Array<{ date: string; previous: string; models: RenamedModel[] }>;
}

const SALT_STALL = 0x57a11;
const SALT_BACK = 0xbac4;
const SALT_PARTIAL = 0x9a47;
const SALT_RENAME = 0x4e4a;

class DumpWorld {
  readonly dates: string[];
  readonly dayNs: number[];
  private readonly stallAt = new Set<number>();
  private readonly backAt = new Set<number>();
  private readonly partialAt = new Map<number, number>();
  /** index → (first partition position with the new id, new id) */
  readonly renamed = new Map<number, { from: number; id: string }>();
  readonly renamesByDate = new Map<number, number[]>();
  readonly render: HfRenderer;

  constructor(
    readonly u: Universe,
    readonly plan: ReturnType<typeof checkPlan>,
  ) {
    this.dates = plan.dates;
    this.dayNs = this.dates.map((d) => dayNumber(d));
    const pos = (d: string): number => this.dates.indexOf(d);
    for (const d of plan.stall ?? []) this.stallAt.add(pos(d));
    for (const d of plan.backwards ?? []) this.backAt.add(pos(d));
    for (const p of plan.partial ?? []) this.partialAt.set(pos(p.date), p.share);
    for (const r of plan.renames ?? []) this.pickRenames(pos(r.date), r.count);
    this.render = new HfRenderer(u);
  }

  schemaAt(k: number): DumpSchema {
    const d = this.dates[k]!;
    const s = (this.plan.schemaOf ?? defaultSchemaOf)(d);
    if (!(DUMP_SCHEMAS as readonly string[]).includes(s))
      throw new Error(
        `Invalid dump plan: schemaOf(${d}) gave ${JSON.stringify(s)}; expected one of ${DUMP_SCHEMAS.join(', ')}.`,
      );
    return s;
  }

  /** Models the day's Hub lists, in index (= `_id`) order, before any partial cut. */
  indices(k: number): Generator<number> {
    return this.u.indices(this.dayNs[k]!);
  }

  /**
   * Models renamed at position k: visible on the previous partition's day and on k's, no derivatives (their new id
   * would have to reach every child's tags), no rename of the universe's own up to the last date, none picked twice.
   */
  private pickRenames(k: number, count: number): void {
    const u = this.u;
    const prev = this.dayNs[k - 1]!;
    const day = this.dayNs[k]!;
    const last = this.dayNs[this.dayNs.length - 1]!;
    const end = prev * 86_400 + 86_400;
    let hi = 0;
    while (hi < u.capacity && (u.created[hi] as number) < end) hi++;
    const picked: number[] = [];
    for (let t = 0; picked.length < count && t < count * 400; t++) {
      const i = hash3(u.seed ^ SALT_RENAME, day, t) % Math.max(1, hi);
      if (this.renamed.has(i) || !u.visible(i, prev) || !u.visible(i, day)) continue;
      if (u.idAt(i, last) !== u.idOf(i)) continue;
      const c = u.childrenCount(i, last);
      if (c.adapter + c.merge + c.quantized + c.finetune > 0) continue;
      const id = `${u.idOf(i)}-renamed-${this.dates[k]!.replaceAll('-', '')}`;
      if (u.lookup(id, last) !== null) continue;
      this.renamed.set(i, { from: k, id });
      picked.push(i);
    }
    if (picked.length < count)
      throw new Error(
        `Invalid dump plan: only ${picked.length} of ${count} models can be renamed on ${this.dates[k]}; ask for fewer.`,
      );
    this.renamesByDate.set(k, picked);
  }

  idAt(i: number, k: number): string {
    const r = this.renamed.get(i);
    if (r && k >= r.from) return r.id;
    return this.u.idAt(i, this.dayNs[k]!);
  }

  /** Whether model i is left out of partition k's file. */
  missing(i: number, k: number): boolean {
    const share = this.partialAt.get(k);
    return share !== undefined && unit(this.u.seed ^ SALT_PARTIAL, i, this.dayNs[k]) < share;
  }

  /** Whether the stall trap holds model i at the previous partition's figures. */
  stalled(i: number, k: number): boolean {
    return (
      this.stallAt.has(k) &&
      this.u.visible(i, this.dayNs[k - 1]!) &&
      unit(this.u.seed ^ SALT_STALL, i, this.dayNs[k]) < this.plan.stallShare
    );
  }

  /** Whether the backwards trap puts model i below the previous partition (only where there is a count to lower). */
  wentBack(i: number, k: number): boolean {
    if (!this.backAt.has(k) || !this.u.visible(i, this.dayNs[k - 1]!)) return false;
    if (unit(this.u.seed ^ SALT_BACK, i, this.dayNs[k]) >= this.plan.backwardsShare) return false;
    const prev = this.figures(i, k - 1);
    return this.backColumn(k) === 'downloadsAllTime' ? prev.downloadsAllTime > 0 : prev.downloads > 0;
  }

  backColumn(k: number): 'downloadsAllTime' | 'downloads' {
    return this.schemaAt(k) === 'v2' ? 'downloadsAllTime' : 'downloads';
  }

  /** The figures partition k writes for model i: the live Hub's of that day, unless a trap says otherwise. */
  figures(i: number, k: number): Figures {
    const u = this.u;
    const dayN = this.dayNs[k]!;
    if (this.stalled(i, k)) return this.figures(i, k - 1);
    const live = {
      downloads: u.downloads30d(i, dayN),
      downloadsAllTime: u.downloadsAllTime(i, dayN),
      likes: u.likes(i, dayN),
    };
    if (this.wentBack(i, k)) {
      const prev = this.figures(i, k - 1);
      // A drop of 1 % (at least one download) below the previous file: the size of the real dips is not recorded.
      if (this.backColumn(k) === 'downloadsAllTime') {
        const allTime = prev.downloadsAllTime - Math.max(1, Math.floor(prev.downloadsAllTime * 0.01));
        return { ...live, downloadsAllTime: allTime, downloads: Math.min(live.downloads, allTime) };
      }
      return { ...live, downloads: prev.downloads - Math.max(1, Math.floor(prev.downloads * 0.01)) };
    }
    return live;
  }

  /** What the traps of partition k do, for the report; `rows` counts the rows the file holds. */
  trapsOf(k: number): { stall: string[]; back: string[]; missing: string[]; rows: number } {
    const out = { stall: [] as string[], back: [] as string[], missing: [] as string[], rows: 0 };
    for (const i of this.indices(k)) this.note(out, i, k);
    return out;
  }

  note(out: { stall: string[]; back: string[]; missing: string[]; rows: number }, i: number, k: number): boolean {
    if (this.missing(i, k)) {
      out.missing.push(this.idAt(i, k));
      return false;
    }
    out.rows++;
    if (this.stallAt.has(k) && this.stalled(i, k)) out.stall.push(this.idAt(i, k));
    else if (this.backAt.has(k) && this.wentBack(i, k)) out.back.push(this.idAt(i, k));
    return true;
  }

  hasTraps(k: number): boolean {
    return this.stallAt.has(k) || this.backAt.has(k) || this.partialAt.has(k);
  }

  report(perDate: Map<number, { stall: string[]; back: string[]; missing: string[]; rows: number }>): TrapReport {
    const rep: TrapReport = { stall: [], backwards: [], partial: [], renames: [] };
    for (let k = 0; k < this.dates.length; k++) {
      const date = this.dates[k]!;
      const previous = this.dates[k - 1] ?? '';
      const t = perDate.get(k);
      if (this.stallAt.has(k)) rep.stall.push({ date, previous, ids: t?.stall ?? [] });
      if (this.backAt.has(k)) rep.backwards.push({ date, previous, column: this.backColumn(k), ids: t?.back ?? [] });
      const share = this.partialAt.get(k);
      if (share !== undefined) rep.partial.push({ date, share, missing: t?.missing ?? [], rows: t?.rows ?? 0 });
      const ren = this.renamesByDate.get(k);
      if (ren) {
        rep.renames.push({
          date,
          previous,
          models: ren.map((i) => ({
            objectId: this.u.objectId(i),
            from: this.idAt(i, k - 1),
            to: this.idAt(i, k),
            createdAt: this.u.createdIso(i),
          })),
        });
      }
    }
    return rep;
  }
}

/** What each trap of the plan does (which ids, which dates), computed without writing a file. */
export function describeTraps(universe: Universe, plan: DumpPlan): TrapReport {
  const world = new DumpWorld(universe, checkPlan(universe, plan));
  const perDate = new Map<number, { stall: string[]; back: string[]; missing: string[]; rows: number }>();
  for (let k = 0; k < world.dates.length; k++) if (world.hasTraps(k)) perDate.set(k, world.trapsOf(k));
  return world.report(perDate);
}

// ---------------------------------------------------------------------------------------------------------------
// Rows as JSON text, one per model, shaped by DuckDB.

/** A zoned datetime as pandas prints it (`2024-05-29 14:43:28+00:00`), as in the real CSV on record. */
function pandasDate(sec: number): string {
  return `${isoSeconds(sec).slice(0, 19).replace('T', ' ')}+00:00`;
}

/** A Python list repr of strings, as pandas writes a list column to CSV (the real CSV on record has `['a', 'b']`). */
export function pythonListRepr(items: readonly string[]): string {
  return `[${items.map(pythonStringRepr).join(', ')}]`;
}

function pythonStringRepr(s: string): string {
  // Python quotes with ' unless the text holds a ' and no ".
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

class RowWriter {
  private readonly hostile: { hostileRate?: number };

  constructor(
    private readonly world: DumpWorld,
    private readonly withObjectId: boolean,
    private readonly paramsForm: (schema: DumpSchema) => 'json' | 'map',
  ) {
    this.hostile = world.plan.hostileRate ? { hostileRate: world.plan.hostileRate } : {};
  }

  /** One model of partition k as JSON text whose keys are the schema's columns. */
  json(i: number, k: number, schema: DumpSchema): string {
    const w = this.world;
    const u = w.u;
    const r = w.render;
    const dayN = w.dayNs[k]!;
    // The live renderer gives every free-text field as the Hub serves it that day (hostile strings included).
    const live = r.object(
      i,
      ['tags', 'pipeline_tag', 'library_name', 'cardData', 'gated', 'safetensors', 'gguf', 'baseModels'],
      dayN,
      this.hostile,
      false,
    );
    const f = w.figures(i, k);
    const o: Record<string, unknown> = {};
    if (this.withObjectId) o._id = u.objectId(i);
    o.id = w.idAt(i, k);
    o.author = u.namespaceOf(i);
    o.downloads = f.downloads;
    if (schema === 'v2') o.downloadsAllTime = f.downloadsAllTime;
    o.likes = f.likes;
    o.trendingScore = u.trendingScore(i, dayN);
    o.pipeline_tag = live.pipeline_tag ?? null;
    o.library_name = live.library_name ?? null;
    const created = u.created[i] as number;
    const modified = u.lastModifiedSec(i, dayN);
    const tags = live.tags as string[];
    o.cardData = live.cardData === undefined ? null : JSON.stringify(live.cardData);
    if (schema === 'v0') {
      o.createdAt = pandasDate(created);
      o.lastModified = pandasDate(modified);
      o.tags = pythonListRepr(tags);
      return JSON.stringify(o);
    }
    // Not u.createdIso(i): that keeps a string per model for the life of the universe.
    o.createdAt = isoSeconds(created);
    o.lastModified = isoSeconds(modified);
    o.tags = tags;
    if (schema === 'v2') o.gated = String(live.gated ?? false);
    o.baseModels = live.baseModels ?? null;
    const st = live.safetensors as { total: number; parameters: Record<string, number> } | undefined;
    o.safetensors = st
      ? {
          total: st.total,
          parameters: this.paramsForm(schema) === 'map' ? st.parameters : JSON.stringify(st.parameters),
        }
      : null;
    if (schema === 'v2') {
      const g = live.gguf as { total: number; architecture: string; context_length: number } | undefined;
      o.gguf = g ? { total: g.total, architecture: g.architecture, context_length: g.context_length } : null;
    }
    return JSON.stringify(o);
  }
}

/** DuckDB's `from_json` structure for a schema's columns (v0: the CSV's columns, all flat). */
function jsonStructure(cols: DumpColumn[]): string {
  return JSON.stringify(Object.fromEntries(cols.map((c) => [c.name, c.type])));
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Rows a chunk hands DuckDB: its standard vector size. */
const CHUNK_ROWS = 2048;

export interface DumpFile {
  date: string;
  schema: DumpSchema;
  path: string;
  rows: number;
  bytes: number;
  ms: number;
}

export interface DumpWriteResult {
  files: DumpFile[];
  traps: TrapReport;
}

/**
 * Writes every partition of the plan under `dir` (`<dir>/models/<date>/models.{csv,parquet}`), replacing files of
 * the same dates. Returns each file's size, rows and time, and what each trap did.
 */
export async function writeDumpFolder(universe: Universe, dir: string, plan: DumpPlan): Promise<DumpWriteResult> {
  const checked = checkPlan(universe, plan);
  const world = new DumpWorld(universe, checked);
  const rows = new RowWriter(world, checked.withObjectId === true, (s) => parametersForm(s, checked));
  const instance = await DuckDBInstance.create(':memory:', {
    // One thread: the source is one JavaScript table function, and one thread keeps row order (and the bytes) the
    // same run after run. A small pool: COPY streams row groups, nothing here needs to be held.
    threads: '1',
    memory_limit: '256MB',
    preserve_insertion_order: 'true',
  });
  const files: DumpFile[] = [];
  const perDate = new Map<number, { stall: string[]; back: string[]; missing: string[]; rows: number }>();
  let conn: DuckDBConnection | null = null;
  try {
    conn = await instance.connect();
    const source = new ChunkSource();
    conn.registerTableFunction(source.tableFunction());
    for (let k = 0; k < world.dates.length; k++) {
      const date = world.dates[k]!;
      const schema = world.schemaAt(k);
      const path = dumpFilePath(dir, date, schema);
      const started = performance.now();
      await mkdir(join(dir, 'models', date), { recursive: true });
      // A date written before under the other schema's name would be a second file in the partition.
      for (const other of DUMP_SCHEMAS)
        if (dumpFileName(other) !== dumpFileName(schema)) await rm(dumpFilePath(dir, date, other), { force: true });
      const notes = world.hasTraps(k)
        ? { stall: [] as string[], back: [] as string[], missing: [] as string[], rows: 0 }
        : null;
      let count = 0;
      const it = world.indices(k);
      source.start(() => {
        for (;;) {
          const n = it.next();
          if (n.done) return null;
          const i = n.value;
          if (notes ? !world.note(notes, i, k) : world.missing(i, k)) continue;
          count++;
          return rows.json(i, k, schema);
        }
      });
      const cols = dumpColumns(schema, {
        withObjectId: checked.withObjectId === true,
        safetensorsParameters: parametersForm(schema, checked),
      });
      const partial = join(dir, 'models', date, `.${dumpFileName(schema)}.partial`);
      const select = `SELECT s.* FROM (SELECT from_json(j, ${sqlString(jsonStructure(cols))}) AS s FROM ${ChunkSource.NAME}())`;
      const options =
        schema === 'v0'
          ? '(FORMAT csv, HEADER true)'
          : `(FORMAT parquet, ROW_GROUP_SIZE ${checked.rowGroupSize ?? 100_000})`;
      try {
        await conn.run(`COPY (${select}) TO ${sqlString(partial)} ${options}`);
        await rename(partial, path);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      } finally {
        source.stop();
      }
      if (notes) perDate.set(k, notes);
      files.push({
        date,
        schema,
        path,
        rows: count,
        bytes: (await stat(path)).size,
        ms: Math.round(performance.now() - started),
      });
    }
  } finally {
    conn?.closeSync();
    instance.closeSync();
  }
  return { files, traps: world.report(perDate) };
}

/**
 * The table function DuckDB pulls rows from: one VARCHAR column `j`. DuckDB calls it on the JavaScript thread for
 * each chunk and waits; the next chunk is built as soon as it returns (setImmediate), so JavaScript builds rows
 * while DuckDB shapes and compresses the previous chunk.
 */
class ChunkSource {
  static readonly NAME = 'hubwatch_dump_rows';
  private next: (() => string | null) | null = null;
  private ready: string[] | null = null;
  private done = false;
  private pending: NodeJS.Immediate | null = null;

  start(next: () => string | null): void {
    this.next = next;
    this.ready = null;
    this.done = false;
    this.prepareSoon();
  }

  stop(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = null;
    this.next = null;
    this.ready = null;
  }

  private build(): string[] {
    const out: string[] = [];
    const next = this.next;
    if (!next || this.done) return out;
    while (out.length < CHUNK_ROWS) {
      const row = next();
      if (row === null) {
        this.done = true;
        break;
      }
      out.push(row);
    }
    return out;
  }

  private prepareSoon(): void {
    if (this.pending || this.done) return;
    this.pending = setImmediate(() => {
      this.pending = null;
      if (this.ready === null) this.ready = this.build();
    });
  }

  tableFunction(): DuckDBTableFunction {
    return DuckDBTableFunction.create({
      name: ChunkSource.NAME,
      bindFunction: (info) => {
        info.addResultColumn('j', VARCHAR);
      },
      initFunction: (info) => {
        info.setInitData({});
      },
      mainFunction: (info, output) => {
        try {
          if (this.pending) {
            clearImmediate(this.pending);
            this.pending = null;
          }
          const batch = this.ready ?? this.build();
          this.ready = null;
          output.rowCount = batch.length;
          if (batch.length > 0) {
            const v = output.getColumnVector(0);
            for (let k = 0; k < batch.length; k++) v.setItem(k, batch[k]!);
            v.flush();
            this.prepareSoon();
          }
        } catch (err) {
          info.setError(err instanceof Error ? err.message : String(err));
        }
      },
    });
  }
}
