// The dashboard's one script and one stylesheet, read once at start. Their URLs carry a hash of their bytes, so a
// browser may keep them for a year and still gets a new version the moment the file changes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { PROJECT_ROOT } from '../config.js';
import type { Asset } from './links.js';

export interface AssetFile {
  body: Buffer;
  br: Buffer;
  gzip: Buffer;
  version: string;
  contentType: string;
}

export const ASSET_NAMES: Asset[] = ['dashboard.css', 'dashboard.js'];

const TYPES: Record<Asset, string> = {
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
};

let loaded: Record<Asset, AssetFile> | null = null;

/** Read from the source tree (not next to the compiled file): tsc does not copy non-TypeScript files. */
export function assetFiles(): Record<Asset, AssetFile> {
  if (loaded) return loaded;
  const out = {} as Record<Asset, AssetFile>;
  for (const name of ASSET_NAMES) {
    const body = readFileSync(join(PROJECT_ROOT, 'src', 'dashboard', 'assets', name));
    out[name] = {
      body,
      br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      gzip: gzipSync(body, { level: 9 }),
      version: createHash('sha256').update(body).digest('hex').slice(0, 12),
      contentType: TYPES[name],
    };
  }
  loaded = out;
  return out;
}

export function assetVersions(): Record<Asset, string> {
  const a = assetFiles();
  return { 'dashboard.css': a['dashboard.css'].version, 'dashboard.js': a['dashboard.js'].version };
}
