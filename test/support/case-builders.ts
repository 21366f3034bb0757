// Terse builders for engine states in unit tests.

import { parsePolicyDocument, type GrantDef, type PolicyDoc, type RuleSpec } from "../../src/engine";
import { DEFAULT_TYPES } from "./case-loader";
import { roleDoc } from "./role-doc";

const TYPE_MAP = new Map(DEFAULT_TYPES.map((t) => [t.name, t]));

/** A policy from the body of its `rules:` list, written as YAML. */
export function policy(name: string, rulesYaml: string): PolicyDoc {
  return parsePolicyDocument(`kind: policy\nname: ${name}\nrules:\n${rulesYaml}`, TYPE_MAP);
}

/** The rules of a YAML `rules:` body. */
export const rules = (rulesYaml: string): RuleSpec[] => policy("target", rulesYaml).rules;

/** A role document with the YAML defaults. */
export const role = roleDoc;

export function grant(id: string, roleName: string, userId: string, extra: Partial<GrantDef> = {}): GrantDef {
  return {
    id,
    role: roleName,
    subject: { type: "USER", userId },
    scope: "",
    active: true,
    startsAt: null,
    expiresAt: null,
    ...extra,
  };
}
