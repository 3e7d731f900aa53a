import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream } from 'pino';

/**
 * One JSON object per line on stdout, so any log shipper can read it: `time` (ISO 8601), `level`
 * (a name), the fields each service binds (`service`, `requestId`), `traceId` while a traced
 * request or task is being handled (tracing.ts), `msg`, and the call's own fields. Backed by
 * pino; callers only see this small interface.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** `destination` defaults to stdout; tests pass a stream to read the lines back. */
export function createLogger(base: Record<string, unknown>, level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base,
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceFields,
  };
  return wrap(destination ? pino(options, destination) : pino(options));
}

/** The active span's trace id, so a line can be found from its trace and the other way round. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { traceId: span.traceId } : {};
}

function wrap(logger: pino.Logger): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (fields) logger[level](fields, message);
      else logger[level](message);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(logger.child(fields)),
  };
}
