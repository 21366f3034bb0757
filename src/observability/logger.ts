// Structured logs (pino): one JSON object a line on stderr, or readable lines
// with LOG_FORMAT=pretty. Callers log ids and hints, never secrets; the redact
// paths below are the second line of defence for headers and secret-named fields.
import pino, { type DestinationStream, type Logger as PinoLogger } from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFormat = "json" | "pretty";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A Logger that also hands out its pino instance, for the access log and Apollo. */
export interface RootLogger extends Logger {
  readonly pino: PinoLogger;
  /**
   * The same level, format and destination without the redaction pass, for
   * the access line alone: its keys are fixed (ids, method, path, status,
   * duration, operation) and none is a redacted path, so redaction never
   * changes it, but walking the wildcard paths cost every request (bench/README.md).
   */
  readonly access: PinoLogger;
}

export interface LoggerOptions {
  format?: LogFormat;
  /** Receives each line without its newline (tests); stderr by default. */
  write?: (line: string) => void;
}

const SECRET_FIELDS = ["secret", "password", "token", "authorization", "cookie"];

/** Where secrets and cookies may sit in a log object; their values are replaced by "[redacted]". */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

export function createLogger(level: LogLevel, output: LoggerOptions | ((line: string) => void) = {}): RootLogger {
  const options: LoggerOptions = typeof output === "function" ? { write: output } : output;
  const base: pino.LoggerOptions = {
    level,
    base: undefined,
    // The key this server's log lines have always used.
    messageKey: "message",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
  };
  const stream = destination(options);
  const root = pino(base, stream);
  const { redact: _redact, ...unredacted } = base;
  return wrap(root, pino(unredacted, stream));
}

function destination(options: LoggerOptions): DestinationStream {
  if (options.write) {
    const write = options.write;
    return { write: (chunk: string) => write(chunk.replace(/\n$/, "")) };
  }
  if (options.format === "pretty") {
    const pretty = loadPretty();
    if (pretty) return pretty({ destination: 2, sync: true, translateTime: "SYS:HH:MM:ss.l", messageKey: "message" });
    process.stderr.write(
      "portcullis: LOG_FORMAT=pretty needs the pino-pretty package (a development dependency), which is not installed; logging JSON\n",
    );
  }
  // Asynchronous writes (buffered by pino, flushed when the process exits): a log line never waits on stderr.
  return pino.destination({ dest: 2, sync: false });
}

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

function loadPretty(): PrettyFactory | null {
  try {
    // Loaded only when asked for: a production install has no development dependencies.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("pino-pretty") as PrettyFactory;
  } catch {
    return null;
  }
}

function wrap(root: PinoLogger, access: PinoLogger): RootLogger {
  const at = (lvl: "debug" | "info" | "warn" | "error") => (message: string, fields?: Record<string, unknown>) => {
    if (fields === undefined) root[lvl](message);
    else root[lvl](fields, message);
  };
  return { pino: root, access, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
