// Fingerprints that let a daily sweep skip normalising and rewriting models that did not change. A model's
// normalised record (minus its stats) is a pure function of the platform item (minus the counts that move every
// day), the organisation registry, the licence table and this code; the fingerprint hashes exactly those inputs.
// The store keeps each model's fingerprint; a sweep that meets the same fingerprint again writes only the day's
// figures. Any change to the item, the registry or the licence table gives a new fingerprint, so the model is
// normalised and written whole again: editing the registry re-attributes every model on the next sweep.
import { hash } from 'node:crypto';
import type { LicenseTable } from './license.js';
import type { Registry } from './registry.js';

/**
 * Bump when normalisation changes what it derives from the same inputs (licence rules, origin logic, lineage
 * parsing, record fields): stored fingerprints then stop matching and the next sweep rewrites every model.
 */
export const NORMALISE_VERSION = 1;

const seeds = new WeakMap<Registry, WeakMap<LicenseTable, string>>();

/**
 * The part of every fingerprint that stands for the code and configuration: one hash per pair of registry and
 * licence table objects, over the table's JSON content and the registry's entries.
 */
export function normaliseSeed(registry: Registry, licenses: LicenseTable): string {
  let byTable = seeds.get(registry);
  if (byTable === undefined) {
    byTable = new WeakMap();
    seeds.set(registry, byTable);
  }
  let seed = byTable.get(licenses);
  if (seed === undefined) {
    seed = hash('sha1', JSON.stringify([NORMALISE_VERSION, licenses.source, registry.entries]), 'base64');
    byTable.set(licenses, seed);
  }
  return seed;
}

/**
 * Fingerprints are this many characters of a base64 SHA-1 (72 bits): short enough that DuckDB keeps them inline
 * (12 bytes or fewer), so the store can match a batch against every stored model by this one column. They cover
 * the model's id too, so a fingerprint names one model as well as its content.
 */
export const FINGERPRINT_CHARS = 12;

/** The fingerprint of `text` (an item's JSON without its volatile fields) under `seed`. */
export function fingerprintOf(seed: string, text: string): string {
  return fingerprintDigest(seed + text);
}

/** The fingerprint of the seed and item text already put together, as a string or as its UTF-8 bytes (which hash
 * the same: raw-items.ts hashes response bytes without decoding them). */
export function fingerprintDigest(seeded: string | Uint8Array): string {
  return hash('sha1', seeded, 'base64').slice(0, FINGERPRINT_CHARS);
}

/**
 * The fingerprint of one parsed platform item: its JSON without the top-level fields in `volatile` (the counts that
 * are stored as the day's figures). Key order is the platform's, which is stable for a model. Sources that can take
 * the item's text from the response hash that instead (src/sources/raw-items.ts): it costs far less.
 */
export function itemFingerprint(item: Record<string, unknown>, volatile: ReadonlySet<string>, seed: string): string {
  const rest: Record<string, unknown> = {};
  for (const k in item) if (!volatile.has(k)) rest[k] = item[k];
  return fingerprintOf(seed, JSON.stringify(rest));
}
