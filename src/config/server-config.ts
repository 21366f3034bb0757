// How the server listens and where it stands: address, port, environment, the
// proxies in front of it and the Redis that links several instances.
import { parseCidr } from "../engine/cidr-matcher";
import { ConfigError, parsePort, value, type Env } from "./config-values";

export interface ServerConfig {
  port: number;
  host: string;
  redisUrl: string | null;
  nodeEnv: "development" | "production" | "test";
  /** Addresses whose X-Forwarded-For header is believed. */
  trustedProxies: string[];
}

export function loadServerConfig(env: Env): ServerConfig {
  return {
    port: parsePort(value(env, "PORT")),
    host: value(env, "HOST") ?? "0.0.0.0",
    redisUrl: parseRedisUrl(value(env, "REDIS_URL")),
    nodeEnv: parseNodeEnv(value(env, "NODE_ENV")),
    trustedProxies: parseTrustedProxies(value(env, "TRUSTED_PROXIES")),
  };
}

function parseRedisUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!/^rediss?:\/\//.test(raw)) throw new ConfigError("REDIS_URL", "must start with redis:// or rediss://");
  try {
    new URL(raw);
  } catch {
    throw new ConfigError("REDIS_URL", "is not a valid URL");
  }
  return raw;
}

function parseNodeEnv(raw: string | undefined): ServerConfig["nodeEnv"] {
  if (raw === undefined) return "development";
  if (raw === "development" || raw === "production" || raw === "test") return raw;
  throw new ConfigError("NODE_ENV", `'${raw}' is not one of development, production, test`);
}

/** Networks in the engine's notation: what it refuses here it would never match. */
function parseTrustedProxies(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const entries = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const entry of entries) {
    if (parseCidr(entry) === null) {
      throw new ConfigError(
        "TRUSTED_PROXIES",
        `'${entry}' is not an IP address or network in CIDR notation (e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7; no leading zeros)`,
      );
    }
  }
  return entries;
}
