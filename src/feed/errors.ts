// The one error shape of every JSON answer hubwatch serves (the API, /metrics, Bull Board's token check). A client
// that gets a 400 learns which parameter was wrong and why, so it can fix the request without reading our source.

export const API_ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'not_found',
  'moved_permanently',
  'method_not_allowed',
  'internal_error',
  'unavailable',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorBody {
  error: ApiErrorCode;
  message: string;
  parameter: string | null;
}

export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly parameter: string | null;
  /** Where the resource is now (a 301's Location). */
  location: string | null = null;
  constructor(statusCode: number, code: ApiErrorCode, message: string, parameter: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = code;
    this.parameter = parameter;
  }

  get body(): ApiErrorBody {
    return { error: this.code, message: this.message, parameter: this.parameter };
  }
}

export function badParam(parameter: string, message: string): ApiError {
  return new ApiError(400, 'bad_request', message, parameter);
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}

/** A model renamed on its platform: its old id points at the new one (the history moved with it). */
export function movedTo(location: string, message: string): ApiError {
  const e = new ApiError(301, 'moved_permanently', message);
  e.location = location;
  return e;
}
