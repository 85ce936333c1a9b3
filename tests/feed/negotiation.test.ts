// Accept and Accept-Encoding as negotiator reads them (RFC 9110 §12.5.1, §12.5.3): q-values, wildcards, identity,
// the client's order on a tie for media types and br on a tie for encodings.
import { describe, expect, it } from 'vitest';
import { negotiateEncoding } from '../../src/feed/cache.js';
import { wantsCsv } from '../../src/feed/server.js';

describe('Accept-Encoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['gzip', 'gzip'],
    ['gzip, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip;q=0, br;q=0', null],
    ['deflate', null],
    ['identity', null],
    ['*', 'br'],
    ['br;q=0, *', 'gzip'],
    ['gzip;q=0, *;q=0.2', 'br'],
    ['*;q=0', null],
    ['GZIP', 'gzip'],
    ['x;q=abc, gzip', 'gzip'],
  ] as const)('%j gives %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('Accept: CSV or JSON', () => {
  it.each([
    [undefined, false],
    ['text/csv', true],
    ['text/*', true],
    ['*/*', false],
    ['application/json', false],
    ['text/csv;q=0.5, application/json', false],
    ['application/json;q=0.5, text/csv', true],
    ['text/csv, application/json', true],
    ['application/json, text/csv', false],
    ['text/csv;q=0', false],
    ['text/html', false],
  ] as const)('%j gives CSV: %s', (accept, csv) => {
    expect(wantsCsv(accept)).toBe(csv);
  });
});
