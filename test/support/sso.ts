// SSO helpers for tests: identities as the protocol layers hand them over, and
// roles with session options.
import { randomUUID } from "node:crypto";
import type { SsoIdentity } from "../../src/domain/sso/sso-login";
import { addRole } from "./principals";
import type { TestServer } from "./server";

export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export function anIdentity(patch: Partial<SsoIdentity> = {}): SsoIdentity {
  const id = randomUUID().slice(0, 8);
  return {
    provider: "oidc",
    source: "OIDC",
    externalId: `sub-${id}`,
    email: `sso-${id}@example.com`,
    displayName: `SSO ${id}`,
    groups: [],
    mfa: false,
    ...patch,
  };
}

export const loginRequest = () => ({ sourceIp: "10.0.0.7", requestId: randomUUID() });

/** A role (with its own empty policy) and the options given, e.g. `{ maxSessionTtl: 2h }`. */
export async function addRoleWithOptions(server: TestServer, options: string): Promise<string> {
  const name = unique("role");
  await addRole(
    server,
    `kind: policy\nname: ${name}\nrules: []\n`,
    `kind: role\nname: ${name}\npolicies: [${name}]\noptions: ${options}\n`,
  );
  return name;
}
