// The simulated world behind the three platform servers. Everything is a pure function of (seed, index, day):
// models are never materialised as objects; each index keeps a few bytes in typed arrays (owner, relation, bases,
// weights) and everything else — names, tags, counts, dates — is derived on demand. That is what lets a
// 1,000,000-model Hugging Face catalogue page at full speed in a few hundred MB, and two processes with the same
// seed agree byte for byte.
//
// Index layout (Hugging Face): indices [0, N) are the catalogue as it stood at the start of ANCHOR_DAY, created
// between 2022-03-02 and then (denser towards the present, like the Hub's growth); from ANCHOR_DAY on, K new models
// are created each day. createdAt is non-decreasing in the index and `_id` is built from (createdAt, index), so index
// order equals `_id` order — the tie-break the Hub's keyset cursor uses.
import { BIG_ORDER, BIG_ORGS, REDISTRIBUTORS, genericFamilies, loadRegistry, LLM_SIZES } from './registry.js';
import type { Family, RedistStyle, RegistryOrg } from './registry.js';
import { DAY_MS, dayNumber, dayString, hash3, isoSeconds, normal, pick, unit } from './rng.js';

export const ANCHOR_DAY = '2026-11-20';
/** How many simulated days after ANCHOR_DAY the universe is defined for (new models, events). */
export const HORIZON_DAYS = 366;
/** Events (late publication, rename, deletion) happen on every day from this many days before the anchor. */
export const EVENT_LEAD_DAYS = 30;
export const MAX_MODELS = 5_000_000;

/** The Hub's floor value for repos created before it stored creation dates. */
export const HF_CREATED_FLOOR = '2022-03-02T23:29:04.000Z';
const FLOOR_SEC = Date.parse(HF_CREATED_FLOOR) / 1000;
const START_SEC = FLOOR_SEC + 86_400;
const ANCHOR_N = dayNumber(ANCHOR_DAY);
const ANCHOR_SEC = ANCHOR_N * 86_400;

export const SORT_KEYS = ['createdAt', 'lastModified', 'downloads', 'likes', 'trendingScore'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const RELATIONS = ['base', 'finetune', 'adapter', 'quantized', 'merge'] as const;
export type SimRelation = (typeof RELATIONS)[number];
const R_BASE = 0;
const R_FT = 1;
const R_ADAPTER = 2;
const R_QUANT = 3;
const R_MERGE = 4;

const F_NO_LINEAGE = 1;
const F_MISSING_BASE = 2;
const F_HAS_CHILDREN = 4;
const F_OWN_BASE = 8;
const F_GGUF = 16;
const F_MLX = 32;

/**
 * Sort values are packed with the index into one float64 (value·2^23 + tiebreak) so a day's order is one typed
 * array; dates are counted from the Hub's floor date so the product stays below 2^53 (exact).
 */
const SHIFT = 2 ** 23;

const SALT = {
  kind: 1, jitter: 2, org: 3, ns: 4, fam: 5, size: 6, variant: 7, weight: 8, likes: 9, hype: 10, base: 11, base2: 12,
  user: 13, lic: 14, lastmod: 15, anomaly: 16, redist: 17, pattern: 18, purpose: 19, event: 20, ms: 21, wm: 22,
  gated: 23, multihop: 24, nolineage: 25, relcard: 26,
} as const;

const PURPOSES = [
  'sft', 'dpo', 'orpo', 'grpo', 'medical', 'legal', 'finance', 'roleplay', 'math', 'code', 'chinese-chat', 'ko-instruct',
  'ja', 'abliterated', 'uncensored', 'reasoning', 'distill', 'function-calling', 'rag', 'pt-br', 'arabic', 'vi-chat',
  'german', 'french', 'summarizer', 'sql', 'agent', 'writer', 'persona', 'tr-instruct',
];
const ADAPTER_SUFFIX = ['lora', 'qlora', 'LoRA', 'peft-adapter'];
const MERGE_METHODS = ['slerp', 'ties', 'dare-ties', 'linear', 'model-stock', 'passthrough'];
const QUANT_LEVELS = ['Q4_K_M', 'Q8_0', 'Q5_K_M', 'Q6_K', 'IQ4_XS'];
const OWN_WORDS = ['tiny', 'nano', 'micro', 'baby', 'toy', 'test', 'experimental', 'small', 'open', 'mini'];
const ADJ = ['quiet', 'neural', 'deep', 'lazy', 'bright', 'silent', 'rapid', 'cosmic', 'fuzzy', 'happy', 'brave', 'clever', 'eager', 'gentle', 'lucky', 'mighty', 'noble', 'proud', 'swift', 'wise', 'bold', 'calm', 'dark', 'fresh'];
const NOUN = ['falcon', 'otter', 'panda', 'tiger', 'llama', 'koala', 'raven', 'lynx', 'badger', 'heron', 'gecko', 'bison', 'moose', 'viper', 'whale', 'crane', 'fox', 'wolf', 'hawk', 'mole', 'newt', 'yak', 'seal', 'orca'];

export interface NsInfo {
  ns: string;
  org: RegistryOrg;
  families: Family[];
  redist: RedistStyle | null;
}

export interface UniverseOptions {
  seed?: number;
  models?: number;
  registryPath?: string;
  /** Share of models whose all-time count dips on a given day (the Hub's counts sometimes go down). */
  allTimeAnomalyRate?: number;
  msShare?: number;
  wmShare?: number;
}

interface DayState {
  day: number;
  endSec: number;
  maxIdx: number;
  hidden: Set<number>;
  count: number;
  orders: Map<string, Float64Array>;
}

export interface HfEvent {
  day: string;
  type: 'late-public' | 'rename' | 'delete';
  index: number;
  id: string;
  newId?: string;
  createdAt: string;
}

export interface Totals {
  day: string;
  count: number;
  downloads30d: number;
  downloadsAllTime: number;
  likes: number;
  /** 30-day downloads of models whose publisher or lineage root is a registry organisation. */
  attributable30d: number;
  byRelation: Record<SimRelation, number>;
  createdThatDay: number;
}

function parseParams(label: string, h: number): number {
  const m = /^(\d+(?:\.\d+)?)([bBmM])/.exec(label);
  if (!m) return 0.1 + (h % 1000) / 100;
  const n = Number(m[1]);
  return m[2] === 'm' || m[2] === 'M' ? n / 1000 : n;
}

function shortName(name: string, max = 40): string {
  if (name.length <= max) return name;
  return name.slice(0, max).replace(/[-._]+$/, '');
}

function F(t: number, A: number, tau: number, phi: number): number {
  // Cumulative downloads in "mature days": steady 1/day, a launch hype that decays, and a weekly wobble whose
  // derivative never turns negative, so all-time counts rise every day.
  const omega = (2 * Math.PI) / 7;
  return t + A * (1 - Math.exp(-t / tau)) + (0.3 / omega) * (Math.sin(omega * t + phi) - Math.sin(phi));
}

function G(t: number): number {
  return 1 - Math.exp(-t / 40) + t / 1000;
}

export class Universe {
  readonly seed: number;
  readonly n0: number;
  readonly perDay: number;
  readonly capacity: number;
  readonly anomalyRate: number;
  readonly registry: RegistryOrg[];
  readonly nsTable: NsInfo[] = [];
  private readonly nsIndex = new Map<string, number>();
  readonly families: Family[] = [];
  private readonly familyIndex = new Map<Family, number>();

  readonly created: Uint32Array;
  readonly owner: Int32Array;
  readonly ordinal: Uint32Array;
  readonly rel: Uint8Array;
  readonly flags: Uint8Array;
  readonly b0: Int32Array;
  readonly b1: Int32Array;
  readonly b2: Int32Array;
  readonly fam: Uint16Array;
  readonly size: Uint8Array;
  readonly lic: Uint8Array;
  readonly weight: Float32Array;
  readonly likeW: Float32Array;
  readonly hype: Float32Array;
  readonly params: Float32Array;
  private readonly names: (string | undefined)[];
  /**
   * Strings that never change for a model, kept once made: a list page renders 1,000 models, and the simulator
   * shares the machine with what it serves (each was rebuilt per model and request, a tenth of a page's CPU).
   */
  private readonly ids: (string | undefined)[];
  private readonly objectIds: (string | undefined)[];
  private readonly createdIsos: (string | undefined)[];
  /** Set when construction is over: until then names, owners and creation times are still being assigned. */
  private frozen = false;
  private readonly nameIndex = new Map<string, number>();
  readonly licenses: string[] = [];
  private readonly licenseIndex = new Map<string, number>();
  private readonly userStart: Uint32Array;
  private readonly userModels: Uint32Array;
  readonly users: number;
  private readonly childStart: Uint32Array;
  private readonly children: Uint32Array;

  private readonly lateDay = new Map<number, number>();
  private readonly deleteDay = new Map<number, number>();
  private readonly renames = new Map<number, { day: number; name: string }>();
  private readonly renamedIndex = new Map<string, number>();
  private readonly eventsByDay = new Map<number, HfEvent[]>();
  private readonly states: DayState[] = [];

  readonly ms: MsCatalogue;
  readonly wm: WmCatalogue;

  constructor(opts: UniverseOptions = {}) {
    this.seed = (opts.seed ?? 1) >>> 0;
    const n0 = Math.floor(opts.models ?? 20_000);
    if (!(n0 >= 50 && n0 <= MAX_MODELS)) throw new Error(`models must be between 50 and ${MAX_MODELS}, got ${opts.models}`);
    this.n0 = n0;
    this.perDay = Math.max(3, Math.round(n0 / 2000));
    this.capacity = n0 + this.perDay * (HORIZON_DAYS + 1);
    if (this.capacity >= SHIFT) throw new Error(`catalogue of ${n0} models is too large to index`);
    this.anomalyRate = opts.allTimeAnomalyRate ?? 0.0005;
    this.registry = loadRegistry(opts.registryPath);
    const C = this.capacity;
    this.created = new Uint32Array(C);
    this.owner = new Int32Array(C);
    this.ordinal = new Uint32Array(C);
    this.rel = new Uint8Array(C);
    this.flags = new Uint8Array(C);
    this.b0 = new Int32Array(C).fill(-1);
    this.b1 = new Int32Array(C).fill(-1);
    this.b2 = new Int32Array(C).fill(-1);
    this.fam = new Uint16Array(C);
    this.size = new Uint8Array(C);
    this.lic = new Uint8Array(C);
    this.weight = new Float32Array(C);
    this.likeW = new Float32Array(C);
    this.hype = new Float32Array(C);
    this.params = new Float32Array(C);
    this.names = new Array<string | undefined>(C);
    this.ids = new Array<string | undefined>(C);
    this.objectIds = new Array<string | undefined>(C);
    this.createdIsos = new Array<string | undefined>(C);
    this.users = Math.max(50, Math.floor((n0 * 0.86) / 4));
    this.buildNamespaces();
    const built = this.build();
    this.userStart = built.userStart;
    this.userModels = built.userModels;
    this.childStart = built.childStart;
    this.children = built.children;
    this.buildEvents();
    this.ms = new MsCatalogue(this, Math.max(20, Math.round(n0 * (opts.msShare ?? 0.25))));
    this.wm = new WmCatalogue(this, Math.max(12, Math.round(n0 * (opts.wmShare ?? 0.03))));
    this.frozen = true;
  }

  // ---------------------------------------------------------------- construction

  private licenseId(spec: string): number {
    let id = this.licenseIndex.get(spec);
    if (id === undefined) {
      id = this.licenses.length;
      if (id > 255) throw new Error('too many licence specs');
      this.licenses.push(spec);
      this.licenseIndex.set(spec, id);
    }
    return id;
  }

  private familyId(f: Family): number {
    let id = this.familyIndex.get(f);
    if (id === undefined) {
      id = this.families.length;
      this.families.push(f);
      this.familyIndex.set(f, id);
    }
    return id;
  }

  private buildNamespaces(): void {
    const byNs = new Map<string, RegistryOrg>();
    for (const o of this.registry) for (const ns of o.hf) if (!byNs.has(ns)) byNs.set(ns, o);
    const add = (ns: string, o: RegistryOrg): void => {
      if (this.nsIndex.has(ns)) return;
      const redist = o.kind === 'redistributor' ? (REDISTRIBUTORS[ns] ?? null) : null;
      const families = redist || o.kind === 'redistributor' ? [] : (BIG_ORGS[ns] ?? genericFamilies(ns, hash3(this.seed, ns.length, ns.charCodeAt(0))));
      this.nsIndex.set(ns, this.nsTable.length);
      this.nsTable.push({ ns, org: o, families, redist });
    };
    for (const ns of BIG_ORDER) {
      const o = byNs.get(ns);
      if (o) add(ns, o);
    }
    for (const o of this.registry) for (const ns of o.hf) add(ns, o);
  }

  private publisherNs(): { ns: number[]; cum: Float64Array; dl: Float64Array } {
    // Publishing namespaces: the first namespace of every non-redistributor organisation, in download-rank order.
    const ns: number[] = [];
    const seenOrg = new Set<RegistryOrg>();
    this.nsTable.forEach((info, i) => {
      if (info.redist || info.org.kind === 'redistributor' || info.families.length === 0) return;
      if (seenOrg.has(info.org) && !BIG_ORGS[info.ns]) return;
      seenOrg.add(info.org);
      ns.push(i);
    });
    const cum = new Float64Array(ns.length);
    const dl = new Float64Array(ns.length);
    let acc = 0;
    for (let r = 0; r < ns.length; r++) {
      acc += 1 / Math.pow(r + 1, 0.6);
      cum[r] = acc;
      dl[r] = 1 / Math.pow(r + 1, 1.15);
    }
    return { ns, cum, dl };
  }

  private build(): { userStart: Uint32Array; userModels: Uint32Array; childStart: Uint32Array; children: Uint32Array } {
    const { seed, n0, perDay, capacity: C } = this;
    const pubs = this.publisherNs();
    const redistNs = this.nsTable.map((x, i) => [x, i] as const).filter(([x]) => x.redist);
    const redistCum = new Float64Array(redistNs.length);
    let acc = 0;
    redistNs.forEach(([x], k) => {
      acc += x.redist!.share;
      redistCum[k] = acc;
    });
    // Weighted pools of possible bases, appended in index order so a model only ever picks an older base.
    const orgPool = new Int32Array(C);
    const orgCum = new Float64Array(C);
    let orgN = 0;
    const ftPool = new Int32Array(C);
    const ftCum = new Float64Array(C);
    let ftN = 0;
    const lastBaseOfNs = new Int32Array(this.nsTable.length).fill(-1);
    const sample = (pool: Int32Array, cum: Float64Array, n: number, u: number): number => {
      const target = u * (cum[n - 1] as number);
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cum[mid] as number) > target) hi = mid;
        else lo = mid + 1;
      }
      return pool[lo] as number;
    };
    const userCount = new Uint32Array(this.users + 1);
    const childCount = new Uint32Array(C + 1);

    for (let i = 0; i < C; i++) {
      // createdAt: the pre-anchor catalogue is spread with density rising towards the anchor; then K per day.
      let sec: number;
      if (i < n0) {
        const u = (i + unit(seed, i, SALT.jitter) * 0.999) / n0;
        sec = u < 0.03 ? FLOOR_SEC : Math.floor(START_SEC + (ANCHOR_SEC - START_SEC) * Math.sqrt(u));
      } else {
        const d = Math.floor((i - n0) / perDay);
        const j = (i - n0) % perDay;
        sec = ANCHOR_SEC + d * 86_400 + Math.floor(((j + unit(seed, i, SALT.jitter) * 0.999) / perDay) * 86_400);
      }
      this.created[i] = sec;
      const uk = unit(seed, i, SALT.kind);
      const hype = unit(seed, i, SALT.hype);
      if (uk < 0.025 || orgN === 0) {
        // An organisation's own model: a base, or an instruct/chat finetune of its latest base.
        const r = (() => {
          const t = unit(seed, i, SALT.org) * (pubs.cum[pubs.cum.length - 1] as number);
          let lo = 0;
          let hi = pubs.cum.length - 1;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if ((pubs.cum[mid] as number) > t) hi = mid;
            else lo = mid + 1;
          }
          return lo;
        })();
        const nsI = pubs.ns[r] as number;
        const info = this.nsTable[nsI] as NsInfo;
        this.owner[i] = nsI;
        const prev = lastBaseOfNs[nsI] as number;
        const isFt = prev >= 0 && unit(seed, i, SALT.variant) < 0.4;
        const famObj = isFt ? (this.families[this.fam[prev] as number] as Family) : pick(info.families, hash3(seed, i, SALT.fam));
        this.fam[i] = this.familyId(famObj);
        const sizes = famObj.sizes ?? LLM_SIZES;
        this.size[i] = isFt ? (this.size[prev] as number) : hash3(seed, i, SALT.size) % sizes.length;
        this.params[i] = parseParams(sizes[this.size[i] as number] ?? '', hash3(seed, i, SALT.size));
        const lics = famObj.license.split('|');
        this.lic[i] = this.licenseId(isFt ? (this.licenses[this.lic[prev] as number] as string) : pick(lics, hash3(seed, i, SALT.lic)));
        const w = 900 * (pubs.dl[r] as number) * Math.exp(1.5 * normal(seed, i, SALT.weight)) * (isFt ? 1.6 : 1);
        this.weight[i] = w;
        this.hype[i] = 15 + 45 * hype;
        if (isFt) {
          this.rel[i] = R_FT;
          this.b0[i] = prev;
          this.flags[prev] = (this.flags[prev] as number) | F_HAS_CHILDREN;
          childCount[prev]!++;
        } else {
          this.rel[i] = R_BASE;
          lastBaseOfNs[nsI] = i;
        }
        this.names[i] = this.orgModelName(i, info, famObj, isFt ? prev : -1);
        orgPool[orgN] = i;
        orgCum[orgN] = (orgN > 0 ? (orgCum[orgN - 1] as number) : 0) + Math.sqrt(w);
        orgN++;
      } else if (uk < 0.14) {
        // A redistributor's re-upload (quantisation, abliteration or plain mirror) of a popular model.
        const t = unit(seed, i, SALT.redist) * (redistCum[redistCum.length - 1] as number);
        let k = 0;
        while (k < redistCum.length - 1 && (redistCum[k] as number) <= t) k++;
        const [info, nsI] = redistNs[k] as readonly [NsInfo, number];
        const style = info.redist!;
        const fromFt = ftN > 0 && unit(seed, i, SALT.multihop) < 0.12;
        const base = fromFt ? sample(ftPool, ftCum, ftN, unit(seed, i, SALT.base)) : sample(orgPool, orgCum, orgN, unit(seed, i, SALT.base));
        this.owner[i] = nsI;
        this.inherit(i, base);
        this.rel[i] = style.relation === 'finetune' ? R_FT : R_QUANT;
        const noLineage = style.relation === 'none' || unit(seed, i, SALT.nolineage) < 0.1;
        this.b0[i] = base;
        if (noLineage) this.flags[i] = (this.flags[i] as number) | F_NO_LINEAGE;
        else {
          this.flags[base] = (this.flags[base] as number) | F_HAS_CHILDREN;
          childCount[base]!++;
        }
        const pattern = pick(style.patterns, hash3(seed, i, SALT.pattern));
        if (/gguf/i.test(pattern)) this.flags[i] = (this.flags[i] as number) | F_GGUF;
        if (info.ns === 'mlx-community' || /MLX/.test(pattern)) this.flags[i] = (this.flags[i] as number) | F_MLX;
        this.weight[i] = 0.04 * (this.weight[base] as number) * Math.exp(0.8 * normal(seed, i, SALT.weight)) + 0.5;
        this.hype[i] = 4 + 8 * hype;
        this.names[i] = this.redistName(i, info, pattern, base);
      } else {
        const uid = Math.floor(this.users * Math.pow(unit(seed, i, SALT.user), 1.7));
        this.owner[i] = -(uid + 1);
        userCount[uid + 1]!++;
        const us = unit(seed, i, SALT.variant);
        this.hype[i] = 2 + 4 * hype;
        if (us < 0.05) {
          this.rel[i] = R_BASE;
          this.flags[i] = F_OWN_BASE;
          this.fam[i] = 0xffff;
          this.size[i] = hash3(seed, i, SALT.size) % LLM_SIZES.length;
          this.params[i] = parseParams(LLM_SIZES[this.size[i] as number] as string, 0) / 10;
          this.lic[i] = this.licenseId(pick(['apache-2.0', 'mit', 'none', 'cc-by-4.0'], hash3(seed, i, SALT.lic)));
          this.weight[i] = 0.08 * Math.exp(normal(seed, i, SALT.weight));
        } else if (us < 0.06) {
          // A derivative whose declared base is not in the catalogue (private, deleted or mistyped upstream).
          this.rel[i] = R_FT;
          this.flags[i] = F_MISSING_BASE;
          this.fam[i] = 0xffff;
          this.size[i] = hash3(seed, i, SALT.size) % LLM_SIZES.length;
          this.params[i] = parseParams(LLM_SIZES[this.size[i] as number] as string, 0);
          this.lic[i] = this.licenseId(pick(['apache-2.0', 'mit', 'none'], hash3(seed, i, SALT.lic)));
          this.weight[i] = 0.08 * Math.exp(normal(seed, i, SALT.weight));
        } else {
          const useFt = ftN > 0 && unit(seed, i, SALT.multihop) < 0.2;
          const base = useFt ? sample(ftPool, ftCum, ftN, unit(seed, i, SALT.base)) : sample(orgPool, orgCum, orgN, unit(seed, i, SALT.base));
          this.inherit(i, base);
          this.b0[i] = base;
          this.flags[base] = (this.flags[base] as number) | F_HAS_CHILDREN;
          childCount[base]!++;
          const rr = (us - 0.06) / 0.94;
          if (rr < 0.58) this.rel[i] = R_FT;
          else if (rr < 0.85) this.rel[i] = R_ADAPTER;
          else if (rr < 0.92) {
            this.rel[i] = R_MERGE;
            const second = sample(orgPool, orgCum, orgN, unit(seed, i, SALT.base2));
            if (second !== base) {
              this.b1[i] = second;
              this.flags[second] = (this.flags[second] as number) | F_HAS_CHILDREN;
              childCount[second]!++;
              if (hash3(seed, i, SALT.base2) % 3 === 0 && ftN > 0) {
                const third = sample(ftPool, ftCum, ftN, unit(seed, i, SALT.base2 + 100));
                if (third !== base && third !== second) {
                  this.b2[i] = third;
                  this.flags[third] = (this.flags[third] as number) | F_HAS_CHILDREN;
                  childCount[third]!++;
                }
              }
            }
          } else {
            this.rel[i] = R_QUANT;
            this.flags[i] = (this.flags[i] as number) | F_GGUF;
          }
          if (this.rel[i] !== R_QUANT && unit(seed, i, SALT.lic) < 0.3) {
            this.lic[i] = this.licenseId(pick(['apache-2.0', 'mit', 'none', 'cc-by-nc-4.0', 'other:custom', 'openrail'], hash3(seed, i, SALT.lic)));
          }
          const w = 0.35 * Math.exp(1.7 * normal(seed, i, SALT.weight));
          this.weight[i] = w;
          if (this.rel[i] === R_FT && w > 25) {
            ftPool[ftN] = i;
            ftCum[ftN] = (ftN > 0 ? (ftCum[ftN - 1] as number) : 0) + w;
            ftN++;
          }
        }
      }
      this.likeW[i] = 0.4 * Math.pow(this.weight[i] as number, 0.55) * Math.exp(0.7 * normal(seed, i, SALT.likes));
    }
    // CSR of each user's models (in index order) so a user's repo name can be resolved back to an index.
    for (let u = 1; u <= this.users; u++) userCount[u] = (userCount[u] as number) + (userCount[u - 1] as number);
    const userStart = userCount;
    const userModels = new Uint32Array(userStart[this.users] as number);
    const fill = new Uint32Array(this.users);
    for (let i = 0; i < C; i++) {
      const o = this.owner[i] as number;
      if (o >= 0) continue;
      const uid = -o - 1;
      const k = fill[uid]!++;
      this.ordinal[i] = k;
      userModels[(userStart[uid] as number) + k] = i;
    }
    for (let i = 1; i <= C; i++) childCount[i] = (childCount[i] as number) + (childCount[i - 1] as number);
    const childStart = childCount;
    const children = new Uint32Array(childStart[C] as number);
    const cfill = new Uint32Array(C);
    const addChild = (b: number, c: number): void => {
      children[(childStart[b] as number) + cfill[b]!++] = c;
    };
    for (let i = 0; i < C; i++) {
      if (this.flags[i]! & (F_NO_LINEAGE | F_MISSING_BASE | F_OWN_BASE)) continue;
      if (this.b0[i]! >= 0) addChild(this.b0[i]!, i);
      if (this.b1[i]! >= 0) addChild(this.b1[i]!, i);
      if (this.b2[i]! >= 0) addChild(this.b2[i]!, i);
    }
    return { userStart, userModels, childStart, children };
  }

  private inherit(i: number, base: number): void {
    this.fam[i] = this.fam[base] as number;
    this.size[i] = this.size[base] as number;
    this.lic[i] = this.lic[base] as number;
    this.params[i] = this.params[base] as number;
  }

  private readonly nextSuffix = new Map<string, number>();

  private uniqueName(ns: string, name: string): string {
    const id = `${ns}/${name}`;
    if (!this.nameIndex.has(id)) return name;
    // Remember where the last collision ended so the most re-uploaded names stay O(1) to dedupe.
    let v = this.nextSuffix.get(id) ?? 2;
    while (this.nameIndex.has(`${id}-v${v}`)) v++;
    this.nextSuffix.set(id, v + 1);
    return `${name}-v${v}`;
  }

  private orgModelName(i: number, info: NsInfo, famObj: Family, ftOf: number): string {
    let name: string;
    if (ftOf >= 0) {
      const baseName = (this.names[ftOf] as string).replace(/-(Base|base)$/, '');
      const chat = famObj.task === 'text-generation' || famObj.task === 'image-text-to-text';
      const suffixes = chat ? ['-Instruct', '-Chat', '-Thinking'] : ['-Turbo', '-Lite', '-Distill'];
      name = `${baseName}${(chat && famObj.instruct) || pick(suffixes, hash3(this.seed, i, SALT.variant))}`;
    } else {
      const sizes = famObj.sizes ?? LLM_SIZES;
      const label = sizes[this.size[i] as number] ?? '';
      name = label ? `${famObj.name}-${label}` : famObj.name;
      if (famObj.task === 'text-generation' && hash3(this.seed, i, SALT.variant) % 5 < 2) name += famObj.lowerSize ? '-base' : '-Base';
    }
    name = this.uniqueName(info.ns, name);
    this.nameIndex.set(`${info.ns}/${name}`, i);
    return name;
  }

  private redistName(i: number, info: NsInfo, pattern: string, base: number): string {
    const baseId = this.idOf(base);
    const [bns, bname] = splitId(baseId);
    let name = pattern.replace('{ns}', bns).replace('{name}', shortName(bname, 60));
    name = this.uniqueName(info.ns, name);
    this.nameIndex.set(`${info.ns}/${name}`, i);
    return name;
  }

  // ---------------------------------------------------------------- names and ids

  username(uid: number): string {
    const h = hash3(this.seed, uid, SALT.user);
    const a = ADJ[h % ADJ.length] as string;
    const b = NOUN[(h >>> 8) % NOUN.length] as string;
    return (h >>> 16) % 3 === 0 ? `${a}-${b}-${uid}` : `${a}${b}${uid}`;
  }

  namespaceOf(i: number): string {
    const o = this.owner[i] as number;
    return o >= 0 ? (this.nsTable[o] as NsInfo).ns : this.username(-o - 1);
  }

  /** The id a model was created with (before any rename). */
  idOf(i: number): string {
    let id = this.ids[i];
    if (id === undefined) {
      const o = this.owner[i] as number;
      id = o >= 0 ? `${(this.nsTable[o] as NsInfo).ns}/${this.names[i] as string}` : `${this.username(-o - 1)}/${this.userModelName(i)}`;
      if (this.frozen) this.ids[i] = id;
    }
    return id;
  }

  private userModelName(i: number): string {
    const { seed } = this;
    const f = this.flags[i] as number;
    let name: string;
    if (f & F_OWN_BASE) {
      name = `${pick(OWN_WORDS, hash3(seed, i, SALT.purpose))}-lm-${LLM_SIZES[this.size[i] as number] as string}`;
    } else if (f & F_MISSING_BASE) {
      name = `${shortName(splitId(this.missingBaseId(i))[1], 30)}-${pick(PURPOSES, hash3(seed, i, SALT.purpose))}`;
    } else {
      const base = splitId(this.idOf(this.b0[i] as number))[1];
      const h = hash3(seed, i, SALT.purpose);
      switch (this.rel[i]) {
        case R_ADAPTER:
          name = `${shortName(base)}-${pick(PURPOSES, h)}-${pick(ADAPTER_SUFFIX, h >>> 8)}`;
          break;
        case R_MERGE: {
          const second = this.b1[i]! >= 0 ? splitId(this.idOf(this.b1[i] as number))[1] : 'merge';
          name = `${shortName(base, 28)}-${shortName(second, 28)}-${pick(MERGE_METHODS, h)}`;
          break;
        }
        case R_QUANT:
          name = `${shortName(base)}-${pick(QUANT_LEVELS, h)}-GGUF`;
          break;
        default:
          name = `${shortName(base)}-${pick(PURPOSES, h)}`;
      }
    }
    // The k-th model of a user gets `-v(k+1)`: unique within the user, and parseable back to k.
    const k = this.ordinal[i] as number;
    return k > 0 ? `${name}-v${k + 1}` : name;
  }

  missingBaseId(i: number): string {
    const h = hash3(this.seed, i, SALT.base);
    return `${this.username(h % (this.users * 7) + this.users)}/${pick(OWN_WORDS, h >>> 4)}-${LLM_SIZES[this.size[i] as number] as string}-private-${(h >>> 12).toString(16)}`;
  }

  /** The id on `day` (after a rename on or before that day). */
  idAt(i: number, dayN: number): string {
    const r = this.renames.get(i);
    if (r && r.day <= dayN) return `${this.namespaceOf(i)}/${r.name}`;
    return this.idOf(i);
  }

  objectId(i: number): string {
    let oid = this.objectIds[i];
    if (oid === undefined) {
      oid =
        (this.created[i] as number).toString(16).padStart(8, '0') +
        i.toString(16).padStart(8, '0') +
        hash3(this.seed, i, 0x1d).toString(16).padStart(8, '0');
      if (this.frozen) this.objectIds[i] = oid;
    }
    return oid;
  }

  /** createdAt as the Hub writes it. */
  createdIso(i: number): string {
    let iso = this.createdIsos[i];
    if (iso === undefined) {
      iso = isoSeconds(this.created[i] as number);
      if (this.frozen) this.createdIsos[i] = iso;
    }
    return iso;
  }

  indexFromObjectId(oid: string): number | null {
    if (!/^[0-9a-f]{24}$/.test(oid)) return null;
    const i = parseInt(oid.slice(8, 16), 16);
    return i < this.capacity && this.objectId(i) === oid ? i : null;
  }

  /** Resolves an id visible on `dayN` to its index, or null (unknown, deleted, renamed away, not yet public). */
  lookup(id: string, dayN: number): number | null {
    const i = this.lookupAnyDay(id, dayN);
    if (i === null || !this.visible(i, dayN)) return null;
    return this.idAt(i, dayN) === id ? i : null;
  }

  /** The id a renamed model has now, when `id` is its old one (the Hub redirects the old id); null otherwise. */
  renamedTo(id: string, dayN: number): string | null {
    const i = this.lookupAnyDay(id, dayN);
    if (i === null || !this.visible(i, dayN)) return null;
    const now = this.idAt(i, dayN);
    return now !== id && this.idOf(i) === id ? now : null;
  }

  private lookupAnyDay(id: string, dayN: number): number | null {
    const r = this.renamedIndex.get(id);
    if (r !== undefined && (this.renames.get(r)?.day ?? Infinity) <= dayN) return r;
    const direct = this.nameIndex.get(id);
    if (direct !== undefined) return direct;
    const [ns, name] = splitId(id);
    const m = /(\d+)$/.exec(ns);
    if (!m) return null;
    const uid = Number(m[1]);
    if (!(uid < this.users) || this.username(uid) !== ns) return null;
    const v = /-v(\d+)$/.exec(name);
    const start = this.userStart[uid] as number;
    const count = (this.userStart[uid + 1] as number) - start;
    const cands = v && Number(v[1]) >= 2 ? [Number(v[1]) - 1] : [0];
    for (const k of cands) {
      if (k < count) {
        const i = this.userModels[start + k] as number;
        if (this.idOf(i) === id) return i;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- days and events

  dayEndSec(dayN: number): number {
    return (dayN + 1) * 86_400;
  }

  checkDay(day: string): number {
    const n = dayNumber(day);
    if (n > ANCHOR_N + HORIZON_DAYS) throw new Error(`day ${day} is past the simulated horizon (${dayString(ANCHOR_N + HORIZON_DAYS)})`);
    if (n * 86_400 < START_SEC) throw new Error(`day ${day} is before the simulated Hub existed`);
    return n;
  }

  private buildEvents(): void {
    const { seed } = this;
    const used = new Set<number>();
    const first = ANCHOR_N - EVENT_LEAD_DAYS;
    const last = ANCHOR_N + HORIZON_DAYS;
    const firstIdxAfter = (sec: number): number => {
      let lo = 0;
      let hi = this.capacity;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((this.created[mid] as number) < sec) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const probe = (d: number, salt: number, fromSec: number, toSec: number): number => {
      const lo = firstIdxAfter(fromSec);
      const hi = firstIdxAfter(toSec);
      if (hi <= lo) return -1;
      for (let t = 0; t < 400; t++) {
        const i = lo + (hash3(seed, d, salt * 1000 + t) % (hi - lo));
        if (used.has(i) || this.flags[i]! & F_HAS_CHILDREN || (this.created[i] as number) === FLOOR_SEC) continue;
        used.add(i);
        return i;
      }
      return -1;
    };
    const push = (d: number, e: Omit<HfEvent, 'day' | 'createdAt' | 'id'>): void => {
      const list = this.eventsByDay.get(d) ?? [];
      list.push({ day: dayString(d), createdAt: new Date((this.created[e.index] as number) * 1000).toISOString(), id: this.idOf(e.index), ...e });
      this.eventsByDay.set(d, list);
    };
    for (let d = first; d <= last; d++) {
      const ds = d * 86_400;
      const late = probe(d, SALT.event, ds - 300 * 86_400, ds - 60 * 86_400);
      if (late >= 0) {
        this.lateDay.set(late, d);
        push(d, { type: 'late-public', index: late });
      }
    }
    for (let d = first; d <= last; d++) {
      const ds = d * 86_400;
      const ren = probe(d, SALT.event + 1, ds - 400 * 86_400, ds - 7 * 86_400);
      if (ren >= 0) {
        const name = `${splitId(this.idOf(ren))[1]}-final`;
        this.renames.set(ren, { day: d, name });
        this.renamedIndex.set(`${this.namespaceOf(ren)}/${name}`, ren);
        push(d, { type: 'rename', index: ren, newId: `${this.namespaceOf(ren)}/${name}` });
      }
      const del = probe(d, SALT.event + 2, ds - 400 * 86_400, ds - 2 * 86_400);
      if (del >= 0) {
        this.deleteDay.set(del, d);
        push(d, { type: 'delete', index: del });
      }
    }
  }

  eventsOn(day: string): HfEvent[] {
    return [...(this.eventsByDay.get(dayNumber(day)) ?? [])];
  }

  visible(i: number, dayN: number): boolean {
    if (i < 0 || i >= this.capacity || (this.created[i] as number) >= this.dayEndSec(dayN)) return false;
    const late = this.lateDay.get(i);
    if (late !== undefined && late > dayN) return false;
    const del = this.deleteDay.get(i);
    return !(del !== undefined && del <= dayN);
  }

  private state(dayN: number): DayState {
    const hit = this.states.find((s) => s.day === dayN);
    if (hit) return hit;
    const endSec = this.dayEndSec(dayN);
    let lo = 0;
    let hi = this.capacity;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.created[mid] as number) < endSec) lo = mid + 1;
      else hi = mid;
    }
    const hidden = new Set<number>();
    for (const [i, d] of this.lateDay) if (d > dayN && i < lo) hidden.add(i);
    for (const [i, d] of this.deleteDay) if (d <= dayN && i < lo) hidden.add(i);
    const s: DayState = { day: dayN, endSec, maxIdx: lo, hidden, count: lo - hidden.size, orders: new Map() };
    this.states.unshift(s);
    // Two days cover a client paging across a day change; more would only hold memory.
    if (this.states.length > 2) this.states.pop();
    return s;
  }

  count(dayN: number): number {
    return this.state(dayN).count;
  }

  /** Indices visible on the day, in index (= `_id`) order. */
  *indices(dayN: number): Generator<number> {
    const s = this.state(dayN);
    for (let i = 0; i < s.maxIdx; i++) if (!s.hidden.has(i)) yield i;
  }

  /**
   * The day's order for a sort key: packed negative keys, ascending = the Hub's descending order. `valuesDay` is
   * the day whose figures the sort values come from (the Hub's counters lag the catalogue until a batch update
   * lands: sim/hf.ts counterBatchAfterPage); the models are always the ones visible on `dayN`.
   */
  order(dayN: number, key: SortKey, valuesDay = dayN): Float64Array {
    const s = this.state(dayN);
    const cacheKey = valuesDay === dayN ? key : `${key}@${valuesDay}`;
    const cached = s.orders.get(cacheKey);
    if (cached) return cached;
    const arr = new Float64Array(s.count);
    let k = 0;
    for (let i = 0; i < s.maxIdx; i++) {
      if (s.hidden.has(i)) continue;
      arr[k++] = -this.packed(i, key, valuesDay);
    }
    arr.sort();
    s.orders.set(cacheKey, arr);
    return arr;
  }

  sortValue(i: number, key: SortKey, dayN: number): number {
    switch (key) {
      case 'createdAt':
        return (this.created[i] as number) - FLOOR_SEC;
      case 'lastModified':
        return this.lastModifiedSec(i, dayN) - FLOOR_SEC;
      case 'downloads':
        return this.downloads30d(i, dayN);
      case 'likes':
        return this.likes(i, dayN);
      case 'trendingScore':
        return this.trendingScore(i, dayN);
    }
  }

  packed(i: number, key: SortKey, dayN: number): number {
    return Universe.pack(this.sortValue(i, key, dayN), i);
  }

  static pack(value: number, i: number): number {
    return value * SHIFT + (SHIFT - 1 - i);
  }

  /** Sort values of date keys are seconds since the floor date; these convert to and from epoch seconds. */
  static dateValue(sec: number): number {
    return sec - FLOOR_SEC;
  }

  static dateFromValue(v: number): number {
    return v + FLOOR_SEC;
  }

  static unpackIndex(negKey: number): number {
    const p = -negKey;
    return SHIFT - 1 - (p % SHIFT);
  }

  // ---------------------------------------------------------------- stats

  private age(i: number, dayN: number): number {
    return Math.max(0, (this.dayEndSec(dayN) - (this.created[i] as number)) / 86_400);
  }

  private cumulative(i: number, t: number): number {
    const phi = unit(this.seed, i, SALT.hype) * 2 * Math.PI;
    return (this.weight[i] as number) * F(t, this.hype[i] as number, 10, phi);
  }

  private allTimeTrue(i: number, dayN: number): number {
    return Math.round(this.cumulative(i, this.age(i, dayN)));
  }

  isAnomaly(i: number, dayN: number): boolean {
    return this.anomalyRate > 0 && this.age(i, dayN) >= 3 && unit(this.seed, i, SALT.anomaly * 100_000 + dayN) < this.anomalyRate;
  }

  downloadsAllTime(i: number, dayN: number): number {
    const t = this.allTimeTrue(i, dayN);
    if (!this.isAnomaly(i, dayN)) return t;
    const prev = this.allTimeTrue(i, dayN - 1);
    return Math.max(0, prev - Math.max(1, Math.floor(prev * 0.002)));
  }

  downloads30d(i: number, dayN: number): number {
    const t = this.age(i, dayN);
    const v = Math.round(this.cumulative(i, t) - this.cumulative(i, Math.max(0, t - 30)));
    return Math.max(0, Math.min(v, this.downloadsAllTime(i, dayN)));
  }

  likes(i: number, dayN: number): number {
    return Math.round((this.likeW[i] as number) * 30 * G(this.age(i, dayN)));
  }

  trendingScore(i: number, dayN: number): number {
    return Math.max(0, this.likes(i, dayN) - this.likes(i, dayN - 7));
  }

  lastModifiedSec(i: number, dayN: number): number {
    const h = hash3(this.seed, i, SALT.lastmod);
    const period = 3 + (h % 240);
    const phase = (h >>> 8) % period;
    const upd = dayN - ((((dayN + phase) % period) + period) % period);
    const created = this.created[i] as number;
    let v = upd * 86_400 + ((h >>> 4) % 86_400);
    if (upd * 86_400 <= created) v = created + 60 + ((h >>> 4) % 3000);
    v = Math.min(v, this.dayEndSec(dayN) - 1);
    return Math.max(v, created);
  }

  sha(i: number, dayN: number): string {
    const d = Math.floor(this.lastModifiedSec(i, dayN) / 86_400);
    let s = '';
    for (let k = 0; k < 5; k++) s += hash3(this.seed, i, d * 8 + k).toString(16).padStart(8, '0');
    return s;
  }

  // ---------------------------------------------------------------- lineage and attributes

  relation(i: number): SimRelation {
    return RELATIONS[this.rel[i] as number] as SimRelation;
  }

  hasLineage(i: number): boolean {
    return this.rel[i] !== R_BASE && !(this.flags[i]! & F_NO_LINEAGE);
  }

  /** Declared base ids (what the card and tags say), in order; empty for bases and lineage-less re-uploads. */
  baseIds(i: number, dayN: number): string[] {
    if (!this.hasLineage(i)) return [];
    if (this.flags[i]! & F_MISSING_BASE) return [this.missingBaseId(i)];
    const out = [this.idAt(this.b0[i] as number, dayN)];
    if (this.b1[i]! >= 0) out.push(this.idAt(this.b1[i] as number, dayN));
    if (this.b2[i]! >= 0) out.push(this.idAt(this.b2[i] as number, dayN));
    return out;
  }

  baseIndices(i: number): number[] {
    if (!this.hasLineage(i) || this.flags[i]! & F_MISSING_BASE) return [];
    return [this.b0[i]!, this.b1[i]!, this.b2[i]!].filter((b) => b >= 0);
  }

  isGguf(i: number): boolean {
    return (this.flags[i]! & F_GGUF) !== 0;
  }

  isMlx(i: number): boolean {
    return (this.flags[i]! & F_MLX) !== 0;
  }

  family(i: number): Family | null {
    const f = this.fam[i] as number;
    return f === 0xffff ? null : (this.families[f] ?? null);
  }

  task(i: number): string | null {
    const f = this.family(i);
    if (f) return f.task;
    return hash3(this.seed, i, SALT.fam) % 7 === 0 ? null : 'text-generation';
  }

  licenseSpec(i: number): string {
    return this.licenses[this.lic[i] as number] as string;
  }

  gated(i: number): false | 'auto' | 'manual' {
    const o = this.owner[i] as number;
    if (o < 0 || this.rel[i] !== R_BASE && this.rel[i] !== R_FT) return false;
    const f = this.family(i);
    return f?.gated ?? false;
  }

  isOrgModel(i: number): boolean {
    const o = this.owner[i] as number;
    return o >= 0 && !(this.nsTable[o] as NsInfo).redist;
  }

  isRedistributor(i: number): boolean {
    const o = this.owner[i] as number;
    return o >= 0 && (this.nsTable[o] as NsInfo).redist !== null;
  }

  isHfUser(i: number): boolean {
    return (this.owner[i] as number) < 0;
  }

  /** Whether hubwatch can attribute the model: a registry publisher, or lineage that leads to one. */
  attributable(i: number): boolean {
    if ((this.owner[i] as number) >= 0) return true;
    return !(this.flags[i]! & (F_OWN_BASE | F_MISSING_BASE));
  }

  /** Following b0 to the first model without a (followable) base. */
  root(i: number): number {
    let cur = i;
    for (let hop = 0; hop < 16 && this.hasLineage(cur) && !(this.flags[cur]! & F_MISSING_BASE); hop++) cur = this.b0[cur] as number;
    return cur;
  }

  /** Children visible on the day, counted per relation (the Hub's childrenModelCount object). */
  childrenCount(i: number, dayN: number): Record<'adapter' | 'merge' | 'quantized' | 'finetune', number> {
    const out = { adapter: 0, merge: 0, quantized: 0, finetune: 0 };
    for (let k = this.childStart[i] as number; k < (this.childStart[i + 1] as number); k++) {
      const c = this.children[k] as number;
      if (!this.visible(c, dayN)) continue;
      const r = this.rel[c];
      if (r === R_ADAPTER) out.adapter++;
      else if (r === R_MERGE) out.merge++;
      else if (r === R_QUANT) out.quantized++;
      else out.finetune++;
    }
    return out;
  }

  // ---------------------------------------------------------------- inspection for tests (never for tested code)

  totalsAt(day: string): Totals {
    const dayN = dayNumber(day);
    const t: Totals = {
      day,
      count: 0,
      downloads30d: 0,
      downloadsAllTime: 0,
      likes: 0,
      attributable30d: 0,
      byRelation: { base: 0, finetune: 0, adapter: 0, quantized: 0, merge: 0 },
      createdThatDay: 0,
    };
    const dayStart = dayN * 86_400;
    for (const i of this.indices(dayN)) {
      const d = this.downloads30d(i, dayN);
      t.count++;
      t.downloads30d += d;
      t.downloadsAllTime += this.downloadsAllTime(i, dayN);
      t.likes += this.likes(i, dayN);
      if (this.attributable(i)) t.attributable30d += d;
      t.byRelation[this.relation(i)]++;
      if ((this.created[i] as number) >= dayStart) t.createdThatDay++;
    }
    return t;
  }

  createdOn(day: string): string[] {
    const dayN = dayNumber(day);
    const out: string[] = [];
    const start = dayN * 86_400;
    for (const i of this.indices(dayN)) if ((this.created[i] as number) >= start) out.push(this.idAt(i, dayN));
    return out;
  }

  anomaliesOn(day: string): string[] {
    const dayN = dayNumber(day);
    const out: string[] = [];
    for (const i of this.indices(dayN)) if (this.isAnomaly(i, dayN)) out.push(this.idAt(i, dayN));
    return out;
  }
}

export function splitId(id: string): [string, string] {
  const k = id.indexOf('/');
  return k < 0 ? ['', id] : [id.slice(0, k), id.slice(k + 1)];
}

// ======================================================================== ModelScope

export const MS_KINDS = ['mirror', 'mirror-west', 'org-native', 'user-derivative', 'user-base'] as const;
export type MsKind = (typeof MS_KINDS)[number];

/** Western publishers whose models ModelScope's own mirror namespaces re-upload under the same name. */
const WEST_MIRRORED: Record<string, string> = {
  'meta-llama': 'LLM-Research',
  google: 'LLM-Research',
  microsoft: 'LLM-Research',
  mistralai: 'AI-ModelScope',
  'black-forest-labs': 'AI-ModelScope',
  stabilityai: 'AI-ModelScope',
  'sentence-transformers': 'AI-ModelScope',
  openai: 'openai-mirror',
  nvidia: 'nv-community',
};

export const MS_TASK_OF: Record<string, string> = {
  'text-generation': 'text-generation',
  'feature-extraction': 'sentence-embedding',
  'sentence-similarity': 'sentence-embedding',
  'text-to-image': 'text-to-image-synthesis',
  'automatic-speech-recognition': 'auto-speech-recognition',
  'image-text-to-text': 'image-text-to-text',
  'text-to-speech': 'text-to-speech',
  'text-to-video': 'text-to-video-synthesis',
};

export class MsCatalogue {
  /** Mirrors (HF organisation models re-published on ModelScope) come first, users' uploads after them. */
  readonly mirrors: number;
  readonly size: number;
  readonly kind: Uint8Array;
  readonly src: Int32Array;
  readonly created: Uint32Array;
  readonly base: Int32Array;
  /** A base that only exists on Hugging Face (an un-mirrored parent), as an HF index. */
  readonly baseHf: Int32Array;
  readonly revSuffix: Uint8Array;
  readonly rel: Uint8Array;
  readonly weight: Float32Array;
  readonly likeW: Float32Array;
  private readonly taskIx: Uint8Array;
  private readonly licIx: Uint8Array;
  private readonly uid: Uint32Array;
  private readonly tasks: string[] = [];
  private readonly lics: string[] = [];
  private readonly mirrorPath: string[] = [];
  private readonly mirrorName: string[] = [];
  private readonly byId = new Map<string, number>();
  readonly fromHf = new Map<number, number>();

  constructor(
    readonly u: Universe,
    target: number,
  ) {
    const { seed } = u;
    const licText = (spec: string, h: number): string => {
      if (spec === 'none') return '';
      if (spec.startsWith('other:')) return 'other';
      if (spec === 'apache-2.0') return h % 3 === 0 ? 'apache-2.0' : 'Apache License 2.0';
      if (spec === 'mit') return h % 2 ? 'mit' : 'MIT';
      return spec;
    };
    // Pass 1: which HF organisation models ModelScope carries, and under which namespace.
    const mirrorOf: Array<[number, string, number]> = [];
    for (let i = 0; i < u.capacity; i++) {
      if (!u.isOrgModel(i)) continue;
      const info = u.nsTable[u.owner[i] as number] as NsInfo;
      const h = hash3(seed, i, SALT.ms);
      let path: string | null = null;
      let kind = 0;
      const msNs = info.org.modelscope.filter((x) => !MS_MIRROR_NS.includes(x));
      if (WEST_MIRRORED[info.ns] && h % 100 < 55) {
        path = WEST_MIRRORED[info.ns] as string;
        kind = 1;
      } else if (msNs.length > 0 && (info.org.country === 'CN' ? h % 100 < 75 : h % 100 < 20)) {
        path = msNs[0] as string;
      }
      if (path) mirrorOf.push([i, path, kind]);
    }
    this.mirrors = mirrorOf.length;
    const native = Math.max(10, target - this.mirrors);
    const perDay = Math.max(1, Math.round(u.perDay * 0.25));
    const M = this.mirrors + native + perDay * (HORIZON_DAYS + 1);
    this.size = M;
    this.kind = new Uint8Array(M);
    this.src = new Int32Array(M).fill(-1);
    this.created = new Uint32Array(M);
    this.base = new Int32Array(M).fill(-1);
    this.baseHf = new Int32Array(M).fill(-1);
    this.revSuffix = new Uint8Array(M);
    this.rel = new Uint8Array(M);
    this.weight = new Float32Array(M);
    this.likeW = new Float32Array(M);
    this.taskIx = new Uint8Array(M);
    this.licIx = new Uint8Array(M);
    this.uid = new Uint32Array(M);
    const taskId = (t: string): number => {
      let k = this.tasks.indexOf(t);
      if (k < 0) k = this.tasks.push(t) - 1;
      return k;
    };
    const licId = (t: string): number => {
      let k = this.lics.indexOf(t);
      if (k < 0) k = this.lics.push(t) - 1;
      return k;
    };
    mirrorOf.forEach(([i, path, kind], k) => {
      const h = hash3(seed, i, SALT.ms);
      let name = splitId(u.idOf(i))[1];
      if (path === 'ZhipuAI' && (h >>> 8) % 2 === 0) name = name.toLowerCase();
      let unique = name;
      for (let v = 2; this.byId.has(`${path}/${unique}`); v++) unique = `${name}-v${v}`;
      this.byId.set(`${path}/${unique}`, k);
      this.mirrorPath.push(path);
      this.mirrorName.push(unique);
      this.kind[k] = kind;
      this.src[k] = i;
      this.fromHf.set(i, k);
      this.created[k] = (u.created[i] as number) + 3600 * (1 + ((h >>> 12) % 60));
      this.rel[k] = u.rel[i] as number;
      this.baseHf[k] = u.hasLineage(i) ? (u.b0[i] as number) : -1;
      const info = u.nsTable[u.owner[i] as number] as NsInfo;
      this.weight[k] = (u.weight[i] as number) * (kind === 1 ? 0.05 : info.org.country === 'CN' ? 0.5 : 0.1);
      const fam = u.family(i);
      this.taskIx[k] = taskId(MS_TASK_OF[fam?.task ?? ''] ?? fam?.task ?? '');
      this.licIx[k] = licId(licText(u.licenseSpec(i), h));
    });
    // A mirror's parent: its HF parent's ModelScope copy when there is one, else the HF id as-is, or nothing.
    for (let k = 0; k < this.mirrors; k++) {
      const bh = this.baseHf[k]!;
      if (bh < 0) continue;
      // Mirror bots drop lineage often (half the Western re-uploads), official org uploads less so.
      if (hash3(seed, k, SALT.ms + 7) % 100 < (this.kind[k] === 1 ? 50 : 20)) {
        this.baseHf[k] = -1;
        this.rel[k] = R_BASE;
        continue;
      }
      const mk = this.fromHf.get(bh);
      if (mk !== undefined) {
        this.base[k] = mk;
        this.baseHf[k] = -1;
      }
    }
    // Users' uploads: adapters, finetunes and quantisations of what is already on ModelScope, plus a few own models.
    const byCreated = Int32Array.from({ length: this.mirrors }, (_, k) => k).sort((a, b) => this.created[a]! - this.created[b]!);
    const cum = new Float64Array(this.mirrors);
    byCreated.forEach((k, j) => (cum[j] = (j ? cum[j - 1]! : 0) + Math.sqrt(this.weight[k]!)));
    const users = Math.max(20, Math.floor(native / 3));
    for (let k = this.mirrors; k < M; k++) {
      const j = k - this.mirrors;
      const h = hash3(seed, j, SALT.ms + 1);
      const created =
        j < native
          ? Math.floor(START_SEC + (ANCHOR_SEC - START_SEC) * Math.sqrt((j + 0.5) / native))
          : ANCHOR_SEC + Math.floor((j - native) / perDay) * 86_400 + ((h >>> 3) % 86_400);
      this.created[k] = created;
      this.kind[k] = 3;
      this.uid[k] = Math.floor(users * Math.pow(unit(seed, j, SALT.ms + 2), 1.5));
      let lo = 0;
      let hi = byCreated.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.created[byCreated[mid]!]! < created) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0 || h % 100 < 6) {
        this.kind[k] = 4;
        this.rel[k] = R_BASE;
        this.weight[k] = 0.02 * Math.exp(normal(seed, j, SALT.ms));
        this.taskIx[k] = taskId('text-generation');
        this.licIx[k] = licId(pick(['Apache License 2.0', 'mit', ''], h >>> 5));
      } else {
        // Bases must already exist, so only mirrors created earlier are eligible.
        const t = unit(seed, j, SALT.ms + 3) * cum[lo - 1]!;
        let a = 0;
        let b = lo - 1;
        while (a < b) {
          const mid = (a + b) >> 1;
          if (cum[mid]! > t) b = mid;
          else a = mid + 1;
        }
        const baseK = byCreated[a]!;
        const isImage = this.tasks[this.taskIx[baseK]!] === 'text-to-image-synthesis';
        this.rel[k] = isImage || h % 100 < 45 ? R_ADAPTER : h % 100 < 90 ? R_FT : R_QUANT;
        this.base[k] = baseK;
        this.weight[k] = 0.3 * Math.exp(1.4 * normal(seed, j, SALT.ms + 4));
        this.taskIx[k] = this.taskIx[baseK]!;
        const bl = this.lics[this.licIx[baseK]!]!;
        this.licIx[k] = licId((h >>> 9) % 4 === 0 ? '' : bl || 'Apache License 2.0');
        // Revision-pinned bases (`owner/name@v1`) occur on AIGC uploads.
        if (hash3(seed, k, SALT.ms + 6) % 100 < 18) this.revSuffix[k] = 1 + ((hash3(seed, k, SALT.ms + 6) >>> 8) % 2);
      }
    }
    for (let k = 0; k < M; k++) this.likeW[k] = 0.5 * Math.pow(this.weight[k]!, 0.5) * Math.exp(0.5 * normal(seed, k, SALT.ms + 5));
  }

  private username(uid: number): string {
    return `${pick(ADJ, uid)}_${pick(NOUN, uid >>> 3)}${uid}`;
  }

  pathOf(k: number): string {
    return k < this.mirrors ? (this.mirrorPath[k] as string) : this.username(this.uid[k] as number);
  }

  nameOf(k: number): string {
    if (k < this.mirrors) return this.mirrorName[k] as string;
    const j = k - this.mirrors;
    const h = hash3(this.u.seed, j, SALT.ms + 1);
    if (this.kind[k] === 4) return `${pick(OWN_WORDS, h)}-model-${j.toString(36)}`;
    const rel = this.rel[k];
    const isImage = this.taskOf(k) === 'text-to-image-synthesis';
    const suffix = rel === R_ADAPTER ? (isImage ? `lora-${pick(PURPOSES, h >>> 7)}` : `${pick(PURPOSES, h >>> 7)}-lora`) : rel === R_QUANT ? 'GGUF' : pick(PURPOSES, h >>> 7);
    // The trailing base-36 serial makes user uploads unique and lets a lookup go straight back to the index.
    return `${shortName(this.nameOf(this.base[k]!), 40)}-${suffix}-${j.toString(36)}`;
  }

  idOf(k: number): string {
    return `${this.pathOf(k)}/${this.nameOf(k)}`;
  }

  taskOf(k: number): string {
    return this.tasks[this.taskIx[k]!] as string;
  }

  licenseOf(k: number): string {
    return this.lics[this.licIx[k]!] as string;
  }

  /** Organisation name as the record's `Organization.Name` shows it; '' for personal uploads. */
  orgOf(k: number): string {
    return k < this.mirrors ? (this.mirrorPath[k] as string) : '';
  }

  createdByOf(k: number): string {
    if (k >= this.mirrors) return this.pathOf(k);
    return this.kind[k] === 1 ? 'modelscope-bot' : (this.mirrorPath[k] as string).toLowerCase();
  }

  lookup(id: string, dayN: number): number | null {
    let k = this.byId.get(id);
    if (k === undefined) {
      const m = /-([0-9a-z]+)$/.exec(id);
      if (!m) return null;
      const j = parseInt(m[1]!, 36);
      if (!(j < this.size - this.mirrors)) return null;
      k = this.mirrors + j;
      if (this.idOf(k) !== id) return null;
    }
    return this.visible(k, dayN) ? k : null;
  }

  visible(k: number, dayN: number): boolean {
    return (this.created[k] as number) < (dayN + 1) * 86_400;
  }

  baseIds(k: number): string[] {
    if (this.base[k]! >= 0) {
      const rev = this.revSuffix[k] === 1 ? '@v1' : this.revSuffix[k] === 2 ? '@master' : '';
      return [`${this.idOf(this.base[k]!)}${rev}`];
    }
    if (this.baseHf[k]! >= 0) return [this.u.idOf(this.baseHf[k]!)];
    return [];
  }

  relationName(k: number): string {
    return this.baseIds(k).length ? (RELATIONS[this.rel[k] as number] as string) : '';
  }

  downloads(k: number, dayN: number): number {
    const t = Math.max(0, ((dayN + 1) * 86_400 - (this.created[k] as number)) / 86_400);
    return Math.round((this.weight[k] as number) * F(t, 10, 10, (k % 7) * 0.9));
  }

  stars(k: number, dayN: number): number {
    const t = Math.max(0, ((dayN + 1) * 86_400 - (this.created[k] as number)) / 86_400);
    return Math.round((this.likeW[k] as number) * 20 * G(t));
  }

  lastUpdated(k: number, dayN: number): number {
    const h = hash3(this.u.seed, k, SALT.ms + 8);
    const period = 5 + (h % 120);
    const upd = dayN - ((dayN + (h >>> 8)) % period);
    const c = this.created[k] as number;
    const v = upd * 86_400 + ((h >>> 4) % 86_400);
    return Math.max(c, Math.min(v, (dayN + 1) * 86_400 - 1));
  }

  /** Whether the model's lineage reaches a registry organisation (directly or through its HF source). */
  attributable(k: number): boolean {
    return this.kind[k] !== 4;
  }

  countAt(day: string): number {
    const dayN = dayNumber(day);
    let n = 0;
    for (let k = 0; k < this.size; k++) if (this.visible(k, dayN)) n++;
    return n;
  }
}

const MS_MIRROR_NS = ['AI-ModelScope', 'LLM-Research', 'modelscope', 'swift', 'openai-mirror', 'MNN'];

// ======================================================================== WiseModel

const WM_LICENSES = ['其他', 'Apache-2.0', '商用需授权', 'MIT', 'Apache License 2.0', '', '免费商用'];
export const WM_TASK_OF: Record<string, string> = {
  'text-generation': '文本生成',
  'sentence-embedding': '文本向量',
  'text-to-image-synthesis': '文生图',
  'auto-speech-recognition': '语音识别',
  'image-text-to-text': '多模态',
  'text-to-speech': '语音合成',
};

/** What a WiseModel GitLab project holds; the site's URLs are /{models|datasets|codes}/{owner}/{name}. */
export type WmKind = 'models' | 'datasets' | 'codes';
/** A real WiseModel model (repo_type "models" in wisemodel-hub's example notebook): the probe's default project. */
export const WM_EVIDENCE_MODEL = 'SHYuanBest/ConsisID-Preview';

/**
 * WiseModel's catalogue, and the GitLab projects behind it. Models are indices [0, size); datasets and code
 * repositories, which share the GitLab instance, follow as project indices [size, projects). GitLab ids rise with
 * creation time (with gaps, as deleted and private projects leave them), so keyset by id walks in creation order.
 */
export class WmCatalogue {
  readonly size: number;
  readonly owner: string[] = [];
  readonly name: string[] = [];
  readonly title: string[] = [];
  readonly src: Int32Array;
  readonly base: Int32Array;
  readonly created: Uint32Array;
  readonly weight: Float32Array;
  readonly license: string[] = [];
  readonly task: string[] = [];
  readonly isMirror: Uint8Array;
  private readonly byId = new Map<string, number>();
  /** Datasets (1) and code repositories (2), after the models. */
  private readonly xKind: Uint8Array;
  private readonly xOwner: string[] = [];
  private readonly xName: string[] = [];
  private readonly xCreated: Uint32Array;
  private readonly xWeight: Float32Array;
  /** GitLab id per project index. */
  readonly gid: Uint32Array;
  /** Project indices by GitLab id (= by creation time), and their creation times in that order. */
  readonly order: Int32Array;
  private readonly orderCreated: Uint32Array;
  private readonly byPath = new Map<string, number>();
  private readonly byGid = new Map<number, number>();

  constructor(
    readonly u: Universe,
    target: number,
  ) {
    const { seed } = u;
    const nsMap = new Map<RegistryOrg, string>();
    for (const o of u.registry) if (o.wisemodel.length) nsMap.set(o, o.wisemodel[0] as string);
    type E = { owner: string; name: string; title: string; src: number; base: number; created: number; w: number; lic: string; task: string; mirror: boolean };
    const es: E[] = [];
    for (let i = 0; i < u.capacity; i++) {
      if (!u.isOrgModel(i)) continue;
      const info = u.nsTable[u.owner[i] as number] as NsInfo;
      const ns = nsMap.get(info.org);
      if (!ns) continue;
      const h = hash3(seed, i, SALT.wm);
      if (h % 100 >= 70) continue;
      const msK = u.ms.fromHf.get(i);
      const name = msK !== undefined ? u.ms.nameOf(msK) : splitId(u.idOf(i))[1];
      const task = WM_TASK_OF[MS_TASK_OF[u.task(i) ?? ''] ?? ''] ?? u.task(i) ?? '';
      es.push({ owner: ns, name, title: name, src: i, base: -1, created: (u.created[i] as number) + 86_400 * (1 + ((h >>> 8) % 5)), w: (u.weight[i] as number) * 0.02, lic: pick(WM_LICENSES, h >>> 3), task, mirror: true });
    }
    const mirrors = es.length;
    const native = Math.max(6, target - mirrors);
    const perDay = Math.max(1, Math.round(u.perDay * 0.03));
    for (let j = 0; j < native + perDay * (HORIZON_DAYS + 1); j++) {
      const h = hash3(seed, j, SALT.wm + 1);
      const created = j < native ? Math.floor(START_SEC + (ANCHOR_SEC - START_SEC) * Math.sqrt((j + 0.5) / native)) : ANCHOR_SEC + Math.floor((j - native) / perDay) * 86_400 + ((h >>> 3) % 86_400);
      const owner = `${pick(NOUN, h)}_lab${(h >>> 8) % 997}`;
      let b = -1;
      for (let t = 0; t < 24 && mirrors > 0; t++) {
        const k = hash3(seed, j, SALT.wm + 10 + t) % mirrors;
        if (es[k]!.created < created) {
          b = k;
          break;
        }
      }
      if (b < 0 || h % 10 === 0) {
        es.push({ owner, name: `${pick(OWN_WORDS, h >>> 4)}-model-${j.toString(36)}`, title: `${pick(OWN_WORDS, h >>> 4)} 模型`, src: -1, base: -1, created, w: 0.05, lic: pick(WM_LICENSES, h >>> 5), task: '文本生成', mirror: false });
        continue;
      }
      es.push({ owner, name: `${es[b]!.name}-${pick(PURPOSES, h >>> 9)}-${j.toString(36)}`, title: `${es[b]!.name} 微调`, src: -1, base: b, created, w: 0.2 * Math.exp(normal(seed, j, SALT.wm)), lic: pick(WM_LICENSES, h >>> 5), task: es[b]!.task, mirror: false });
    }
    const [evOwner, evName] = splitId(WM_EVIDENCE_MODEL);
    es.push({ owner: evOwner, name: evName, title: evName, src: -1, base: -1, created: Date.parse('2024-11-27T10:00:00+08:00') / 1000, w: 0.3, lic: 'Apache-2.0', task: '文生视频', mirror: false });
    this.size = es.length;
    this.src = new Int32Array(this.size);
    this.base = new Int32Array(this.size);
    this.created = new Uint32Array(this.size);
    this.weight = new Float32Array(this.size);
    this.isMirror = new Uint8Array(this.size);
    es.forEach((e, k) => {
      let name = e.name;
      for (let v = 2; this.byId.has(`${e.owner}/${name}`); v++) name = `${e.name}-v${v}`;
      this.byId.set(`${e.owner}/${name}`, k);
      this.owner.push(e.owner);
      this.name.push(name);
      this.title.push(e.title);
      this.src[k] = e.src;
      this.base[k] = e.base;
      this.created[k] = e.created;
      this.weight[k] = e.w;
      this.license.push(e.lic);
      this.task.push(e.task);
      this.isMirror[k] = e.mirror ? 1 : 0;
    });

    // Datasets and code repositories, published by the same owners, created over the same span.
    const nx0 = Math.max(4, Math.round(this.size * 0.2));
    const perDayX = Math.max(1, Math.round(perDay * 0.2));
    const nx = nx0 + perDayX * (HORIZON_DAYS + 1);
    this.xKind = new Uint8Array(nx);
    this.xCreated = new Uint32Array(nx);
    this.xWeight = new Float32Array(nx);
    const owners = [...new Set(this.owner)];
    for (let j = 0; j < nx; j++) {
      const h = hash3(seed, j, SALT.wm + 40);
      const kind = h % 4 === 0 ? 2 : 1;
      this.xKind[j] = kind;
      this.xCreated[j] =
        j < nx0 ? Math.floor(START_SEC + (ANCHOR_SEC - START_SEC) * Math.sqrt((j + 0.5) / nx0)) : ANCHOR_SEC + Math.floor((j - nx0) / perDayX) * 86_400 + ((h >>> 3) % 86_400);
      this.xWeight[j] = 0.02 * Math.exp(normal(seed, j, SALT.wm + 40));
      const owner = pick(owners, h >>> 5);
      const base = `${pick(OWN_WORDS, h >>> 9)}-${kind === 1 ? 'dataset' : 'demo'}-${j.toString(36)}`;
      let name = base;
      for (let v = 2; this.byId.has(`${owner}/${name}`) || this.byPath.has(`${owner}/${name}`); v++) name = `${base}-v${v}`;
      this.xOwner.push(owner);
      this.xName.push(name);
      this.byPath.set(kind === 2 ? `codes/${owner}/${name}` : `${owner}/${name}`, this.size + j);
    }
    for (const [id, k] of this.byId) this.byPath.set(id, k);
    const P = this.size + nx;
    const createdOf = (p: number): number => (p < this.size ? (this.created[p] as number) : (this.xCreated[p - this.size] as number));
    this.order = Int32Array.from({ length: P }, (_, i) => i).sort((a, b) => createdOf(a) - createdOf(b) || a - b);
    this.orderCreated = Uint32Array.from(this.order, createdOf);
    this.gid = new Uint32Array(P);
    let gid = 1000;
    for (const p of this.order) {
      gid += 1 + (hash3(seed, p, SALT.wm + 41) % 3);
      this.gid[p] = gid;
      this.byGid.set(gid, p);
    }
  }

  idOf(k: number): string {
    return `${this.owner[k]}/${this.name[k]}`;
  }

  /** Models, datasets and code repositories together. */
  get projects(): number {
    return this.gid.length;
  }

  kindOf(p: number): WmKind {
    return p < this.size ? 'models' : this.xKind[p - this.size] === 2 ? 'codes' : 'datasets';
  }

  projectOwner(p: number): string {
    return p < this.size ? (this.owner[p] as string) : (this.xOwner[p - this.size] as string);
  }

  projectName(p: number): string {
    return p < this.size ? (this.name[p] as string) : (this.xName[p - this.size] as string);
  }

  /** GitLab's `path_with_namespace`: code repositories live under `codes/` (wisemodel-hub git_downloader.py). */
  pathOf(p: number): string {
    const id = `${this.projectOwner(p)}/${this.projectName(p)}`;
    return this.kindOf(p) === 'codes' ? `codes/${id}` : id;
  }

  projectCreated(p: number): number {
    return p < this.size ? (this.created[p] as number) : (this.xCreated[p - this.size] as number);
  }

  /** GitLab's star_count: a model's likes; datasets and code repos collect stars the same way. */
  stars(p: number, dayN: number): number {
    if (p < this.size) return this.likes(p, dayN);
    const t = Math.max(0, ((dayN + 1) * 86_400 - this.projectCreated(p)) / 86_400);
    return Math.round(Math.sqrt(this.xWeight[p - this.size] as number) * 8 * G(t));
  }

  /** GitLab's last_activity_at (epoch seconds). */
  lastActivity(p: number, dayN: number): number {
    return p < this.size ? this.updated(p, dayN) : this.activityAt(this.projectCreated(p), hash3(this.u.seed, p, SALT.wm + 2), dayN);
  }

  /** How many projects exist at the end of `dayN`: they are `order[0, n)`. */
  visibleProjects(dayN: number): number {
    const end = (dayN + 1) * 86_400;
    let lo = 0;
    let hi = this.orderCreated.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.orderCreated[mid] as number) < end) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The position in `order` of the first project whose GitLab id is at least `gid`. */
  orderPositionOf(gid: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.gid[this.order[mid] as number] as number) < gid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A project by its GitLab path or id, if it exists on `dayN`. */
  project(ref: string | number, dayN: number): number | null {
    const p = typeof ref === 'number' ? this.byGid.get(ref) : this.byPath.get(ref);
    return p !== undefined && this.projectCreated(p) < (dayN + 1) * 86_400 ? p : null;
  }

  lookup(id: string, dayN: number): number | null {
    const k = this.byId.get(id);
    return k !== undefined && this.visible(k, dayN) ? k : null;
  }

  visible(k: number, dayN: number): boolean {
    return (this.created[k] as number) < (dayN + 1) * 86_400;
  }

  downloads(k: number, dayN: number): number {
    const t = Math.max(0, ((dayN + 1) * 86_400 - (this.created[k] as number)) / 86_400);
    return Math.round((this.weight[k] as number) * F(t, 8, 10, (k % 5) * 1.1));
  }

  likes(k: number, dayN: number): number {
    const t = Math.max(0, ((dayN + 1) * 86_400 - (this.created[k] as number)) / 86_400);
    return Math.round(Math.sqrt(this.weight[k] as number) * 8 * G(t));
  }

  updated(k: number, dayN: number): number {
    return this.activityAt(this.created[k] as number, hash3(this.u.seed, k, SALT.wm + 2), dayN);
  }

  private activityAt(created: number, h: number, dayN: number): number {
    const period = 7 + (h % 90);
    const upd = dayN - ((dayN + (h >>> 8)) % period);
    return Math.max(created, Math.min(upd * 86_400 + ((h >>> 4) % 86_400), (dayN + 1) * 86_400 - 1));
  }

  /** Visible models, newest first (or by downloads), as indices. */
  list(dayN: number, sort: 'newest' | 'downloads'): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.size; k++) if (this.visible(k, dayN)) out.push(k);
    if (sort === 'newest') out.sort((a, b) => (this.created[b] as number) - (this.created[a] as number) || a - b);
    else {
      const d = new Map(out.map((k) => [k, this.downloads(k, dayN)]));
      out.sort((a, b) => d.get(b)! - d.get(a)! || a - b);
    }
    return out;
  }
}

export { DAY_MS };
