// The primitives every block of the configuration is read with: the error that
// names the variable, and how a variable's value is taken from the environment.

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

export type Env = Record<string, string | undefined>;

/** A variable's value, trimmed; undefined when unset or blank. */
export function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** A provider name as SSO mappings store it (the same rule the mapping service applies). */
export function parseProviderName(variable: string, raw: string): string {
  if (!/^[a-z0-9_-]{1,64}$/.test(raw))
    throw new ConfigError(
      variable,
      `'${raw.slice(0, 80)}' is not a provider name: use 1 to 64 of a-z, 0-9, '_' and '-' (e.g. saml, oidc)`,
    );
  return raw;
}

/** A TCP port (0-65535); 4000 when unset. */
export function parsePort(raw: string | undefined, variable = "PORT"): number {
  if (raw === undefined) return 4000;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535)
    throw new ConfigError(variable, `'${raw}' is not a port number (0-65535)`);
  return Number(raw);
}
