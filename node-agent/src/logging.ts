/**
 * Structured logs: one JSON object per line on stderr (`ts`, `level`, `msg`, and
 * the fields), the shape log collectors in a cluster expect.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

export function createLogger(
  options: {
    level?: LogLevel;
    fields?: LogFields;
    write?: (line: string) => void;
  } = {},
): Logger {
  const min = ORDER[options.level ?? 'info'];
  const base = options.fields ?? {};
  const write = options.write ?? (line => process.stderr.write(line));
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const entry: LogFields = {
      ts: new Date().toISOString(),
      level,
      msg,
      ...base,
    };
    for (const [k, v] of Object.entries(fields ?? {})) {
      entry[k] = v instanceof Error ? v.message : v;
    }
    write(
      `${JSON.stringify(entry, (_k, v) =>
        typeof v === 'bigint' ? String(v) : v,
      )}\n`,
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: fields =>
      createLogger({
        level: options.level,
        fields: { ...base, ...fields },
        write,
      }),
  };
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ write: () => {} });
