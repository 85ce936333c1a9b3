// Hostile text as real platforms carry it in free-form fields: markup that must never reach a page unescaped,
// bidi overrides that flip what a reader sees, emoji (astral code points that break naive slicing), NUL (PostgreSQL
// text rejects it) and values long enough to blow column limits and log lines.
import { hash3 } from './rng.js';

const LONG = 'A'.repeat(9_990) + '<b>end</b>';

export const HOSTILE_STRINGS: readonly string[] = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'Qwen3 \u202Egnp.exe\u202C fine-tune',
  'emoji 🤗🔥🚀 模型 👩‍💻',
  LONG,
  'nul\u0000byte and \u200Bzero\u200Bwidth',
  '</script><script>document.write(1)</script>',
  '{{constructor.constructor("alert(1)")()}}',
  "'; DROP TABLE models; --",
  '\u0645\u0648\u062F\u064A\u0644 RTL mixed \u05D0\u05D1\u05D2',
];

export function hostileFor(seed: number, index: number, salt = 0): string {
  return HOSTILE_STRINGS[hash3(seed, index, 0x4057 + salt) % HOSTILE_STRINGS.length] as string;
}

/** Whether model `index` carries hostile text at this rate; stable per model so a re-fetch shows the same text. */
export function isHostile(seed: number, index: number, rate: number | undefined): boolean {
  if (!rate || rate <= 0) return false;
  return hash3(seed, index, 0x4057) / 4294967296 < rate;
}
