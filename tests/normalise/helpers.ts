// Shared fixtures for the normaliser tests: the shipped registry and licence table, a fixed clock, and small
// registries built from literal entries for the planted-problem and rename cases.
import { buildRegistry, RegistryEntry, type Registry, type RegistryEntryInput } from '../../src/normalise/registry.js';
import type { NormaliseContext } from '../../src/normalise/context.js';
import type { LicenseTable } from '../../src/normalise/license.js';
import { loadReferenceData, type ReferenceData } from '../../src/reference-data.js';

let shipped: ReferenceData | null = null;
function reference(): ReferenceData {
  shipped ??= loadReferenceData();
  return shipped;
}

export function registry(): Registry {
  return reference().registry;
}

export function licenses(): LicenseTable {
  return reference().licenses;
}

export const NOW = '2025-11-25T00:00:00.000Z';

export function ctx(overrides: Partial<NormaliseContext> = {}): NormaliseContext {
  return { registry: registry(), licenses: licenses(), now: NOW, backfill: false, ...overrides };
}

export function tinyRegistry(entries: RegistryEntryInput[]): Registry {
  return buildRegistry(entries.map((e, index) => ({ file: 'test.json', index, entry: RegistryEntry.parse(e) })));
}
