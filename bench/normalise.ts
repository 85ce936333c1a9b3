// Micro-benchmark: normalise 1,000,000 Hugging Face-like records (target < 10 s). Run: npx tsx bench/normalise.ts [N]
// The records cycle through a realistic mix (registry orgs, quantisers with and without lineage, unknown users,
// licence spellings) so the caches see the repetition a real sweep has, but every id is distinct.
import { loadReferenceData } from '../src/reference-data.js';
import { normaliseHuggingFace } from '../src/sources/huggingface/record.js';
import type { HfModelInput } from '../src/sources/huggingface/schema.js';

export function hfLikeRecords(n: number, offset = 0): HfModelInput[] {
  const owners = [
    'Qwen',
    'meta-llama',
    'bartowski',
    'mlx-community',
    'someuser',
    'unsloth',
    'google',
    'THUDM',
    'RichardErkhov',
    'deepseek-ai',
  ];
  const licences = ['apache-2.0', 'mit', 'llama3.1', 'other', 'gemma', 'cc-by-nc-4.0', 'openrail'];
  const bases = [
    'Qwen/Qwen3-8B',
    'meta-llama/Llama-3.1-8B-Instruct',
    'google/gemma-3-1b-it',
    'deepseek-ai/DeepSeek-R1',
  ];
  const out: HfModelInput[] = [];
  for (let i = offset; i < offset + n; i++) {
    const owner = owners[i % owners.length] as string;
    const lic = licences[i % licences.length] as string;
    const base = bases[i % bases.length] as string;
    const derived = i % 3 !== 0;
    const name =
      owner === 'RichardErkhov'
        ? `Qwen_-_Qwen3-8B-${i}-gguf`
        : owner === 'bartowski'
          ? `zai-org_GLM-4.6-${i}-GGUF`
          : `Model-${i}-Instruct`;
    out.push({
      _id: `id${i}`,
      id: `${owner}/${name}`,
      createdAt: '2025-06-01T00:00:00.000Z',
      downloads: i % 10000,
      likes: i % 100,
      pipeline_tag: 'text-generation',
      library_name: 'transformers',
      tags: derived
        ? [
            'transformers',
            'safetensors',
            `base_model:${base}`,
            `base_model:finetune:${base}`,
            `license:${lic}`,
            'region:us',
          ]
        : ['transformers', 'safetensors', `license:${lic}`, 'region:us'],
    });
  }
  return out;
}

/**
 * Items are generated in chunks of 10,000 outside the timed section (as a sweep hands over pages), so the figure is
 * normalisation alone. CPU time is reported beside wall time because this machine is shared: the CPU figure is
 * what the normaliser costs, the wall figure what a loaded host makes of it.
 */
export function benchNormalise(n: number): { n: number; ms: number; cpuMs: number; perRecordUs: number } {
  const ctx = { ...loadReferenceData(), now: '2025-11-25T00:00:00.000Z', backfill: false };
  const CHUNK = 10_000;
  let ms = 0;
  let cpuUs = 0;
  let sink = 0;
  for (let done = 0; done < n; done += CHUNK) {
    const items = hfLikeRecords(Math.min(CHUNK, n - done), done);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const item of items) sink += normaliseHuggingFace(item, ctx).tags.length;
    ms += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
  }
  if (sink < 0) console.log(sink);
  return { n, ms, cpuMs: cpuUs / 1000, perRecordUs: (ms * 1000) / n };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const r = benchNormalise(n);
  console.log(
    JSON.stringify({
      bench: 'normalise-hf',
      records: r.n,
      wallSeconds: +(r.ms / 1000).toFixed(2),
      cpuSeconds: +(r.cpuMs / 1000).toFixed(2),
      perRecordUs: +r.perRecordUs.toFixed(2),
    }),
  );
}
