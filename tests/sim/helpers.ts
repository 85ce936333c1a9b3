// Small HTTP helpers for the simulator tests: real requests over loopback through undici, no mocks.
import { request } from 'undici';

export interface Got {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Got> {
  const res = await request(url, { method: 'GET', headers });
  const text = await res.body.text();
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers: h, text };
}

export async function getJson<T = unknown>(
  url: string,
): Promise<{ status: number; headers: Record<string, string>; body: T }> {
  const g = await get(url);
  return { status: g.status, headers: g.headers, body: JSON.parse(g.text) as T };
}

export async function put<T = unknown>(
  url: string,
  body: unknown,
): Promise<{ status: number; headers: Record<string, string>; body: T }> {
  const res = await request(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers: h, body: JSON.parse(text) as T };
}

export async function post(url: string, body: unknown): Promise<Got> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, headers: {}, text: await res.body.text() };
}

/** The same regex @huggingface/hub uses, so a Link the library cannot follow fails here too. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  const m = [...link.matchAll(/<(https?:[/][/][^>]+)>;\s+rel="([^"]+)"/g)].find((x) => x[2] === 'next');
  return m?.[1];
}

export type HfItem = Record<string, unknown> & { _id: string; id: string };

/** Walks a Hub listing through its Link headers; returns items and the number of pages. */
export async function walk(
  first: string,
  max = 100_000,
): Promise<{ items: HfItem[]; pages: number; lastLink: string | undefined }> {
  const items: HfItem[] = [];
  let url: string | undefined = first;
  let pages = 0;
  let lastLink: string | undefined;
  while (url && pages < max) {
    const r: { status: number; headers: Record<string, string>; body: HfItem[] } = await getJson<HfItem[]>(url);
    if (r.status !== 200) throw new Error(`${url} → ${r.status}`);
    items.push(...r.body);
    pages++;
    lastLink = r.headers.link;
    url = nextLink(r.headers.link);
  }
  return { items, pages, lastLink };
}
