// The config's defaults that are computed rather than written in config/default.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT, loadConfig, PROJECT_ROOT } from '../src/config.js';

const ENV = { LOG_LEVEL: 'silent' };

describe('config defaults', () => {
  it("sends a User-Agent that names hubwatch's release as package.json has it", () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(DEFAULT_USER_AGENT).toBe(`hubwatch/${version} (+https://github.com/hubwatch/hubwatch)`);
    expect(loadConfig(ENV).file.userAgent).toBe(DEFAULT_USER_AGENT);
  });

  it('keeps a User-Agent the operator configures, and refuses an empty one', () => {
    expect(loadConfig(ENV, { userAgent: 'example-mirror/2 (ops@example.org)' }).file.userAgent).toBe(
      'example-mirror/2 (ops@example.org)',
    );
    expect(() => loadConfig(ENV, { userAgent: '' })).toThrow(/userAgent/);
  });
});
