// JSON Schemas (draft-07, what editors' YAML language servers read) for every
// document kind a bundle holds, built from the validators' own definitions: the
// key lists each reader accepts, the name patterns it checks, the levels, the
// duration syntax, the prune kinds. `keyed()` refuses a key list and a schema
// table that disagree, so a key added to a reader without a schema here fails
// the emit and the test (test/unit/domain/document-schemas.test.ts), and the
// committed files (schema/documents/) are compared with what this emits.
//
// The schemas describe shape only; what needs the server's state (known
// types, capabilities, policies and roles) is checked when the bundle is planned.
import { BUNDLE_KEYS, BUNDLE_KINDS, LEVELS, PRUNABLE_KINDS, SSO_MAPPING_KEYS, SSO_MAPPINGS_KEYS } from "../../engine";
import { DURATION } from "../../engine/duration";
import { OBJECT_NAME, POLICY_KEYS, RULE_KEYS, WHEN_KEYS } from "../../engine/policy-document";
import { RESOURCE_TYPE_KEYS, TYPE_NAME } from "../../engine/resource-type-document";
import { MAX_VOTES, OPTION_KEYS, REQUEST_KEYS, REVIEW_KEYS, ROLE_KEYS } from "../../engine/role-document";
import { PROVIDER } from "../sso/sso-grant-recompute";

type Schema = Record<string, unknown>;

/** An object schema whose properties are exactly `keys` (no others allowed), each described in `table`. */
function keyed(
  what: string,
  keys: readonly string[],
  table: Record<string, Schema>,
  required: readonly string[],
  extra: Schema = {},
): Schema {
  const missing = keys.filter((k) => !(k in table));
  const unknown = Object.keys(table).filter((k) => !keys.includes(k));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `${what}: the validator's keys and the schema disagree (no schema for: ${missing.join(", ") || "-"}; not accepted: ${unknown.join(", ") || "-"})`,
    );
  }
  return {
    type: "object",
    additionalProperties: false,
    required: [...required],
    properties: Object.fromEntries(keys.map((k) => [k, table[k]])),
    ...extra,
  };
}

const kind = (name: string): Schema => ({ const: name, description: `Always '${name}'.` });
const pattern = (re: RegExp, description: string): Schema => ({ type: "string", pattern: re.source, description });
const objectName = (what: string) => pattern(OBJECT_NAME, `The ${what}'s name: 1-64 of A-Z a-z 0-9 _ . : -`);
const names = (what: string): Schema => ({
  type: "array",
  uniqueItems: true,
  items: pattern(OBJECT_NAME, `A ${what} name.`),
});
const glob = (description: string): Schema => ({ type: "string", description });
const level: Schema = {
  type: "string",
  enum: [...LEVELS],
  description: "Cumulative: each level includes every level before it.",
};

function resourceTypeSchema(): Schema {
  return keyed(
    "resourceType",
    RESOURCE_TYPE_KEYS,
    {
      kind: kind("resourceType"),
      name: pattern(TYPE_NAME, "The type's name: 1-64 lowercase letters, digits and _."),
      capabilities: {
        type: "object",
        minProperties: 1,
        description: "Each capability with the lowest level that includes it.",
        propertyNames: { pattern: TYPE_NAME.source },
        additionalProperties: level,
      },
    },
    ["kind", "name", "capabilities"],
  );
}

function policySchema(): Schema {
  const when = keyed(
    "policy when",
    WHEN_KEYS,
    {
      mfa: { type: "boolean", description: "Allowed only when the decision's context has MFA." },
      sourceCidrs: {
        type: "array",
        minItems: 1,
        uniqueItems: true,
        items: { type: "string" },
        description: "Allowed only from these networks (IPv4 and IPv6 CIDRs).",
      },
    },
    [],
  );
  const rule = keyed(
    "policy rule",
    RULE_KEYS,
    {
      resource: { type: "string", description: 'A registered resource type, or "*" for every infrastructure type.' },
      namespace: glob('Glob over the /-separated namespace; default "**" (everything).'),
      name: glob('Glob over the resource name; default "*".'),
      labels: {
        type: "object",
        description: "Every key listed must be present with one of the listed values (globs).",
        additionalProperties: {
          anyOf: [{ type: "string" }, { type: "array", minItems: 1, items: { type: "string" } }],
        },
      },
      capabilities: {
        type: "array",
        uniqueItems: true,
        items: { type: "string" },
        description: 'Capabilities, "*" for all; an empty list denies everything.',
      },
      level,
      effect: { type: "string", enum: ["allow", "deny", "ALLOW", "DENY"], description: "Default allow." },
      when: { ...when, description: "Conditions, on allow rules only." },
    },
    ["resource"],
    {
      oneOf: [
        { required: ["capabilities"], not: { required: ["level"] } },
        { required: ["level"], not: { required: ["capabilities"] } },
      ],
    },
  );
  return keyed(
    "policy",
    POLICY_KEYS,
    {
      kind: kind("policy"),
      name: objectName("policy"),
      description: { type: ["string", "null"] },
      rules: { type: "array", items: rule, description: "Numbered from 0 in errors and explanations." },
    },
    ["kind", "name", "rules"],
  );
}

function roleSchema(): Schema {
  const votes: Schema = { type: "integer", minimum: 1, maximum: MAX_VOTES };
  return keyed(
    "role",
    ROLE_KEYS,
    {
      kind: kind("role"),
      name: objectName("role"),
      description: { type: ["string", "null"] },
      policies: names("policy"),
      inherits: names("role"),
      options: keyed(
        "role options",
        OPTION_KEYS,
        {
          maxSessionTtl: {
            type: ["string", "null"],
            pattern: DURATION.source,
            description: "Like 90s, 30m, 8h, 1h30m or 7d.",
          },
          requireSessionMfa: { type: "boolean", description: "Every allow the role contributes needs MFA." },
        },
        [],
      ),
      request: keyed(
        "role request",
        REQUEST_KEYS,
        {
          roles: { ...names("role"), description: "Roles holders may ask for through an access request." },
          approvals: votes,
          denials: votes,
        },
        [],
      ),
      reviewRequests: keyed(
        "role reviewRequests",
        REVIEW_KEYS,
        {
          roles: { ...names("role"), description: "Roles whose access requests holders may review." },
        },
        [],
      ),
      superuser: { type: "boolean", description: "Allows everything; deny rules do not apply." },
    },
    ["kind", "name"],
  );
}

function ssoMappingsSchema(): Schema {
  return keyed(
    "ssoMappings",
    SSO_MAPPINGS_KEYS,
    {
      kind: kind("ssoMappings"),
      provider: pattern(PROVIDER, "The SSO provider whose list this replaces: 1-64 of a-z 0-9 _ -."),
      mappings: {
        type: "array",
        description: "The provider's whole list, in order; an empty list removes every mapping of the provider.",
        items: keyed(
          "ssoMappings mapping",
          SSO_MAPPING_KEYS,
          {
            group: {
              type: "string",
              minLength: 1,
              description: "Group name glob; '*' matches every user of the provider.",
            },
            role: pattern(OBJECT_NAME, "The role given."),
            scope: {
              type: "string",
              description: "Namespace path the role applies within; empty (default) means everywhere.",
            },
          },
          ["group", "role"],
        ),
      },
    },
    ["kind", "provider", "mappings"],
  );
}

function bundleSchema(): Schema {
  return keyed(
    "bundle",
    BUNDLE_KEYS,
    {
      kind: kind("bundle"),
      prune: {
        type: "array",
        uniqueItems: true,
        items: { enum: [...PRUNABLE_KINDS] },
        description: "Kinds whose objects the bundle does not mention are deleted (built-in ones never).",
      },
    },
    ["kind"],
  );
}

const BUILDERS: Record<(typeof BUNDLE_KINDS)[number], () => Schema> = {
  resourceType: resourceTypeSchema,
  policy: policySchema,
  role: roleSchema,
  ssoMappings: ssoMappingsSchema,
  bundle: bundleSchema,
};

/** File name → schema, for every kind and one (`document.schema.json`) for any document of a bundle, chosen by its kind. */
export function documentSchemas(): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const kindName of BUNDLE_KINDS) {
    out[`${kindName}.schema.json`] = {
      $schema: "http://json-schema.org/draft-07/schema#",
      title: `portcullis ${kindName} document`,
      ...BUILDERS[kindName](),
    };
  }
  out["document.schema.json"] = {
    // No $id: the $refs resolve next to this file, wherever the editor reads it from.
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "portcullis bundle document (any kind)",
    type: "object",
    required: ["kind"],
    properties: { kind: { enum: [...BUNDLE_KINDS] } },
    allOf: BUNDLE_KINDS.map((k) => ({
      if: { properties: { kind: { const: k } } },
      then: { $ref: `${k}.schema.json` },
    })),
  };
  return out;
}

/** The files' text: two-space JSON and a final newline. */
export function documentSchemaFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(documentSchemas()).map(([name, schema]) => [name, `${JSON.stringify(schema, null, 2)}\n`]),
  );
}
