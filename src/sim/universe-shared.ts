// What the simulated Hugging Face universe (universe.ts) and the ModelScope and WiseModel catalogues built from it
// (modelscope-catalogue.ts, wisemodel-catalogue.ts) share: the simulated time frame, the relation codes, the hash
// salts, the words names are made of and the growth curves of counters. Kept apart so the catalogues need nothing
// from universe.ts at run time (universe.ts constructs them: importing it back would be a cycle).
import { dayNumber } from './rng.js';

export const ANCHOR_DAY = '2026-11-20';
/** How many simulated days after ANCHOR_DAY the universe is defined for (new models, events). */
export const HORIZON_DAYS = 366;

/** The Hub's floor value for repos created before it stored creation dates. */
export const HF_CREATED_FLOOR = '2022-03-02T23:29:04.000Z';
export const FLOOR_SEC = Date.parse(HF_CREATED_FLOOR) / 1000;
/** The pre-anchor catalogues of all three platforms are spread from here to the anchor. */
export const START_SEC = FLOOR_SEC + 86_400;
export const ANCHOR_N = dayNumber(ANCHOR_DAY);
export const ANCHOR_SEC = ANCHOR_N * 86_400;

export const RELATIONS = ['base', 'finetune', 'adapter', 'quantized', 'merge'] as const;
export type SimRelation = (typeof RELATIONS)[number];
/** Indices into RELATIONS, as the typed arrays of the universe and the catalogues store them. */
export const R_BASE = 0;
export const R_FT = 1;
export const R_ADAPTER = 2;
export const R_QUANT = 3;
export const R_MERGE = 4;

/** Salts of hash3(seed, index, salt): one per attribute, so attributes drawn for the same index are independent. */
export const SALT = {
  kind: 1,
  jitter: 2,
  org: 3,
  ns: 4,
  fam: 5,
  size: 6,
  variant: 7,
  weight: 8,
  likes: 9,
  hype: 10,
  base: 11,
  base2: 12,
  user: 13,
  lic: 14,
  lastmod: 15,
  anomaly: 16,
  redist: 17,
  pattern: 18,
  purpose: 19,
  event: 20,
  ms: 21,
  wm: 22,
  gated: 23,
  multihop: 24,
  nolineage: 25,
  relcard: 26,
} as const;

export const PURPOSES = [
  'sft',
  'dpo',
  'orpo',
  'grpo',
  'medical',
  'legal',
  'finance',
  'roleplay',
  'math',
  'code',
  'chinese-chat',
  'ko-instruct',
  'ja',
  'abliterated',
  'uncensored',
  'reasoning',
  'distill',
  'function-calling',
  'rag',
  'pt-br',
  'arabic',
  'vi-chat',
  'german',
  'french',
  'summarizer',
  'sql',
  'agent',
  'writer',
  'persona',
  'tr-instruct',
];
export const OWN_WORDS = ['tiny', 'nano', 'micro', 'baby', 'toy', 'test', 'experimental', 'small', 'open', 'mini'];
export const ADJ = [
  'quiet',
  'neural',
  'deep',
  'lazy',
  'bright',
  'silent',
  'rapid',
  'cosmic',
  'fuzzy',
  'happy',
  'brave',
  'clever',
  'eager',
  'gentle',
  'lucky',
  'mighty',
  'noble',
  'proud',
  'swift',
  'wise',
  'bold',
  'calm',
  'dark',
  'fresh',
];
export const NOUN = [
  'falcon',
  'otter',
  'panda',
  'tiger',
  'llama',
  'koala',
  'raven',
  'lynx',
  'badger',
  'heron',
  'gecko',
  'bison',
  'moose',
  'viper',
  'whale',
  'crane',
  'fox',
  'wolf',
  'hawk',
  'mole',
  'newt',
  'yak',
  'seal',
  'orca',
];

export function splitId(id: string): [string, string] {
  const k = id.indexOf('/');
  return k < 0 ? ['', id] : [id.slice(0, k), id.slice(k + 1)];
}

export function shortName(name: string, max = 40): string {
  if (name.length <= max) return name;
  return name.slice(0, max).replace(/[-._]+$/, '');
}

/** The first second after simulated day `dayN` (epoch seconds): what exists on that day was created before it. */
export function dayEndSec(dayN: number): number {
  return (dayN + 1) * 86_400;
}

/** Days from `createdSec` to the end of day `dayN`, 0 for what does not exist yet: what counters grow with. */
export function ageDays(createdSec: number, dayN: number): number {
  return Math.max(0, (dayEndSec(dayN) - createdSec) / 86_400);
}

/**
 * When a catalogue's `j`-th own upload was created (epoch seconds): the first `before` are spread from START_SEC to
 * the anchor, denser towards it; the rest arrive `perDay` a day from the anchor on, at a time of day drawn from `h`.
 */
export function uploadCreatedSec(j: number, before: number, perDay: number, h: number): number {
  return j < before
    ? Math.floor(START_SEC + (ANCHOR_SEC - START_SEC) * Math.sqrt((j + 0.5) / before))
    : ANCHOR_SEC + Math.floor((j - before) / perDay) * 86_400 + ((h >>> 3) % 86_400);
}

/**
 * The first index in [0, end) at which `past(i)` holds, or `end` where none does: a binary search, for `past` false
 * then true along the range (creation times ascending in the index, cumulative weights, a sorted order).
 */
export function firstIndexWhere(end: number, past: (i: number) => boolean): number {
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Cumulative downloads after `t` days, in "mature days": steady 1/day, a launch hype of size `hype` that decays with
 * time constant `tau`, and a weekly wobble (phase `phi`) whose derivative never turns negative, so all-time counts
 * rise every day.
 */
export function downloadCurve(t: number, hype: number, tau: number, phi: number): number {
  const omega = (2 * Math.PI) / 7;
  return t + hype * (1 - Math.exp(-t / tau)) + (0.3 / omega) * (Math.sin(omega * t + phi) - Math.sin(phi));
}

/** Likes (stars) after `t` days, as a share of a model's like weight: fast at first, then slow and steady. */
export function likeCurve(t: number): number {
  return 1 - Math.exp(-t / 40) + t / 1000;
}
