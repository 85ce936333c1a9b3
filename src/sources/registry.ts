// One line per platform (after Renovate's datasource registry): a new platform is a new folder plus a line here.
// Everything platform-free that needs a platform's own knowledge (its source, its record mapping, its label, its
// token) goes through this table, so that src/normalise/ never imports src/sources/.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { NormalisedRecord, Platform } from '../model.js';
import type { NormaliseContext } from '../normalise/context.js';
import { sightItem, type Sighting } from '../normalise/record.js';
import { createHuggingFaceSource } from './huggingface/index.js';
import { huggingfaceProfile } from './huggingface/record.js';
import { createModelScopeSource } from './modelscope/index.js';
import { modelscopeProfile } from './modelscope/record.js';
import type { PlatformProfile, RateLimitMode, Source } from './types.js';
import { createWiseModelSource } from './wisemodel/index.js';
import { wisemodelProfile } from './wisemodel/record.js';

export interface SourceDeps {
  config: Config;
  logger: Logger;
  rateLimitMode: RateLimitMode;
}

interface PlatformEntry {
  profile: PlatformProfile;
  create(deps: SourceDeps): Source;
}

const PLATFORM_ENTRIES: { readonly [P in Platform]: PlatformEntry } = {
  huggingface: { profile: huggingfaceProfile, create: (deps) => createHuggingFaceSource(deps) },
  modelscope: { profile: modelscopeProfile, create: (deps) => createModelScopeSource(deps) },
  wisemodel: { profile: wisemodelProfile, create: (deps) => createWiseModelSource(deps) },
};

export function createSource(platform: Platform, deps: SourceDeps): Source {
  return PLATFORM_ENTRIES[platform].create(deps);
}

export function platformProfile(platform: Platform): PlatformProfile {
  return PLATFORM_ENTRIES[platform].profile;
}

/**
 * Each platform's name as readers know it. Any string may index it: a platform a stored snapshot names that this
 * build does not know reads as undefined, and callers show the raw name instead.
 */
export const PLATFORM_LABELS: Readonly<Record<Platform, string> & Partial<Record<string, string>>> = Object.freeze(
  Object.fromEntries(Object.values(PLATFORM_ENTRIES).map((e) => [e.profile.platform, e.profile.label])) as Record<
    Platform,
    string
  >,
);

/** Dispatch by platform; an unknown platform string is read as Hugging Face rather than thrown on. */
export function normaliseRecord(platform: Platform, item: unknown, ctx: NormaliseContext): NormalisedRecord {
  const entry = Object.hasOwn(PLATFORM_ENTRIES, platform) ? PLATFORM_ENTRIES[platform] : PLATFORM_ENTRIES.huggingface;
  return entry.profile.normalise(item, ctx);
}

/** The key, figures and fingerprint the platform's `normalise` would give the item (normalise/record.ts). */
export function sight(platform: Platform, item: unknown, seed: string, fingerprint: string | null = null): Sighting {
  return sightItem(PLATFORM_ENTRIES[platform].profile, item, seed, fingerprint);
}
