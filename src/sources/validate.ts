// Helpers every source uses at the edge: a one-line reason from a zod error, and the quarantine record of one bad
// item or page (raw payload capped, reason, time, the page's URL without tokens).
import type { z } from 'zod';
import { LIMITS, capString, type Platform } from '../model.js';
import type { QuarantineItem } from '../store/types.js';

/** Largest raw payload kept with a quarantined item or page (the store caps again at 64 KiB). */
export const QUARANTINE_PAYLOAD_CAP = LIMITS.raw * 8;

/** One line saying why zod rejected a value (first three issues, with their paths). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(item)'}: ${i.message}`)
    .join('; ');
}

export function toQuarantine(
  platform: Platform,
  kind: QuarantineItem['kind'],
  raw: unknown,
  reason: string,
  ref: string | null,
  at: Date,
): QuarantineItem {
  let payload: string;
  if (typeof raw === 'string') payload = raw;
  else {
    try {
      payload = JSON.stringify(raw) ?? String(raw);
    } catch {
      payload = String(raw);
    }
  }
  return { platform, kind, reason, payload: capString(payload, QUARANTINE_PAYLOAD_CAP), ref, at: at.toISOString() };
}
