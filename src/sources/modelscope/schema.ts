// zod schemas of ModelScope's own payloads: the `{Code, Data, Message, RequestId, Success}` envelope of the /api/v1
// endpoints, the dolphin list's `Data.Model.{Models, TotalCount}`, and one model record (the list and the detail
// endpoint share the record; the real sample in tests/sources/fixtures/modelscope has 96 keys, of which the ones
// below are read). Unknown keys are dropped, which also sheds the heavy AIGC fields (MuseInfo, …) before storage.
import { z } from 'zod';
import { isoInstant } from '../../normalise/text.js';
import { describeIssues } from '../validate.js';

/** Beijing time: what a ModelScope time without a zone means (the Chinese platforms print naive times in it). */
export const MS_NAIVE_OFFSET = '+08:00';

// The shape the normaliser (./record.ts) accepts: what this file's schema yields after validation at the edge. It is
// structural and loose on purpose (every field optional where the platform may omit it) so that the normaliser
// stays total: it never throws on any input, it falls back and says so.

/** A ModelScope record from `PUT /api/v1/dolphin/models` or `GET /api/v1/models/{owner}/{name}`. */
export interface ModelScopeInput {
  Id?: number | null;
  Path: string;
  Name: string;
  ChineseName?: string | null;
  Downloads?: number | null;
  Stars?: number | null;
  Likes?: number | null;
  License?: string | null;
  /** Epoch seconds (sometimes a numeric string; milliseconds are tolerated and detected). */
  CreatedTime?: number | string | null;
  LastUpdatedTime?: number | string | null;
  Tags?: string[] | null;
  Tasks?: Array<{ Name?: string | null } | null> | null;
  Libraries?: string[] | null;
  Frameworks?: string[] | null;
  BaseModel?: string[] | string | null;
  BaseModelRelation?: string | null;
  Organization?: { Name?: string | null; FullName?: string | null } | null;
  ModelInfos?: { safetensor?: { model_size?: number | null } | null } | null;
}

export const MsEnvelopeSchema = z.object({
  Code: z.union([z.number(), z.string()]).nullish(),
  Success: z.boolean(),
  Message: z.string().nullish(),
  RequestId: z.string().nullish(),
  Data: z.unknown().optional(),
});
export type MsEnvelope = z.infer<typeof MsEnvelopeSchema>;

export const MsListDataSchema = z.object({
  Model: z.object({
    Models: z.array(z.unknown()),
    TotalCount: z.number().int().nonnegative().nullish(),
  }),
  /**
   * Facet counts of the same query (spelled FiledAgg by the API): `{key: [{Count, Value}]}` (real sample). Only advice
   * for partitioning: any other shape is read as no facets, never as a broken page.
   */
  FiledAgg: z.unknown().optional(),
});

/**
 * A time: epoch seconds as a number or a numeric string (official and real: CreatedTime/LastUpdatedTime; milliseconds
 * are tolerated, the reader tells them apart), or a date-time text a reader can place: with a zone as given,
 * without one in Beijing time. The text forms are not evidenced for these fields; they are read rather than lose
 * every model if the API ever sends them (`hubwatch probe` reports such a change).
 */
const epoch = z.union([
  z.number().finite(),
  z.string().regex(/^-?\d+(\.\d+)?$/, 'expected an epoch time'),
  z.string().refine((s) => isoInstant(s, MS_NAIVE_OFFSET) !== null, 'expected an epoch time'),
]);
const count = z.number().int().nonnegative();
const strings = z.array(z.string());

export const MsModelSchema = z.object({
  Id: z.number().int().nullish(),
  Path: z.string().min(1),
  Name: z.string().min(1),
  ChineseName: z.string().nullish(),
  Downloads: count,
  Stars: count.nullish(),
  Likes: count.nullish(),
  License: z.string().nullish(),
  CreatedTime: epoch,
  LastUpdatedTime: epoch,
  Tags: strings.nullish(),
  Tasks: z.array(z.object({ Name: z.string().nullish() }).nullable()).nullish(),
  Libraries: strings.nullish(),
  Frameworks: strings.nullish(),
  BaseModel: z.union([strings, z.string()]).nullish(),
  BaseModelRelation: z.string().nullish(),
  Organization: z.object({ Name: z.string().nullish(), FullName: z.string().nullish() }).nullish(),
  ModelInfos: z
    .object({ safetensor: z.object({ model_size: z.number().nonnegative().nullish() }).nullish() })
    .nullish(),
});

// Compile-time check that what the schema yields is what the normaliser takes.
const _yieldsInput: (x: z.infer<typeof MsModelSchema>) => ModelScopeInput = (x) => x;
void _yieldsInput;

/**
 * A ModelScope time to ISO, as the normaliser reads it (text.ts isoInstant): epoch seconds or milliseconds, numeric
 * strings, naive date-times in Beijing time; null for missing, zero or negative sentinels (-62135596800 = year 1).
 */
export function epochToIso(v: number | string | null | undefined): string | null {
  return isoInstant(v, MS_NAIVE_OFFSET);
}

// ---------------------------------------------------------------------------------------------------------------
// The fast path. zod walks every one of a record's 96 keys to drop the unknown ones (about 24 µs a record, a fifth
// of what JSON.parse costs for it). This check accepts exactly what MsModelSchema accepts and builds the same
// output (a property test holds the two together); zod runs only on records it rejects, to say why.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nullish = (v: unknown): v is null | undefined => v === undefined || v === null;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const optString = (v: unknown): boolean => nullish(v) || typeof v === 'string';
const optCount = (v: unknown): boolean => nullish(v) || isCount(v);
const isEpoch = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isFinite(v)) ||
  (typeof v === 'string' && (/^-?\d+(\.\d+)?$/.test(v) || isoInstant(v, MS_NAIVE_OFFSET) !== null));
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const optStrings = (v: unknown): boolean => nullish(v) || isStrings(v);

const SIMPLE_KEYS = [
  'Id',
  'Path',
  'Name',
  'ChineseName',
  'Downloads',
  'Stars',
  'Likes',
  'License',
  'CreatedTime',
  'LastUpdatedTime',
  'Tags',
  'Libraries',
  'Frameworks',
  'BaseModel',
  'BaseModelRelation',
] as const;

/** The record as MsModelSchema would yield it, or null when MsModelSchema would reject it. */
export function pickMsModel(x: unknown): ModelScopeInput | null {
  if (!isObj(x)) return null;
  const o = x;
  if (!nullish(o.Id) && !(typeof o.Id === 'number' && Number.isSafeInteger(o.Id))) return null;
  if (typeof o.Path !== 'string' || o.Path.length === 0 || typeof o.Name !== 'string' || o.Name.length === 0)
    return null;
  if (!isCount(o.Downloads) || !optCount(o.Stars) || !optCount(o.Likes)) return null;
  if (!optString(o.ChineseName) || !optString(o.License) || !optString(o.BaseModelRelation)) return null;
  if (!isEpoch(o.CreatedTime) || !isEpoch(o.LastUpdatedTime)) return null;
  if (!optStrings(o.Tags) || !optStrings(o.Libraries) || !optStrings(o.Frameworks)) return null;
  if (!nullish(o.BaseModel) && typeof o.BaseModel !== 'string' && !isStrings(o.BaseModel)) return null;
  let tasks: ModelScopeInput['Tasks'] = o.Tasks as null | undefined;
  if (!nullish(o.Tasks)) {
    if (!Array.isArray(o.Tasks)) return null;
    tasks = [];
    for (const t of o.Tasks) {
      if (t === null) tasks.push(null);
      else if (isObj(t) && optString(t.Name)) tasks.push(t.Name === undefined ? {} : { Name: t.Name as string | null });
      else return null;
    }
  }
  let org: ModelScopeInput['Organization'] = o.Organization as null | undefined;
  if (!nullish(o.Organization)) {
    const g = o.Organization;
    if (!isObj(g) || !optString(g.Name) || !optString(g.FullName)) return null;
    org = {};
    if (g.Name !== undefined) org.Name = g.Name as string | null;
    if (g.FullName !== undefined) org.FullName = g.FullName as string | null;
  }
  let infos: ModelScopeInput['ModelInfos'] = o.ModelInfos as null | undefined;
  if (!nullish(o.ModelInfos)) {
    const mi = o.ModelInfos;
    if (!isObj(mi)) return null;
    infos = {};
    if (mi.safetensor !== undefined) {
      const st = mi.safetensor;
      if (st === null) infos.safetensor = null;
      else {
        if (!isObj(st)) return null;
        const size = st.model_size;
        if (!nullish(size) && !(typeof size === 'number' && Number.isFinite(size) && size >= 0)) return null;
        infos.safetensor = size === undefined ? {} : { model_size: size };
      }
    }
  }
  const out: Obj = {};
  for (const k of SIMPLE_KEYS) if (o[k] !== undefined) out[k] = o[k];
  if (o.Tasks !== undefined) out.Tasks = tasks;
  if (o.Organization !== undefined) out.Organization = org;
  if (o.ModelInfos !== undefined) out.ModelInfos = infos;
  return out as unknown as ModelScopeInput;
}

export type MsCheck = { ok: true; item: ModelScopeInput } | { ok: false; reason: string };

/** Validates one raw record: the fast path first, zod for the reason (or for anything the fast path missed). */
export function checkMsModel(raw: unknown): MsCheck {
  const fast = pickMsModel(raw);
  if (fast) return { ok: true, item: fast };
  const r = MsModelSchema.safeParse(raw);
  if (r.success) return { ok: true, item: r.data };
  return { ok: false, reason: describeIssues(r.error) };
}
