// Login strategies a deployment adds without changing portcullis: modules named
// in PORTCULLIS_LOGIN_STRATEGIES (or passed to createApp), each exporting a
// function that returns `{ name, strategy }` — any passport strategy whose
// verify callback hands over an SsoIdentity. Each is served at /auth/<name>
// (passport-login.routes.ts). Loaded at start-up; a module that is missing or
// exports something else stops the start with an error naming it.
import { resolve } from "node:path";
import { ConfigError } from "../../config/config-values";

export interface LoginStrategy {
  /** The path segment (/auth/<name>) and the strategy name in audit events: a-z, 0-9 and '-'. */
  name: string;
  strategy: { authenticate: (...args: never[]) => unknown };
}

/** Names portcullis uses itself. */
const RESERVED = new Set(["saml", "oidc", "ldap", "bearer", "session-cookie", "logout"]);

export function checkLoginStrategy(candidate: unknown, origin: string): LoginStrategy {
  const { name, strategy } = (candidate ?? {}) as Partial<LoginStrategy>;
  if (typeof name !== "string" || !/^[a-z0-9][a-z0-9-]{0,31}$/.test(name))
    throw new ConfigError(
      "PORTCULLIS_LOGIN_STRATEGIES",
      `${origin}: name '${String(name).slice(0, 40)}' is not 1 to 32 of a-z, 0-9 and '-'`,
    );
  if (RESERVED.has(name))
    throw new ConfigError("PORTCULLIS_LOGIN_STRATEGIES", `${origin}: name '${name}' is portcullis's own`);
  if (typeof strategy?.authenticate !== "function")
    throw new ConfigError("PORTCULLIS_LOGIN_STRATEGIES", `${origin}: 'strategy' is not a passport strategy`);
  return { name, strategy };
}

/** Loads the modules listed (comma-separated paths, relative to the working directory). */
export function loadLoginStrategies(list: string | undefined): LoginStrategy[] {
  if (list === undefined || list.trim() === "") return [];
  const loaded = list
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((path) => {
      let exported: unknown;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deployment's module, named at run time
        exported = require(resolve(path));
      } catch (err) {
        throw new ConfigError("PORTCULLIS_LOGIN_STRATEGIES", `cannot load '${path}': ${(err as Error).message}`);
      }
      const factory = (exported as { default?: unknown }).default ?? exported;
      if (typeof factory !== "function")
        throw new ConfigError("PORTCULLIS_LOGIN_STRATEGIES", `'${path}' does not export a function`);
      return checkLoginStrategy((factory as () => unknown)(), `'${path}'`);
    });
  const names = loaded.map((l) => l.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ConfigError("PORTCULLIS_LOGIN_STRATEGIES", `two strategies are named '${twice}'`);
  return loaded;
}
