// A validated SAML profile → the SsoIdentity the login service takes.
import type { Profile } from "@node-saml/passport-saml";
import type { SamlConfig } from "../../config";
import type { SsoIdentity } from "../../domain/sso/sso-login";

const EMAIL_NAME_ID = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/** Why the profile cannot be a user, or the identity. */
export function identityFromProfile(
  profile: Profile,
  classes: string[],
  config: Pick<
    SamlConfig,
    "provider" | "emailAttributes" | "displayNameAttributes" | "groupsAttributes" | "mfaContexts"
  >,
): { identity: SsoIdentity } | { problem: string } {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const nameId = typeof profile.nameID === "string" ? profile.nameID.trim() : "";
  if (nameId === "") return { problem: "the assertion has no NameID" };
  const email =
    firstValue(attributes, config.emailAttributes) ?? (profile.nameIDFormat === EMAIL_NAME_ID ? nameId : null);
  if (email === null)
    return { problem: `the assertion has no email (attributes tried: ${config.emailAttributes.join(", ")})` };
  const groups = config.groupsAttributes.map((name) => values(attributes[name])).find((list) => list.length > 0) ?? [];
  return {
    identity: {
      provider: config.provider,
      source: "SAML",
      externalId: nameId,
      email,
      displayName: firstValue(attributes, config.displayNameAttributes),
      groups: [...new Set(groups)],
      mfa: classes.some((c) => config.mfaContexts.includes(c)),
    },
  };
}

function firstValue(attributes: Record<string, unknown>, names: string[]): string | null {
  for (const name of names) {
    const [value] = values(attributes[name]);
    if (value !== undefined) return value;
  }
  return null;
}

/** The non-empty string values of an attribute, single- or multi-valued. */
function values(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}
