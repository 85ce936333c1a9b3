// The simulated ModelScope catalogue: Hugging Face organisation models mirrored under their ModelScope namespaces
// (and the Western ones under ModelScope's own mirror namespaces), then users' adapters, finetunes and quantisations
// of what is already there, and a few models of their own. Like the Hub's universe (universe.ts), everything is a
// pure function of (seed, index, day); sim/modelscope.ts serves it.
import { dayNumber, hash3, normal, pick, unit } from './rng.js';
import type { NsInfo, Universe } from './universe.js';
import {
  ADJ,
  ageDays,
  dayEndSec,
  downloadCurve,
  firstIndexWhere,
  HORIZON_DAYS,
  likeCurve,
  NOUN,
  OWN_WORDS,
  PURPOSES,
  R_ADAPTER,
  R_BASE,
  R_FT,
  R_QUANT,
  RELATIONS,
  SALT,
  shortName,
  splitId,
  uploadCreatedSec,
} from './universe-shared.js';

export const MS_KINDS = ['mirror', 'mirror-west', 'org-native', 'user-derivative', 'user-base'] as const;
export type MsKind = (typeof MS_KINDS)[number];

/** Namespaces that re-upload other organisations' models: not an organisation's own ModelScope namespace. */
const MS_MIRROR_NS = ['AI-ModelScope', 'LLM-Research', 'modelscope', 'swift', 'openai-mirror', 'MNN'];

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
    const byCreated = Int32Array.from({ length: this.mirrors }, (_, k) => k).sort(
      (a, b) => this.created[a]! - this.created[b]!,
    );
    const cum = new Float64Array(this.mirrors);
    byCreated.forEach((k, j) => (cum[j] = (j ? cum[j - 1]! : 0) + Math.sqrt(this.weight[k]!)));
    const users = Math.max(20, Math.floor(native / 3));
    for (let k = this.mirrors; k < M; k++) {
      const j = k - this.mirrors;
      const h = hash3(seed, j, SALT.ms + 1);
      const created = uploadCreatedSec(j, native, perDay, h);
      this.created[k] = created;
      this.kind[k] = 3;
      this.uid[k] = Math.floor(users * Math.pow(unit(seed, j, SALT.ms + 2), 1.5));
      const lo = firstIndexWhere(byCreated.length, (x) => this.created[byCreated[x]!]! >= created);
      if (lo === 0 || h % 100 < 6) {
        this.kind[k] = 4;
        this.rel[k] = R_BASE;
        this.weight[k] = 0.02 * Math.exp(normal(seed, j, SALT.ms));
        this.taskIx[k] = taskId('text-generation');
        this.licIx[k] = licId(pick(['Apache License 2.0', 'mit', ''], h >>> 5));
      } else {
        // Bases must already exist, so only mirrors created earlier are eligible.
        const t = unit(seed, j, SALT.ms + 3) * cum[lo - 1]!;
        const baseK = byCreated[firstIndexWhere(lo - 1, (x) => cum[x]! > t)]!;
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
    for (let k = 0; k < M; k++)
      this.likeW[k] = 0.5 * Math.pow(this.weight[k]!, 0.5) * Math.exp(0.5 * normal(seed, k, SALT.ms + 5));
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
    const suffix =
      rel === R_ADAPTER
        ? isImage
          ? `lora-${pick(PURPOSES, h >>> 7)}`
          : `${pick(PURPOSES, h >>> 7)}-lora`
        : rel === R_QUANT
          ? 'GGUF'
          : pick(PURPOSES, h >>> 7);
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
    return (this.created[k] as number) < dayEndSec(dayN);
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
    const t = ageDays(this.created[k] as number, dayN);
    return Math.round((this.weight[k] as number) * downloadCurve(t, 10, 10, (k % 7) * 0.9));
  }

  stars(k: number, dayN: number): number {
    const t = ageDays(this.created[k] as number, dayN);
    return Math.round((this.likeW[k] as number) * 20 * likeCurve(t));
  }

  lastUpdated(k: number, dayN: number): number {
    const h = hash3(this.u.seed, k, SALT.ms + 8);
    const period = 5 + (h % 120);
    const upd = dayN - ((dayN + (h >>> 8)) % period);
    const c = this.created[k] as number;
    const v = upd * 86_400 + ((h >>> 4) % 86_400);
    return Math.max(c, Math.min(v, dayEndSec(dayN) - 1));
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
