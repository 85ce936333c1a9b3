// The simulated WiseModel catalogue: registry organisations' Hugging Face models (named as on ModelScope where
// mirrored there), their users' finetunes, and the datasets and code repositories that share the GitLab instance.
// Like the Hub's universe (universe.ts), everything is a pure function of (seed, index, day); the sim/wisemodel*.ts
// servers read it.
import { MS_TASK_OF } from './modelscope-catalogue.js';
import type { RegistryOrg } from './registry.js';
import { hash3, normal, pick } from './rng.js';
import type { NsInfo, Universe } from './universe.js';
import {
  ageDays,
  dayEndSec,
  downloadCurve,
  firstIndexWhere,
  HORIZON_DAYS,
  likeCurve,
  NOUN,
  OWN_WORDS,
  PURPOSES,
  SALT,
  splitId,
  uploadCreatedSec,
} from './universe-shared.js';

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
    type E = {
      owner: string;
      name: string;
      title: string;
      src: number;
      base: number;
      created: number;
      w: number;
      lic: string;
      task: string;
      mirror: boolean;
    };
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
      es.push({
        owner: ns,
        name,
        title: name,
        src: i,
        base: -1,
        created: (u.created[i] as number) + 86_400 * (1 + ((h >>> 8) % 5)),
        w: (u.weight[i] as number) * 0.02,
        lic: pick(WM_LICENSES, h >>> 3),
        task,
        mirror: true,
      });
    }
    const mirrors = es.length;
    const native = Math.max(6, target - mirrors);
    const perDay = Math.max(1, Math.round(u.perDay * 0.03));
    for (let j = 0; j < native + perDay * (HORIZON_DAYS + 1); j++) {
      const h = hash3(seed, j, SALT.wm + 1);
      const created = uploadCreatedSec(j, native, perDay, h);
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
        es.push({
          owner,
          name: `${pick(OWN_WORDS, h >>> 4)}-model-${j.toString(36)}`,
          title: `${pick(OWN_WORDS, h >>> 4)} 模型`,
          src: -1,
          base: -1,
          created,
          w: 0.05,
          lic: pick(WM_LICENSES, h >>> 5),
          task: '文本生成',
          mirror: false,
        });
        continue;
      }
      es.push({
        owner,
        name: `${es[b]!.name}-${pick(PURPOSES, h >>> 9)}-${j.toString(36)}`,
        title: `${es[b]!.name} 微调`,
        src: -1,
        base: b,
        created,
        w: 0.2 * Math.exp(normal(seed, j, SALT.wm)),
        lic: pick(WM_LICENSES, h >>> 5),
        task: es[b]!.task,
        mirror: false,
      });
    }
    const [evOwner, evName] = splitId(WM_EVIDENCE_MODEL);
    es.push({
      owner: evOwner,
      name: evName,
      title: evName,
      src: -1,
      base: -1,
      created: Date.parse('2024-11-27T10:00:00+08:00') / 1000,
      w: 0.3,
      lic: 'Apache-2.0',
      task: '文生视频',
      mirror: false,
    });
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
      this.xCreated[j] = uploadCreatedSec(j, nx0, perDayX, h);
      this.xWeight[j] = 0.02 * Math.exp(normal(seed, j, SALT.wm + 40));
      const owner = pick(owners, h >>> 5);
      const base = `${pick(OWN_WORDS, h >>> 9)}-${kind === 1 ? 'dataset' : 'demo'}-${j.toString(36)}`;
      let name = base;
      for (let v = 2; this.byId.has(`${owner}/${name}`) || this.byPath.has(`${owner}/${name}`); v++)
        name = `${base}-v${v}`;
      this.xOwner.push(owner);
      this.xName.push(name);
      this.byPath.set(kind === 2 ? `codes/${owner}/${name}` : `${owner}/${name}`, this.size + j);
    }
    for (const [id, k] of this.byId) this.byPath.set(id, k);
    const P = this.size + nx;
    const createdOf = (p: number): number =>
      p < this.size ? (this.created[p] as number) : (this.xCreated[p - this.size] as number);
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
    const t = ageDays(this.projectCreated(p), dayN);
    return Math.round(Math.sqrt(this.xWeight[p - this.size] as number) * 8 * likeCurve(t));
  }

  /** GitLab's last_activity_at (epoch seconds). */
  lastActivity(p: number, dayN: number): number {
    return p < this.size
      ? this.updated(p, dayN)
      : this.activityAt(this.projectCreated(p), hash3(this.u.seed, p, SALT.wm + 2), dayN);
  }

  /** How many projects exist at the end of `dayN`: they are `order[0, n)`. */
  visibleProjects(dayN: number): number {
    const end = dayEndSec(dayN);
    return firstIndexWhere(this.orderCreated.length, (x) => (this.orderCreated[x] as number) >= end);
  }

  /** The position in `order` of the first project whose GitLab id is at least `gid`. */
  orderPositionOf(gid: number): number {
    return firstIndexWhere(this.order.length, (x) => (this.gid[this.order[x] as number] as number) >= gid);
  }

  /** A project by its GitLab path or id, if it exists on `dayN`. */
  project(ref: string | number, dayN: number): number | null {
    const p = typeof ref === 'number' ? this.byGid.get(ref) : this.byPath.get(ref);
    return p !== undefined && this.projectCreated(p) < dayEndSec(dayN) ? p : null;
  }

  lookup(id: string, dayN: number): number | null {
    const k = this.byId.get(id);
    return k !== undefined && this.visible(k, dayN) ? k : null;
  }

  visible(k: number, dayN: number): boolean {
    return (this.created[k] as number) < dayEndSec(dayN);
  }

  downloads(k: number, dayN: number): number {
    const t = ageDays(this.created[k] as number, dayN);
    return Math.round((this.weight[k] as number) * downloadCurve(t, 8, 10, (k % 5) * 1.1));
  }

  likes(k: number, dayN: number): number {
    const t = ageDays(this.created[k] as number, dayN);
    return Math.round(Math.sqrt(this.weight[k] as number) * 8 * likeCurve(t));
  }

  updated(k: number, dayN: number): number {
    return this.activityAt(this.created[k] as number, hash3(this.u.seed, k, SALT.wm + 2), dayN);
  }

  private activityAt(created: number, h: number, dayN: number): number {
    const period = 7 + (h % 90);
    const upd = dayN - ((dayN + (h >>> 8)) % period);
    return Math.max(created, Math.min(upd * 86_400 + ((h >>> 4) % 86_400), dayEndSec(dayN) - 1));
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
