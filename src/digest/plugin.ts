// HTTP routes for the digests (fastify 5): the JSON Feed and each digest's files. Errors are JSON with a message
// a person can act on; files are served as written, with headers that keep a browser from running anything.
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CONTENT_TYPES, FEED_CONTENT_TYPE, buildDigestFeed, digestPath, parseDigestFileName } from './files.js';
import { isValidIsoWeek } from './isoweek.js';

export interface DigestPluginOptions {
  dataDir: string;
  /** Public origin of the server (`https://hubwatch.example`), for absolute URLs in the feed. */
  baseUrl?: string;
}

// The HTML and SVG are static documents: nothing in them may run or load, whatever a platform string contained.
const LOCKDOWN = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

function problem(reply: FastifyReply, status: 400 | 404, error: string, message: string) {
  return reply.code(status).type('application/json; charset=utf-8').send({ error, message, statusCode: status });
}

export const digestPlugin: FastifyPluginAsync<DigestPluginOptions> = async (app, opts) => {
  app.get('/digests/feed.json', async (request, reply) => {
    // The Host header is the client's word; only a plain host[:port] is used to build absolute URLs.
    const host = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(request.host) ? request.host : null;
    const origin = opts.baseUrl?.replace(/\/+$/, '') ?? (host ? `${request.protocol}://${host}` : '');
    const feed = await buildDigestFeed(opts.dataDir, `${origin}/digests/`);
    return reply.type(FEED_CONTENT_TYPE).header('x-content-type-options', 'nosniff').send(JSON.stringify(feed));
  });

  app.get<{ Params: { file: string } }>('/digests/:file', async (request, reply) => {
    const parsed = parseDigestFileName(request.params.file);
    if (!parsed) {
      const looksLikeWeek = /^[^.]*\.(json|md|html)$/.test(request.params.file);
      return looksLikeWeek
        ? problem(reply, 400, 'Bad Request', 'Malformed week: expected /digests/YYYY-Www.{md,html,json}, e.g. /digests/2026-W48.html.')
        : problem(reply, 404, 'Not Found', 'No such digest file. Formats: YYYY-Www.md, .html, .json; the list is /digests/feed.json.');
    }
    if (!isValidIsoWeek(parsed.week)) {
      return problem(reply, 400, 'Bad Request', `Malformed week ${parsed.week}: that ISO week does not exist.`);
    }
    let body: Buffer;
    try {
      body = await readFile(digestPath(opts.dataDir, parsed.week, parsed.format));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return problem(reply, 404, 'Not Found', `No digest for ${parsed.week}. Build it with: hubwatch digest --week ${parsed.week}`);
      }
      throw err;
    }
    reply.type(CONTENT_TYPES[parsed.format]).header('x-content-type-options', 'nosniff');
    if (parsed.format === 'html' || parsed.format.endsWith('.svg')) reply.header('content-security-policy', LOCKDOWN);
    return reply.send(body);
  });
};
