// One line per platform (after Renovate's datasource registry): a new platform is a new folder plus a line here.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Platform } from '../model.js';
import { createHuggingFaceSource } from './huggingface/index.js';
import { createModelScopeSource } from './modelscope/index.js';
import type { RateLimitMode, Source } from './types.js';
import { createWiseModelSource } from './wisemodel/index.js';

export interface SourceDeps {
  config: Config;
  logger: Logger;
  rateLimitMode: RateLimitMode;
}

const FACTORIES: { readonly [P in Platform]: (deps: SourceDeps) => Source } = {
  huggingface: (deps) => createHuggingFaceSource(deps),
  modelscope: (deps) => createModelScopeSource(deps),
  wisemodel: (deps) => createWiseModelSource(deps),
};

export function createSource(platform: Platform, deps: SourceDeps): Source {
  return FACTORIES[platform](deps);
}
