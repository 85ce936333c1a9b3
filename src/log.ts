// pino JSON to stdout (stderr for commands whose stdout is data), with tokens redacted. Pretty output only when
// asked (LOG_PRETTY=1), since the service's logs are read by machines first.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'HF_TOKEN',
  'MODELSCOPE_TOKEN',
  'token',
  'accessToken',
  '*.token',
  '*.accessToken',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.headers.authorization',
  '*.headers.Authorization',
  'authorization',
  'Authorization',
  'credentials',
  '*.credentials',
];

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  /** Where the JSON lines go; defaults to stdout. Commands that print data on stdout log to stderr (fd 2). */
  destination?: DestinationStream | number;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const base = { name: 'hubwatch' };
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  if (opts.pretty) {
    return pino({
      level,
      base,
      redact,
      transport: {
        target: 'pino-pretty',
        options: { destination: typeof opts.destination === 'number' ? opts.destination : 1 },
      },
    });
  }
  const dest =
    typeof opts.destination === 'object'
      ? opts.destination
      : pino.destination({ fd: opts.destination ?? 1, sync: false });
  return pino({ level, base, redact }, dest);
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
