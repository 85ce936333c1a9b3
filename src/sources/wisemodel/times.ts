// Times as WiseModel's surfaces write them, to UTC instants (ISO-8601 `Z`). A value that carries its zone (GitLab's
// `2024-05-07T12:27:17.016+08:00`, an epoch) is read as it says; a value without one is read as Beijing time
// (UTC+8), which is what a Chinese site shows its readers (research note §E, inferred: no WiseModel page was seen).
// Relative dates (`3天前`, `2 小时前`, `昨天 14:30`) are counted back from the fetch time and cut to their own
// precision in Beijing time (`3天前` is the start of that Beijing day), so that a page read twice the same day gives
// the same instant and an unchanged model keeps its fingerprint.
import { DAY_MS as DAY } from '../../time.js';

const CN_OFFSET_MS = 8 * 3_600_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** `ms` cut down to a multiple of `unit`, counted in Beijing time. */
function floorBeijing(ms: number, unit: number): number {
  return Math.floor((ms + CN_OFFSET_MS) / unit) * unit - CN_OFFSET_MS;
}

function iso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** Wall-clock fields in Beijing time to the instant. */
function beijing(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - CN_OFFSET_MS;
}

const UNITS: Array<[RegExp, number]> = [
  [/^(?:秒|seconds?|secs?)$/, 1000],
  [/^(?:分钟|分|minutes?|mins?)$/, MINUTE],
  [/^(?:小时|个小时|hours?|hrs?)$/, HOUR],
  [/^(?:天|日|days?)$/, DAY],
  [/^(?:周|个星期|星期|weeks?)$/, 7 * DAY],
  [/^(?:个月|月|months?)$/, 30 * DAY],
  [/^(?:年|years?)$/, 365 * DAY],
];

/** `3天前`, `2 小时前`, `刚刚`, `昨天 14:30`, `5 minutes ago` against `now`; null when `s` is none of them. */
export function relativeInstant(s: string, now: Date): string | null {
  const t = s.trim();
  const nowMs = now.getTime();
  if (/^(?:刚刚|刚才|just now)$/i.test(t)) return iso(floorBeijing(nowMs, MINUTE));
  const day = /^(今天|昨天|前天)\s*(?:(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (day) {
    const back = day[1] === '今天' ? 0 : day[1] === '昨天' ? 1 : 2;
    const start = floorBeijing(nowMs, DAY) - back * DAY;
    if (day[2] === undefined) return iso(start);
    const h = Number(day[2]);
    const mi = Number(day[3]);
    if (h > 23 || mi > 59) return null;
    return iso(start + h * HOUR + mi * MINUTE + Number(day[4] ?? 0) * 1000);
  }
  const rel = /^(\d{1,4})\s*([^\d\s]+?)\s*(?:前|以前|ago)$/i.exec(t);
  if (!rel) return null;
  const n = Number(rel[1]);
  const unit = UNITS.find(([re]) => re.test(rel[2]!.toLowerCase()))?.[1];
  if (unit === undefined) return null;
  // Cut to the unit's precision (a day for weeks and longer): "3天前" read at 09:00 and at 18:00 is one instant.
  return iso(floorBeijing(nowMs - n * unit, Math.min(unit, DAY)));
}

/**
 * ISO strings (with or without a zone), epoch seconds or milliseconds, `2024-05-01`, `2024-05-01 12:00:00`,
 * `2024/5/1`, `2024年5月1日 12:00`, `5月1日` (this year, or last year when that is still to come), and relative
 * dates against `now` (when given), to a UTC ISO instant; null when the value says no time.
 */
export function readInstant(v: unknown, now?: Date): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) return null;
    return iso(v > 1e12 ? v : v * 1000);
  }
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^\d{9,13}$/.test(s)) return readInstant(Number(s), now);
  const ymd =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      s,
    );
  if (ymd) {
    const [, y, mo, d, h, mi, se, frac, tz] = ymd;
    const ms = frac ? Math.round(Number(frac) * 1000) : 0;
    if (tz) {
      const zone = tz.toUpperCase() === 'Z' ? 'Z' : tz.includes(':') ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`;
      const p = (x: string | undefined, w = 2): string => (x ?? '0').padStart(w, '0');
      return iso(Date.parse(`${y}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(se)}.${String(ms).padStart(3, '0')}${zone}`));
    }
    return iso(beijing(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(se ?? 0), ms));
  }
  const cn = /^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (cn) {
    const [, y, mo, d, h, mi, se] = cn;
    let year = y !== undefined ? Number(y) : null;
    if (year === null) {
      if (!now) return null;
      year = new Date(now.getTime() + CN_OFFSET_MS).getUTCFullYear();
      if (beijing(year, Number(mo), Number(d)) > now.getTime()) year -= 1;
    }
    return iso(beijing(year, Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(se ?? 0)));
  }
  return now ? relativeInstant(s, now) : null;
}
