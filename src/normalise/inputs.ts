// The shapes the normalisers accept: what each platform's schema.ts yields after validation at the edge. They are
// structural and loose on purpose (every field optional where a platform may omit it) so that the normalisers stay
// total: they never throw on any input, they fall back and say so.

/** A Hugging Face model as the list or detail endpoint returns it (raw JSON, not @huggingface/hub's ModelEntry). */
export interface HfModelInput {
  _id?: string | null;
  id: string;
  author?: string | null;
  createdAt?: string | null;
  lastModified?: string | null;
  downloads?: number | null;
  downloadsAllTime?: number | null;
  likes?: number | null;
  tags?: string[] | null;
  pipeline_tag?: string | null;
  library_name?: string | null;
  private?: boolean | null;
  gated?: boolean | string | null;
  cardData?: Record<string, unknown> | null;
  safetensors?: { total?: number | null } | null;
  gguf?: { total?: number | null } | null;
  baseModels?: unknown;
}

/** A ModelScope record from `PUT /api/v1/dolphin/models` or `GET /api/v1/models/{owner}/{name}`. */
export interface ModelScopeInput {
  Id?: number | null;
  Path: string;
  Name: string;
  ChineseName?: string | null;
  Downloads?: number | null;
  Stars?: number | null;
  Likes?: number | null;
  License?: string | null;
  /** Epoch seconds (sometimes a numeric string; milliseconds are tolerated and detected). */
  CreatedTime?: number | string | null;
  LastUpdatedTime?: number | string | null;
  Tags?: string[] | null;
  Tasks?: Array<{ Name?: string | null } | null> | null;
  Libraries?: string[] | null;
  Frameworks?: string[] | null;
  BaseModel?: string[] | string | null;
  BaseModelRelation?: string | null;
  Organization?: { Name?: string | null; FullName?: string | null } | null;
  ModelInfos?: { safetensor?: { model_size?: number | null } | null } | null;
}

/** A WiseModel model as the scraper reads it from a page's embedded state or its HTML. */
export interface WiseModelInput {
  owner: string;
  name: string;
  title?: string | null;
  downloads?: number | null;
  likes?: number | null;
  /** Free text as the page shows it; may be Chinese (其他 = other). */
  license?: string | null;
  task?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  /** WiseModel ids (`owner/name`) of the bases, when the page names them. */
  baseModels?: string[] | null;
  tags?: string[] | null;
}
