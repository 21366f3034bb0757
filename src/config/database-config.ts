// Where the data lives (DATABASE_URL): an embedded SQLite file or a MySQL/MariaDB server.
import { ConfigError, value, type Env } from "./config-values";

export type DatabaseConfig =
  | { kind: "sqlite"; path: string; url: string }
  /** flavour: which typeorm driver dialect to use; detected from the server when not given by the URL scheme. */
  | { kind: "mysql"; url: string; flavour?: "mysql" | "mariadb" };

export const DEFAULT_DATABASE_URL = "sqlite:data/portcullis.sqlite";

export function loadDatabaseConfig(env: Env): DatabaseConfig {
  return parseDatabaseUrl(value(env, "DATABASE_URL") ?? DEFAULT_DATABASE_URL);
}

export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "")
      throw new ConfigError(
        "DATABASE_URL",
        `'${url}' has no file path (use sqlite:PATH, e.g. ${DEFAULT_DATABASE_URL})`,
      );
    return { kind: "sqlite", path, url };
  }
  if (url.startsWith("mysql://") || url.startsWith("mariadb://")) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError("DATABASE_URL", "is not a valid mysql:// URL");
    }
    if (parsed.hostname === "") throw new ConfigError("DATABASE_URL", "mysql URL has no host");
    if (parsed.pathname.replace(/^\//, "") === "")
      throw new ConfigError("DATABASE_URL", "mysql URL names no database (mysql://user@host:3306/DATABASE)");
    const flavour = url.startsWith("mariadb:") ? "mariadb" : undefined;
    return { kind: "mysql", url: url.replace(/^mariadb:/, "mysql:"), ...(flavour ? { flavour } : {}) };
  }
  // The value may hold a password: name the scheme only.
  const scheme = url.includes(":") ? url.slice(0, url.indexOf(":")) : url.slice(0, 16);
  throw new ConfigError("DATABASE_URL", `unsupported scheme '${scheme}' (expected mysql://… or sqlite:PATH)`);
}
