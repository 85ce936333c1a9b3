// Shared fixtures for the normaliser tests: the shipped registry, a fixed clock, and small registries built from
// literal entries for the planted-problem and rename cases.
import { buildRegistry, loadRegistry, RegistryEntry, type Registry, type RegistryEntryInput } from '../../src/normalise/registry.js';
import type { NormaliseContext } from '../../src/normalise/context.js';

let shipped: Registry | null = null;
export function registry(): Registry {
  shipped ??= loadRegistry();
  return shipped;
}

export const NOW = '2025-11-25T00:00:00.000Z';

export function ctx(overrides: Partial<NormaliseContext> = {}): NormaliseContext {
  return { registry: registry(), now: NOW, backfill: false, ...overrides };
}

export function tinyRegistry(entries: RegistryEntryInput[]): Registry {
  return buildRegistry(entries.map((e, index) => ({ file: 'test.json', index, entry: RegistryEntry.parse(e) })));
}
