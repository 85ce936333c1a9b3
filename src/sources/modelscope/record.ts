// ModelScope as the platform-free code sees it: how one dolphin or detail record becomes a NormalisedRecord, which
// of its fields are the day's figures, what the platform is called and which configured token it takes. Pure and
// total (src/normalise/record.ts says why); the registry dispatches to it (src/sources/registry.ts).
import type { Config } from '../../config.js';
import { LIMITS, type NormalisedRecord } from '../../model.js';
import type { NormaliseContext } from '../../normalise/context.js';
import { parseLineage } from '../../normalise/lineage.js';
import { assembleRecord, cleanTags, idFromParts, paramCount } from '../../normalise/record.js';
import { count, isoInstant, isRecord, str, stringList } from '../../normalise/text.js';
import type { PlatformProfile } from '../types.js';
import { MS_NAIVE_OFFSET, type ModelScopeInput } from './schema.js';

const URL_BASE = 'https://modelscope.cn/models/';

/** `Path` is the namespace, `Name` the model's name. */
function idOf(o: Record<string, unknown>): string {
  return idFromParts(o.Path, o.Name);
}

function statsOf(o: Record<string, unknown>): NormalisedRecord['stats'] {
  return { downloads30d: null, downloadsAllTime: count(o.Downloads), likes: count(o.Stars) ?? count(o.Likes) };
}

export function normaliseModelScope(item: ModelScopeInput, ctx: NormaliseContext): NormalisedRecord {
  const o: Record<string, unknown> = isRecord(item) ? item : {};
  let task: string | null = null;
  if (Array.isArray(o.Tasks)) {
    for (const t of o.Tasks) {
      const n = isRecord(t) ? str(t.Name, LIMITS.tag) : null;
      if (n !== null) {
        task = n;
        break;
      }
    }
  }
  const libraries = stringList(o.Libraries, 20);
  const frameworks = stringList(o.Frameworks, 20);
  const library = str(libraries[0], LIMITS.tag)?.toLowerCase() ?? str(frameworks[0], LIMITS.tag)?.toLowerCase() ?? null;
  const infos = isRecord(o.ModelInfos) ? o.ModelInfos : {};
  const safetensor = isRecord(infos.safetensor) ? infos.safetensor : {};
  const tags = cleanTags(o.Tags);
  const allTags = stringList(o.Tags, 2000);
  return assembleRecord(
    {
      platform: 'modelscope',
      id: idOf(o),
      urlBase: URL_BASE,
      createdAt: isoInstant(o.CreatedTime, MS_NAIVE_OFFSET),
      lastModified: isoInstant(o.LastUpdatedTime, MS_NAIVE_OFFSET),
      task,
      library,
      tags,
      params: paramCount(safetensor.model_size),
      license: { hfTags: allTags, text: o.License },
      lineage: parseLineage({
        platform: 'modelscope',
        hfTags: allTags,
        msBaseModel: o.BaseModel,
        msRelation: o.BaseModelRelation,
        hintTags: [...libraries, ...allTags],
      }),
      familyHints: [...stringList(o.ModelType, 10), ...stringList(o.Architectures, 10)],
      stats: statsOf(o),
    },
    ctx,
  );
}

export const modelscopeProfile: PlatformProfile = {
  platform: 'modelscope',
  label: 'ModelScope',
  bearerToken: (tokens: Config['tokens']) => tokens.modelscope,
  volatileFields: new Set(['Downloads', 'Stars', 'Likes']),
  idOf,
  statsOf,
  normalise: (item, ctx) => normaliseModelScope(item as ModelScopeInput, ctx),
};
