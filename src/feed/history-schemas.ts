// JSON Schemas of the history answers, built from the same column lists that write the CSV header and the Parquet
// schema (history.ts), so /openapi.json cannot describe columns the files do not have. schemas.ts adds them to the
// OpenAPI components.
import { MODEL_COLUMNS, SHARE_COLUMNS, type HistoryColumn } from './history.js';

type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

function columnSchema(c: HistoryColumn): JsonSchema {
  const base: JsonSchema =
    c.type === 'DATE'
      ? { type: 'string', format: 'date' }
      : c.type === 'VARCHAR'
        ? { type: 'string' }
        : c.type === 'DOUBLE'
          ? { type: 'number' }
          : c.type === 'BIGINT'
            ? { type: 'integer' }
            : { type: 'boolean' };
  const type = c.nullable ? [base.type, 'null'] : base.type;
  return { ...base, type, description: c.description };
}

function rowSchema(columns: readonly HistoryColumn[]): JsonSchema {
  return {
    type: 'object',
    required: columns.map((c) => c.name),
    properties: Object.fromEntries(columns.map((c) => [c.name, columnSchema(c)])),
    additionalProperties: false,
  };
}

const column: JsonSchema = {
  type: 'object',
  required: ['name', 'type', 'nullable', 'description'],
  properties: {
    name: { type: 'string' },
    type: {
      type: 'string',
      enum: ['DATE', 'VARCHAR', 'DOUBLE', 'BIGINT', 'BOOLEAN'],
      description: 'Parquet type as DuckDB names it.',
    },
    nullable: { type: 'boolean' },
    description: { type: 'string' },
  },
  additionalProperties: false,
};

const terms: JsonSchema = {
  type: 'object',
  required: ['attribution', 'sources', 'howToApply'],
  properties: {
    attribution: { type: 'string', description: 'The line to credit when the data is shown or republished.' },
    howToApply: { type: 'string' },
    sources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'platform', 'provenance', 'name', 'url', 'license', 'licenseUrl', 'note'],
        properties: {
          id: { type: 'string' },
          platform: { type: 'string', enum: ['huggingface', 'modelscope', 'wisemodel'] },
          provenance: { type: 'string', enum: ['live', 'dump'] },
          name: { type: 'string' },
          url: { type: 'string' },
          license: { type: ['string', 'null'], description: 'SPDX id; null when no licence is stated.' },
          licenseUrl: { type: ['string', 'null'] },
          note: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

const sharesAnswer: JsonSchema = {
  type: 'object',
  required: ['query', 'dates', 'columns', 'rows', 'terms'],
  properties: {
    query: {
      description: 'What was asked; null where every value was (metric, scope, view, platform) or no bound (from, to).',
      type: 'object',
      required: ['metric', 'scope', 'view', 'platform', 'from', 'to'],
      properties: {
        metric: { type: ['string', 'null'] },
        scope: { type: ['string', 'null'] },
        view: { type: ['string', 'null'] },
        platform: { type: ['string', 'null'] },
        from: { type: ['string', 'null'], format: 'date' },
        to: { type: ['string', 'null'], format: 'date' },
      },
      additionalProperties: false,
    },
    dates: { type: 'integer', minimum: 0, description: 'Snapshot dates in the range.' },
    columns: { type: 'array', items: ref('HistoryColumn') },
    rows: { type: 'array', items: ref('HistoryShareRow') },
    terms: ref('HistoryTerms'),
  },
  additionalProperties: false,
};

const modelsAnswer: JsonSchema = {
  type: 'object',
  required: ['keys', 'columns', 'rows', 'nextCursor', 'nextUrl', 'terms'],
  properties: {
    keys: {
      type: 'array',
      items: { type: 'string' },
      description: 'The models of this page (one for a single model).',
    },
    columns: { type: 'array', items: ref('HistoryColumn') },
    rows: { type: 'array', items: ref('HistoryModelRow'), description: 'By key, then date.' },
    nextCursor: { type: ['string', 'null'] },
    nextUrl: { type: ['string', 'null'] },
    terms: ref('HistoryTerms'),
  },
  additionalProperties: false,
};

export const historyComponentSchemas: Record<string, JsonSchema> = {
  HistoryColumn: column,
  HistoryTerms: terms,
  HistoryShareRow: rowSchema(SHARE_COLUMNS),
  HistoryModelRow: rowSchema(MODEL_COLUMNS),
  HistorySharesAnswer: sharesAnswer,
  HistoryModelsAnswer: modelsAnswer,
};
