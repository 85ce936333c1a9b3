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
import { dayNumber, hash3, isoSeconds, normal, pick, unit } from './rng.js';
import { MsCatalogue } from './modelscope-catalogue.js';
import {
  ADJ,
  ANCHOR_N,
  ageDays,
  ANCHOR_SEC,
  dayEndSec,
  downloadCurve,
  firstIndexWhere,
  FLOOR_SEC,
  HORIZON_DAYS,
  likeCurve,
  NOUN,
  OWN_WORDS,
  PURPOSES,
  R_ADAPTER,
  R_BASE,
  R_FT,
  R_MERGE,
  R_QUANT,
  RELATIONS,
  SALT,
  shortName,
  type SimRelation,
  splitId,
  START_SEC,
} from './universe-shared.js';
import { WmCatalogue } from './wisemodel-catalogue.js';
import { dateOfDayNumber } from '../time.js';

/** Events (late publication, rename, deletion) happen on every day from this many days before the anchor. */
export const EVENT_LEAD_DAYS = 30;
export const MAX_MODELS = 5_000_000;

export const SORT_KEYS = ['createdAt', 'lastModified', 'downloads', 'likes', 'trendingScore'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

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

const ADAPTER_SUFFIX = ['lora', 'qlora', 'LoRA', 'peft-adapter'];
const MERGE_METHODS = ['slerp', 'ties', 'dare-ties', 'linear', 'model-stock', 'passthrough'];
const QUANT_LEVELS = ['Q4_K_M', 'Q8_0', 'Q5_K_M', 'Q6_K', 'IQ4_XS'];

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
    if (!(n0 >= 50 && n0 <= MAX_MODELS))
      throw new Error(`models must be between 50 and ${MAX_MODELS}, got ${opts.models}`);
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
      const families =
        redist || o.kind === 'redistributor'
          ? []
          : (BIG_ORGS[ns] ?? genericFamilies(ns, hash3(this.seed, ns.length, ns.charCodeAt(0))));
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
      return pool[firstIndexWhere(n - 1, (k) => (cum[k] as number) > target)] as number;
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
        const t = unit(seed, i, SALT.org) * (pubs.cum[pubs.cum.length - 1] as number);
        const r = firstIndexWhere(pubs.cum.length - 1, (k) => (pubs.cum[k] as number) > t);
        const nsI = pubs.ns[r] as number;
        const info = this.nsTable[nsI] as NsInfo;
        this.owner[i] = nsI;
        const prev = lastBaseOfNs[nsI] as number;
        const isFt = prev >= 0 && unit(seed, i, SALT.variant) < 0.4;
        const famObj = isFt
          ? (this.families[this.fam[prev] as number] as Family)
          : pick(info.families, hash3(seed, i, SALT.fam));
        this.fam[i] = this.familyId(famObj);
        const sizes = famObj.sizes ?? LLM_SIZES;
        this.size[i] = isFt ? (this.size[prev] as number) : hash3(seed, i, SALT.size) % sizes.length;
        this.params[i] = parseParams(sizes[this.size[i] as number] ?? '', hash3(seed, i, SALT.size));
        const lics = famObj.license.split('|');
        this.lic[i] = this.licenseId(
          isFt ? (this.licenses[this.lic[prev] as number] as string) : pick(lics, hash3(seed, i, SALT.lic)),
        );
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
        const base = fromFt
          ? sample(ftPool, ftCum, ftN, unit(seed, i, SALT.base))
          : sample(orgPool, orgCum, orgN, unit(seed, i, SALT.base));
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
          const base = useFt
            ? sample(ftPool, ftCum, ftN, unit(seed, i, SALT.base))
            : sample(orgPool, orgCum, orgN, unit(seed, i, SALT.base));
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
            this.lic[i] = this.licenseId(
              pick(['apache-2.0', 'mit', 'none', 'cc-by-nc-4.0', 'other:custom', 'openrail'], hash3(seed, i, SALT.lic)),
            );
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
      if (famObj.task === 'text-generation' && hash3(this.seed, i, SALT.variant) % 5 < 2)
        name += famObj.lowerSize ? '-base' : '-Base';
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
      id =
        o >= 0
          ? `${(this.nsTable[o] as NsInfo).ns}/${this.names[i] as string}`
          : `${this.username(-o - 1)}/${this.userModelName(i)}`;
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
    return `${this.username((h % (this.users * 7)) + this.users)}/${pick(OWN_WORDS, h >>> 4)}-${LLM_SIZES[this.size[i] as number] as string}-private-${(h >>> 12).toString(16)}`;
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

  checkDay(day: string): number {
    const n = dayNumber(day);
    if (n > ANCHOR_N + HORIZON_DAYS)
      throw new Error(`day ${day} is past the simulated horizon (${dateOfDayNumber(ANCHOR_N + HORIZON_DAYS)})`);
    if (n * 86_400 < START_SEC) throw new Error(`day ${day} is before the simulated Hub existed`);
    return n;
  }

  private buildEvents(): void {
    const { seed } = this;
    const used = new Set<number>();
    const first = ANCHOR_N - EVENT_LEAD_DAYS;
    const last = ANCHOR_N + HORIZON_DAYS;
    const probe = (d: number, salt: number, fromSec: number, toSec: number): number => {
      const lo = this.createdBefore(fromSec);
      const hi = this.createdBefore(toSec);
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
      list.push({
        day: dateOfDayNumber(d),
        createdAt: new Date((this.created[e.index] as number) * 1000).toISOString(),
        id: this.idOf(e.index),
        ...e,
      });
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
    if (i < 0 || i >= this.capacity || (this.created[i] as number) >= dayEndSec(dayN)) return false;
    const late = this.lateDay.get(i);
    if (late !== undefined && late > dayN) return false;
    const del = this.deleteDay.get(i);
    return !(del !== undefined && del <= dayN);
  }

  /** How many models are created before `sec`: indices [0, n), as creation times ascend in the index. */
  private createdBefore(sec: number): number {
    return firstIndexWhere(this.capacity, (i) => (this.created[i] as number) >= sec);
  }

  private state(dayN: number): DayState {
    const hit = this.states.find((s) => s.day === dayN);
    if (hit) return hit;
    const endSec = dayEndSec(dayN);
    const maxIdx = this.createdBefore(endSec);
    const hidden = new Set<number>();
    for (const [i, d] of this.lateDay) if (d > dayN && i < maxIdx) hidden.add(i);
    for (const [i, d] of this.deleteDay) if (d <= dayN && i < maxIdx) hidden.add(i);
    const s: DayState = { day: dayN, endSec, maxIdx, hidden, count: maxIdx - hidden.size, orders: new Map() };
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
    return ageDays(this.created[i] as number, dayN);
  }

  private cumulative(i: number, t: number): number {
    const phi = unit(this.seed, i, SALT.hype) * 2 * Math.PI;
    return (this.weight[i] as number) * downloadCurve(t, this.hype[i] as number, 10, phi);
  }

  private allTimeTrue(i: number, dayN: number): number {
    return Math.round(this.cumulative(i, this.age(i, dayN)));
  }

  isAnomaly(i: number, dayN: number): boolean {
    return (
      this.anomalyRate > 0 &&
      this.age(i, dayN) >= 3 &&
      unit(this.seed, i, SALT.anomaly * 100_000 + dayN) < this.anomalyRate
    );
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
    return Math.round((this.likeW[i] as number) * 30 * likeCurve(this.age(i, dayN)));
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
    v = Math.min(v, dayEndSec(dayN) - 1);
    return Math.max(v, created);
  }

  sha(i: number, dayN: number): string {
    const d = Math.floor(this.lastModifiedSec(i, dayN) / 86_400);
    let s = '';
    for (let k = 0; k < 5; k++)
      s += hash3(this.seed, i, d * 8 + k)
        .toString(16)
        .padStart(8, '0');
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
    if (o < 0 || (this.rel[i] !== R_BASE && this.rel[i] !== R_FT)) return false;
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
    for (let hop = 0; hop < 16 && this.hasLineage(cur) && !(this.flags[cur]! & F_MISSING_BASE); hop++)
      cur = this.b0[cur] as number;
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
