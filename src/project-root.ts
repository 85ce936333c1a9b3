// The checkout's root, in a module of its own so that both the config and the version (which the config's defaults
// name) can find files from it without importing each other.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root: found by walking up to package.json, so it is the same from src/ (tsx) and dist/src/ (tsc). */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  let dir = from;
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    dir = dirname(dir);
  }
  return resolve(from, '..');
}
