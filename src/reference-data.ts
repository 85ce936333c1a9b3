// The reviewed tables normalisation consults, read from config/ once where a runtime or a command is built and
// handed down: the organisation registry (config/registry/*.json) and the licence table (config/licenses.json).
// src/normalise/ only compiles and applies them; every file read is here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';
import { compileLicenseTable, type LicenseTable } from './normalise/license.js';
import {
  buildRegistry,
  checkRegistry,
  formatProblem,
  parseRegistryFile,
  type Problem,
  type Registry,
  type SourcedEntry,
} from './normalise/registry.js';

/** What a NormaliseContext carries besides the clock: the registry and the licence table. */
export interface ReferenceData {
  registry: Registry;
  licenses: LicenseTable;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[],
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** `config/<name>` of this checkout, found from this module whether it runs from src/ (tsx) or dist/src/. */
function configPath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'config', name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return resolve('config', name);
}

/** config/registry of this checkout. */
export function defaultRegistryDir(): string {
  return configPath('registry');
}

/** config/licenses.json of this checkout. */
export function defaultLicenseTablePath(): string {
  return configPath('licenses.json');
}

/**
 * Every `*.json` in `dir` (seed.json, long-tail.json, individuals.json, …) in name order, merged into one registry.
 * A broken file or entry, or any checkRegistry problem (a namespace claimed twice across files, a bad country), is a
 * RegistryError listing all of them: the service must not start with an attribution table nobody can vouch for.
 */
export function loadRegistry(dir: string = defaultRegistryDir(), opts: { check?: boolean } = {}): Registry {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (err) {
    throw new RegistryError(`cannot read the registry directory ${dir}: ${(err as Error).message}`, []);
  }
  if (names.length === 0) throw new RegistryError(`no registry files (*.json) in ${dir}`, []);
  const entries: SourcedEntry[] = [];
  const problems: Problem[] = [];
  for (const name of names) {
    let content: unknown;
    try {
      content = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (err) {
      problems.push({ file: name, entry: null, org: null, message: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const parsed = parseRegistryFile(name, content);
    entries.push(...parsed.entries);
    problems.push(...parsed.problems);
  }
  if (opts.check !== false) problems.push(...checkRegistry(entries));
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map(formatProblem).join('\n  ');
    const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : '';
    throw new RegistryError(`registry in ${dir} has ${problems.length} problem(s):\n  ${shown}${more}`, problems);
  }
  return buildRegistry(entries);
}

/**
 * The licence table compiled from `path`. An unreadable file or any problem in it (an unknown class, an SPDX id that
 * does not exist, an alias to a missing key) is a ConfigError naming all of them: a licence class nobody can vouch
 * for must not reach a snapshot.
 */
export function loadLicenseTable(path: string = defaultLicenseTablePath()): LicenseTable {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      `cannot read the licence table ${path}: ${(err as Error).message}; restore it from the repository`,
    );
  }
  const { table, problems } = compileLicenseTable(content);
  if (problems.length > 0) {
    throw new ConfigError(
      `the licence table ${path} has ${problems.length} problem(s): ${problems.join('; ')}; fix the file`,
    );
  }
  return table;
}

/**
 * Both tables from this checkout's config/, as the runtime and the commands load them. A registry problem becomes a
 * ConfigError (exit code 2) that says how to list them all.
 */
export function loadReferenceData(): ReferenceData {
  let registry: Registry;
  try {
    registry = loadRegistry();
  } catch (err) {
    if (err instanceof RegistryError) {
      throw new ConfigError(`${err.message}\nRun \`hubwatch orgs check\` for the full list and fix config/registry/.`);
    }
    throw err;
  }
  return { registry, licenses: loadLicenseTable() };
}
