// hubwatch's version, read once from package.json, the one place it is written: snapshots and digests name their
// generator with it, the default User-Agent carries it (config.ts), and the OpenAPI document and `hubwatch --version`
// show it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './project-root.js';

function readVersion(): string {
  const file = join(PROJECT_ROOT, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || pkg.version === '') {
    throw new Error(`${file} has no "version" string; restore it (hubwatch names its version from there).`);
  }
  return pkg.version;
}

export const VERSION = readVersion();
