// Logs and metrics: LOG_LEVEL, LOG_FORMAT and METRICS_PORT. (Tracing reads the
// standard OTEL_* variables itself, see observability/tracing.ts.)
import { ConfigError, parsePort, value, type Env } from "./config-values";

export interface ObservabilityConfig {
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** LOG_FORMAT: json (default) or pretty (readable lines, needs the pino-pretty development dependency). */
  logFormat: "json" | "pretty";
  /** METRICS_PORT: serve /metrics on this port only (on HOST), not on PORT; null: /metrics is on PORT. */
  metricsPort: number | null;
}

export function loadObservabilityConfig(env: Env): ObservabilityConfig {
  return {
    logLevel: parseLogLevel(value(env, "LOG_LEVEL")),
    logFormat: parseLogFormat(value(env, "LOG_FORMAT")),
    metricsPort:
      value(env, "METRICS_PORT") === undefined ? null : parsePort(value(env, "METRICS_PORT"), "METRICS_PORT"),
  };
}

function parseLogLevel(raw: string | undefined): ObservabilityConfig["logLevel"] {
  if (raw === undefined) return "info";
  const levels = ["debug", "info", "warn", "error", "silent"] as const;
  const found = levels.find((l) => l === raw);
  if (!found) throw new ConfigError("LOG_LEVEL", `'${raw}' is not one of ${levels.join(", ")}`);
  return found;
}

function parseLogFormat(raw: string | undefined): ObservabilityConfig["logFormat"] {
  if (raw === undefined || raw === "json") return "json";
  if (raw === "pretty") return raw;
  throw new ConfigError("LOG_FORMAT", `'${raw}' is not one of json, pretty`);
}
