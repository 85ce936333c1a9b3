// The error taxonomy (after Crawlee's errors.ts): every error a user can meet says what happened and what to do,
// and carries the exit code the command line should end with.

export class HubwatchError extends Error {
  /** Exit code for the command line: 1 for a failed operation, 2 for bad configuration or usage. */
  readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** A configuration file or environment variable has a bad value. Exit code 2. */
export class ConfigError extends HubwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, exitCode: 2 });
  }
}

/** A service the command needs (Redis, PostgreSQL) cannot be reached. Exit code 2. */
export class ServiceUnavailableError extends HubwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, exitCode: 2 });
  }
}

/** The platform answered 429; `retryAfterMs` is how long it asked us to wait. */
export class RateLimitedError extends HubwatchError {
  readonly retryAfterMs: number;
  readonly platform: string;
  constructor(platform: string, retryAfterMs: number) {
    super(`${platform} rate limit reached; retry after ${Math.ceil(retryAfterMs / 1000)} s`);
    this.platform = platform;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A request failed in a way that may pass on retry (5xx, timeout, reset, truncated body). */
export class TransientHttpError extends HubwatchError {
  readonly status: number | null;
  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** A request failed in a way that retrying will not fix (4xx other than 429, an envelope that says no). */
export class PermanentHttpError extends HubwatchError {
  readonly status: number | null;
  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** A page could not be fetched after all retries: the sweep stops here and is reported incomplete. */
export class PageFailedError extends HubwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An input file or payload could not be read at all (as opposed to one bad item in it). */
export class InputError extends HubwatchError {
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
