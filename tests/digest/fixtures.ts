// A simulated fortnight for the digest: a seeded universe of models released day by day, the daily stats the
// store gets for them (through commitPage, as the cycle writes them), and the daily snapshot files the real builder
// (src/snapshot/build.ts) makes from that store, so the digest is tested on the snapshots the service writes.
import type { LicenseClass, NormalisedRecord, OrgKind, Platform, Relation } from '../../src/model.js';
import { PLATFORMS } from '../../src/model.js';
import type { Store } from '../../src/store/types.js';
import { loadConfig } from '../../src/config.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { addDays, dayNumber } from '../../src/time.js';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Org {
  org: string | null;
  namespace: string;
  country: string;
  kind: OrgKind;
  family: string | null;
  weight: number;
}

export const ORGS: Org[] = [
  { org: 'Alibaba Qwen', namespace: 'Qwen', country: 'CN', kind: 'big_tech', family: 'Qwen', weight: 9 },
  { org: 'Meta', namespace: 'meta-llama', country: 'US', kind: 'big_tech', family: 'Llama', weight: 6 },
  { org: 'Google', namespace: 'google', country: 'US', kind: 'big_tech', family: 'Gemma', weight: 6 },
  { org: 'Microsoft', namespace: 'microsoft', country: 'US', kind: 'big_tech', family: 'Phi', weight: 4 },
  { org: 'Tencent', namespace: 'tencent', country: 'CN', kind: 'big_tech', family: 'Hunyuan', weight: 3 },
  { org: 'DeepSeek', namespace: 'deepseek-ai', country: 'CN', kind: 'ai_startup', family: 'DeepSeek', weight: 4 },
  { org: 'Mistral AI', namespace: 'mistralai', country: 'FR', kind: 'ai_startup', family: 'Mistral', weight: 4 },
  { org: 'Moonshot AI', namespace: 'moonshotai', country: 'CN', kind: 'ai_startup', family: 'Kimi', weight: 2 },
  { org: 'Upstage', namespace: 'upstage', country: 'KR', kind: 'ai_startup', family: 'Solar', weight: 1 },
  { org: 'Sakana AI', namespace: 'SakanaAI', country: 'JP', kind: 'ai_startup', family: null, weight: 1 },
  { org: 'Tsinghua University', namespace: 'THUDM', country: 'CN', kind: 'academic', family: 'GLM', weight: 2 },
  { org: 'Stanford', namespace: 'stanford-crfm', country: 'US', kind: 'academic', family: null, weight: 1 },
  { org: 'Allen Institute for AI', namespace: 'allenai', country: 'US', kind: 'nonprofit', family: 'OLMo', weight: 2 },
  { org: 'TII', namespace: 'tiiuae', country: 'AE', kind: 'government', family: 'Falcon', weight: 1 },
  { org: 'Aleph Alpha', namespace: 'Aleph-Alpha', country: 'DE', kind: 'ai_startup', family: null, weight: 1 },
  { org: 'Cohere', namespace: 'CohereForAI', country: 'CA', kind: 'ai_startup', family: 'Command', weight: 1 },
  { org: 'AI21', namespace: 'ai21labs', country: 'IL', kind: 'ai_startup', family: 'Jamba', weight: 1 },
  { org: 'Sarvam', namespace: 'sarvamai', country: 'IN', kind: 'ai_startup', family: null, weight: 1 },
  { org: 'Stability AI', namespace: 'stabilityai', country: 'GB', kind: 'ai_startup', family: null, weight: 1 },
];

/** Individuals upload most derivatives; their country is unknown unless a registry says otherwise. */
const INDIVIDUAL_COUNTRIES = ['ZZ', 'ZZ', 'ZZ', 'US', 'CN', 'BR', 'VN', 'RU'];

const LICENSES: Array<{ id: string; cls: LicenseClass }> = [
  { id: 'Apache-2.0', cls: 'permissive' },
  { id: 'MIT', cls: 'permissive' },
  { id: 'LicenseRef-hubwatch-llama3', cls: 'open-restricted' },
  { id: 'LicenseRef-hubwatch-gemma', cls: 'open-restricted' },
  { id: 'CC-BY-NC-4.0', cls: 'non-commercial' },
  { id: 'GPL-3.0-only', cls: 'copyleft' },
  { id: 'LicenseRef-hubwatch-unknown', cls: 'unknown' },
];

const TASKS = ['text-generation', 'text-generation', 'image-text-to-text', 'feature-extraction', 'text-to-image'];

/** One model of the simulated universe: its record (latest state) and how its counts grow per day. */
export interface FxModel {
  record: NormalisedRecord;
  /** Day it is first seen (and, but for the made-public-late model, created). */
  firstSeen: string;
  /** Day it counts as a new release (releasedAt's date). */
  releasedDay: string;
  baseAllTime: number;
  perDay: number;
  likesPerDay: number;
}

export interface World {
  days: string[];
  models: FxModel[];
}

function pick<T>(r: () => number, xs: T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function pickOrg(r: () => number): Org {
  const total = ORGS.reduce((a, o) => a + o.weight, 0);
  let x = r() * total;
  for (const o of ORGS) {
    x -= o.weight;
    if (x <= 0) return o;
  }
  return ORGS[0]!;
}

export interface MakeRecordInput {
  platform: Platform;
  namespace: string;
  name: string;
  createdAt: string | null;
  firstSeenAt: string;
  releasedAt: string | null;
  relation: Relation;
  rootKey?: string;
  family: string | null;
  license: { id: string; cls: LicenseClass };
  publisher: { org: string | null; country: string; kind: OrgKind };
  origin: { org: string | null; country: string; kind: OrgKind };
  task: string | null;
  params: number | null;
  stats: { downloads30d: number | null; downloadsAllTime: number | null; likes: number | null };
  url?: string;
}

export function makeRecord(m: MakeRecordInput): NormalisedRecord {
  const id = `${m.namespace}/${m.name}`;
  const key = `${m.platform}:${id}`;
  return {
    key,
    platform: m.platform,
    id,
    namespace: m.namespace,
    name: m.name,
    url:
      m.url ??
      `https://${m.platform === 'huggingface' ? 'huggingface.co' : m.platform === 'modelscope' ? 'modelscope.cn/models' : 'wisemodel.cn/models'}/${id}`,
    createdAt: m.createdAt,
    lastModified: m.createdAt,
    firstSeenAt: m.firstSeenAt,
    releasedAt: m.releasedAt,
    task: m.task,
    library: 'transformers',
    tags: [],
    params: m.params,
    license: { raw: m.license.id, id: m.license.id, name: m.license.id, class: m.license.cls, basis: 'fixture' },
    publisher: {
      namespace: m.namespace,
      org: m.publisher.org,
      country: m.publisher.country,
      countryAlt: null,
      kind: m.publisher.kind,
    },
    lineage: {
      relation: m.relation,
      baseModels: m.rootKey ? [m.rootKey] : [],
      root: m.rootKey ?? key,
      family: m.family,
    },
    origin: {
      org: m.origin.org,
      country: m.origin.country,
      countryAlt: null,
      kind: m.origin.kind,
      basis: m.origin.org ? 'registry' : 'unknown',
    },
    stats: m.stats,
    mirrors: [],
  };
}

export const HOSTILE_NAME = '<script>window.__pwned=1;alert(1)</script> مرحبا بالعالم 🚀🔥 \u202Egnp.exe';
export const HOSTILE_ORG = '<img src=x onerror="window.__pwned=2">Evil|Labs *bold* [x](javascript:alert(1))';
export const HOSTILE_FAMILY = '<svg onload=window.__pwned=3>';

/**
 * `days` consecutive days starting on `start`; about `perDay` releases a day on top of an older catalogue. Includes a
 * model made public late (old createdAt, first seen mid-week) and a hostile base model from a "known" organisation.
 */
export function makeWorld(opts: { start: string; days: number; perDay: number; older: number; seed: number }): World {
  const r = rng(opts.seed);
  const days = Array.from({ length: opts.days }, (_, i) => addDays(opts.start, i));
  const models: FxModel[] = [];
  const bases: FxModel[] = [];
  let n = 0;
  const add = (day: string, older: boolean): FxModel => {
    const platform: Platform = r() < 0.7 ? 'huggingface' : r() < 0.75 ? 'modelscope' : 'wisemodel';
    const isBase = r() < 0.3 || bases.length < 5;
    const root = !isBase ? pick(r, bases) : null;
    const fromOrg = isBase ? r() < 0.75 : r() < 0.15;
    const org = fromOrg ? pickOrg(r) : null;
    const publisher = org
      ? { org: org.org, country: org.country, kind: org.kind }
      : { org: null, country: pick(r, INDIVIDUAL_COUNTRIES), kind: 'individual' as OrgKind };
    const origin = root
      ? { org: root.record.origin.org, country: root.record.origin.country, kind: root.record.origin.kind }
      : publisher;
    const family = root ? root.record.lineage.family : (org?.family ?? null);
    const relation: Relation = isBase
      ? 'base'
      : pick(r, ['finetune', 'finetune', 'quantized', 'adapter', 'merge'] as Relation[]);
    const hour = String(Math.floor(r() * 24)).padStart(2, '0');
    const createdAt = older
      ? `${addDays(opts.start, -30 - Math.floor(r() * 300))}T${hour}:00:00.000Z`
      : `${day}T${hour}:15:00.000Z`;
    const firstSeen = older ? opts.start : day;
    const i = n++;
    const rec = makeRecord({
      platform,
      namespace: org?.namespace ?? `user${i % 97}`,
      name: `${family ?? 'model'}-${i}-${relation}`,
      createdAt,
      // hubwatch saw the older catalogue when it appeared (else the store would call it made public late).
      firstSeenAt: older ? createdAt.replace(':00:00.000Z', ':20:00.000Z') : `${day}T${hour}:20:00.000Z`,
      releasedAt: createdAt,
      relation,
      ...(root ? { rootKey: root.record.key } : {}),
      family,
      license: pick(r, LICENSES),
      publisher,
      origin,
      task: pick(r, TASKS),
      params: r() < 0.7 ? Math.round(r() * 70 + 1) * 1e9 : null,
      stats: { downloads30d: null, downloadsAllTime: null, likes: null },
    });
    const m: FxModel = {
      record: rec,
      firstSeen,
      releasedDay: createdAt.slice(0, 10),
      baseAllTime: older ? Math.floor(r() * 200_000) : 0,
      perDay: Math.floor(r() * (org ? 5000 : 300)) + 1,
      likesPerDay: Math.floor(r() * 20),
    };
    if (isBase) bases.push(m);
    models.push(m);
    return m;
  };
  for (let i = 0; i < opts.older; i++) add(opts.start, true);
  for (const day of days) {
    const count = Math.max(1, Math.round(opts.perDay * (0.7 + r() * 0.6)));
    for (let i = 0; i < count; i++) add(day, false);
  }
  return { days, models };
}

/** Adds a made-public-late base model (old createdAt, first seen on `day`) from a known organisation. */
export function addLatePublic(world: World, day: string): FxModel {
  const rec = makeRecord({
    platform: 'huggingface',
    namespace: 'google',
    name: 'gemma-late-public-9b',
    createdAt: '2026-06-01T09:00:00.000Z',
    firstSeenAt: `${day}T08:00:00.000Z`,
    releasedAt: `${day}T08:00:00.000Z`,
    relation: 'base',
    family: 'Gemma',
    license: { id: 'LicenseRef-hubwatch-gemma', cls: 'open-restricted' },
    publisher: { org: 'Google', country: 'US', kind: 'big_tech' },
    origin: { org: 'Google', country: 'US', kind: 'big_tech' },
    task: 'text-generation',
    params: 9_240_000_000,
    stats: { downloads30d: null, downloadsAllTime: null, likes: null },
  });
  return addReleasedOn(world, day, rec, { baseAllTime: 50_000, perDay: 700, likesPerDay: 3 });
}

/** Adds a hostile base model from a "known" organisation whose every string is an attack. */
export function addHostile(world: World, day: string): FxModel {
  const rec = makeRecord({
    platform: 'huggingface',
    namespace: 'evil-labs',
    name: HOSTILE_NAME,
    createdAt: `${day}T03:00:00.000Z`,
    firstSeenAt: `${day}T03:05:00.000Z`,
    releasedAt: `${day}T03:00:00.000Z`,
    relation: 'base',
    family: HOSTILE_FAMILY,
    license: { id: '<b>MIT</b>', cls: 'permissive' },
    publisher: { org: HOSTILE_ORG, country: 'US', kind: 'ai_startup' },
    origin: { org: HOSTILE_ORG, country: 'US', kind: 'ai_startup' },
    task: 'text-generation',
    params: 1_500_000_000,
    stats: { downloads30d: null, downloadsAllTime: null, likes: null },
    url: 'javascript:window.__pwned=4',
  });
  // The most downloaded release of its week, so it is at the top of the notable list.
  return addReleasedOn(world, day, rec, { baseAllTime: 0, perDay: 1_000_000, likesPerDay: 50 });
}

/** Adds a model first seen and released on `day`, counting as `counts` says. */
function addReleasedOn(
  world: World,
  day: string,
  record: NormalisedRecord,
  counts: Pick<FxModel, 'baseAllTime' | 'perDay' | 'likesPerDay'>,
): FxModel {
  const m: FxModel = { record, firstSeen: day, releasedDay: day, ...counts };
  world.models.push(m);
  return m;
}

export interface DayFigures {
  downloads30d: number | null;
  downloadsAllTime: number;
  prevAllTime: number | null;
  likes: number;
}

/** A model's counts on `date`. ModelScope and WiseModel give cumulative counts only, as on the real platforms. */
export function figures(m: FxModel, date: string, prevDate: string | null): DayFigures {
  const age = dayNumber(date) - dayNumber(m.firstSeen);
  const at = (a: number) => m.baseAllTime + m.perDay * (a + 1);
  const allTime = at(age);
  const ageDays = Math.min(age + 1, 30);
  return {
    downloads30d:
      m.record.platform === 'huggingface' ? (m.baseAllTime > 0 ? Math.round(m.perDay * 30) : m.perDay * ageDays) : null,
    downloadsAllTime: allTime,
    prevAllTime: prevDate && prevDate >= m.firstSeen ? at(age - 1) : null,
    likes: m.likesPerDay * (age + 1),
  };
}

export function seenOn(m: FxModel, date: string): boolean {
  return m.firstSeen <= date;
}

/** Writes every day's stats into the store, one page per platform per day, and marks each sweep complete, as a daily sweep would. */
export async function fillStore(store: Store, world: World, days: string[] = world.days): Promise<void> {
  for (let i = 0; i < days.length; i++) {
    const date = days[i]!;
    const prev = i > 0 ? days[i - 1]! : null;
    for (const platform of PLATFORMS) {
      const models = world.models
        .filter((m) => m.record.platform === platform && seenOn(m, date))
        .map((m) => {
          const f = figures(m, date, prev);
          return {
            ...m.record,
            stats: { downloads30d: f.downloads30d, downloadsAllTime: f.downloadsAllTime, likes: f.likes },
          };
        });
      await store.commitPage({
        date,
        platform,
        models,
        quarantine: [],
        coverage: { modelsSeen: models.length, requests: 3, pages: 3 },
      });
      await store.setCoverageFlags(date, platform, { complete: true, swept: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The fortnight used by the suites: 2026-W46 and 2026-W47, with a store and three snapshot directories.

export const W46 = '2026-W46';
export const W47 = '2026-W47';
export const FORTNIGHT_START = '2026-11-09';
/** The Thursday of W47 dropped from the "gaps" directory. */
export const MISSING_DAY = '2026-11-19';
/** The Sunday of W47 dropped from the "sundayless" directory, which also has WiseModel's sweep unfinished on INCOMPLETE_DAY. */
export const MISSING_SUNDAY = '2026-11-22';
export const INCOMPLETE_DAY = '2026-11-20';
export const NOW = new Date('2026-11-25T06:00:00.000Z');

export interface Fortnight {
  world: World;
  late: FxModel;
  hostile: FxModel;
  dirs: { full: string; gaps: string; sundayless: string };
}

/** The llm scope's tasks as the shipped config names them, so the snapshots are the ones the service writes. */
const LLM_SCOPE_TASKS = loadConfig({}).file.scopes.llm;

export async function setupFortnight(
  store: Store,
  root: string,
  write: (dataDir: string, snap: Snapshot) => Promise<unknown>,
  opts: { perDay?: number; older?: number; seed?: number } = {},
): Promise<Fortnight> {
  const world = makeWorld({
    start: FORTNIGHT_START,
    days: 14,
    perDay: opts.perDay ?? 40,
    older: opts.older ?? 300,
    seed: opts.seed ?? 48,
  });
  const late = addLatePublic(world, '2026-11-18');
  const hostile = addHostile(world, '2026-11-17');
  await fillStore(store, world);
  const build = (date: string) => buildSnapshot({ store, llmTasks: LLM_SCOPE_TASKS }, date);
  const dirs = { full: `${root}/full`, gaps: `${root}/gaps`, sundayless: `${root}/sundayless` };
  for (const date of world.days) {
    const snap = await build(date);
    await write(dirs.full, snap);
    if (date !== MISSING_DAY) await write(dirs.gaps, snap);
    if (date !== MISSING_SUNDAY && date !== INCOMPLETE_DAY) await write(dirs.sundayless, snap);
  }
  // Last, so that no other day's file sees it: WiseModel's sweep of INCOMPLETE_DAY did not finish (sundayless only).
  await store.setCoverageFlags(INCOMPLETE_DAY, 'wisemodel', {
    complete: false,
    note: 'page 7 kept failing (HTTP 503)',
  });
  await write(dirs.sundayless, await build(INCOMPLETE_DAY));
  return { world, late, hostile, dirs };
}
