// `kind: policy` documents (docs/documents.md): parse with every problem reported at
// its path, and format back to YAML that parses to the same PolicyDoc.

import { Document } from "yaml";
import { cidrProblem } from "./cidr-matcher";
import { didYouMean } from "./did-you-mean";
import { at, DocumentReader } from "./document-reader";
import { globProblem, namespaceGlobProblem } from "./glob-matcher";
import { readKind, readLevel, TYPE_NAME } from "./resource-type-document";
import {
  SYSTEM_TYPES,
  type Effect,
  type LabelSelector,
  type PolicyDoc,
  type ResourceTypeDef,
  type RuleSpec,
} from "./types";
import { refuseUnexpected } from "./validation-error";
import { readYaml } from "./yaml-reader";

/** Policy and role names. */
export const OBJECT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
export const POLICY_KEYS = ["kind", "name", "description", "rules"] as const;
export const RULE_KEYS = [
  "resource",
  "namespace",
  "name",
  "labels",
  "capabilities",
  "level",
  "effect",
  "when",
] as const;
export const WHEN_KEYS = ["mfa", "sourceCidrs"] as const;
const SYSTEM: ReadonlySet<string> = new Set(SYSTEM_TYPES);

/** Reads a required policy/role name. */
export function readObjectName(r: DocumentReader, map: Map<string, unknown>, path: string): string | null {
  const raw = r.required(map, "name", path);
  if (raw === undefined) return null;
  const namePath = at(path, "name");
  const name = r.string(raw, namePath);
  if (name === null) return null;
  if (name === "") r.issue(namePath, "must not be empty");
  else if (!OBJECT_NAME.test(name))
    r.issue(namePath, `invalid name '${name.slice(0, 80)}' (1-64 characters from A-Z a-z 0-9 _ . : -)`);
  else return name;
  return null;
}

/** Reads an optional description (a string, or null). */
export function readDescription(r: DocumentReader, map: Map<string, unknown>, path: string): string | null {
  const raw = map.get("description");
  if (raw === undefined || raw === null) return null;
  return r.string(raw, at(path, "description"));
}

function readGlob(r: DocumentReader, value: unknown, path: string, problemOf = globProblem): string | null {
  const glob = r.string(value, path);
  if (glob === null) return null;
  const problem = problemOf(glob);
  if (problem !== null) r.issue(path, `invalid glob '${glob.slice(0, 80)}': ${problem}`);
  return problem === null ? glob : null;
}

function readLabels(r: DocumentReader, value: unknown, path: string): LabelSelector[] {
  const map = r.openMapping(value, path);
  const out: LabelSelector[] = [];
  for (const [key, raw] of map ?? []) {
    const keyPath = at(path, key);
    if (key === "" || key.length > 253 || /\p{Cc}/u.test(key)) {
      r.issue(keyPath, "label keys must be 1-253 characters without control characters");
      continue;
    }
    const listed = Array.isArray(raw);
    const items = listed ? (raw as unknown[]) : [raw];
    if (items.length === 0) r.issue(keyPath, "list at least one value");
    const values: string[] = [];
    items.forEach((item, i) => {
      const glob = readGlob(r, item, listed ? at(keyPath, i) : keyPath);
      if (glob !== null) values.push(glob);
    });
    if (key === "*" && values.some((v) => v !== "*")) {
      r.issue(keyPath, `the key '*' only takes the value '*' (matching any resource, labelled or not)`);
      continue;
    }
    if (values.length === items.length && values.length > 0) out.push({ key, values });
  }
  return out;
}

function readWhen(r: DocumentReader, value: unknown, path: string): { requireMfa: boolean; sourceCidrs: string[] } {
  const map = r.mapping(value, path, WHEN_KEYS);
  const out = { requireMfa: false, sourceCidrs: [] as string[] };
  if (map === null) return out;
  if (map.has("mfa")) out.requireMfa = r.boolean(map.get("mfa"), at(path, "mfa")) ?? false;
  if (map.has("sourceCidrs")) {
    const cidrsPath = at(path, "sourceCidrs");
    const items = r.stringList(map.get("sourceCidrs"), cidrsPath);
    if (items !== null && items.length === 0 && Array.isArray(map.get("sourceCidrs"))) {
      r.issue(cidrsPath, "list at least one network, or leave sourceCidrs out");
    }
    for (const item of items ?? []) {
      const problem = cidrProblem(item.value);
      if (problem === null) out.sourceCidrs.push(item.value);
      else r.issue(item.path, problem);
    }
  }
  return out;
}

function readResource(
  r: DocumentReader,
  map: Map<string, unknown>,
  path: string,
  types: ReadonlyMap<string, ResourceTypeDef>,
): string | null {
  const raw = r.required(map, "resource", path);
  if (raw === undefined) return null;
  const p = at(path, "resource");
  const resource = r.string(raw, p);
  if (resource === null) return null;
  if (resource === "*" || types.has(resource)) return resource;
  const form = TYPE_NAME.test(resource) ? "" : " (type names are lowercase letters, digits and _)";
  r.issue(p, `unknown resource type '${resource.slice(0, 80)}'${form}${didYouMean(resource, types.keys())}`);
  return null;
}

/** Capabilities a rule about `resource` may name. */
function knownCapabilities(resource: string, types: ReadonlyMap<string, ResourceTypeDef>): Set<string> {
  const defs =
    resource === "*" ? [...types.entries()].filter(([n]) => !SYSTEM.has(n)).map(([, d]) => d) : [types.get(resource)!];
  return new Set(defs.flatMap((d) => Object.keys(d.capabilities)));
}

function readRule(
  r: DocumentReader,
  value: unknown,
  path: string,
  types: ReadonlyMap<string, ResourceTypeDef>,
): RuleSpec | null {
  const map = r.mapping(value, path, RULE_KEYS, "a mapping (a rule)");
  if (map === null) return null;
  const before = r.issues.length;
  const resource = readResource(r, map, path, types);
  const namespace = map.has("namespace")
    ? readGlob(r, map.get("namespace"), at(path, "namespace"), namespaceGlobProblem)
    : "**";
  const name = map.has("name") ? readGlob(r, map.get("name"), at(path, "name")) : "*";
  const labels = map.has("labels") ? readLabels(r, map.get("labels"), at(path, "labels")) : [];

  let effect: Effect = "ALLOW";
  let effectWritten = false;
  if (map.has("effect")) {
    const text = r.string(map.get("effect"), at(path, "effect"));
    if (text !== null && (text.toLowerCase() === "allow" || text.toLowerCase() === "deny")) {
      effect = text.toUpperCase() as Effect;
      effectWritten = true;
    } else if (text !== null) {
      r.issue(
        at(path, "effect"),
        `unknown effect '${text.slice(0, 40)}' (allow or deny)${didYouMean(text.toLowerCase(), ["allow", "deny"])}`,
      );
    }
  }

  let capabilities: string[] | null = null;
  let level: RuleSpec["level"] = null;
  const hasCaps = map.has("capabilities");
  const hasLevel = map.has("level");
  if (hasCaps && hasLevel) r.issue(at(path, "level"), "a rule has capabilities or level, never both");
  if (!hasCaps && !hasLevel)
    r.issue(
      at(path, "capabilities"),
      "missing required key 'capabilities' (or 'level'): a rule needs capabilities or level",
    );
  if (hasLevel) level = readLevel(r, map.get("level"), at(path, "level"));
  if (hasCaps) {
    const capsPath = at(path, "capabilities");
    const items = r.stringList(map.get("capabilities"), capsPath);
    if (items !== null && items.length === 0 && Array.isArray(map.get("capabilities"))) {
      // `capabilities: []` is the explicit "deny everything" form.
      if (effectWritten && effect === "ALLOW")
        r.issue(capsPath, "an empty list denies every capability; it cannot have effect: allow");
      effect = "DENY";
      capabilities = ["*"];
    } else if (items !== null) {
      const known = resource === null ? null : knownCapabilities(resource, types);
      capabilities = [];
      for (const item of items) {
        if (item.value === "*" || known === null || known.has(item.value)) capabilities.push(item.value);
        else
          r.issue(
            item.path,
            `unknown capability '${item.value.slice(0, 80)}' for ${resource}${didYouMean(item.value, known)}`,
          );
      }
    }
  }

  let when = { requireMfa: false, sourceCidrs: [] as string[] };
  if (map.has("when")) {
    if (effect === "DENY") r.issue(at(path, "when"), "'when' is only allowed on allow rules");
    else when = readWhen(r, map.get("when"), at(path, "when"));
  }
  if (r.issues.length > before || resource === null || namespace === null || name === null) return null;
  return {
    effect,
    resourceType: resource,
    namespace,
    name,
    labels,
    capabilities: hasLevel ? null : capabilities,
    level,
    ...when,
  };
}

function readPolicy(r: DocumentReader, value: unknown, types: ReadonlyMap<string, ResourceTypeDef>): PolicyDoc | null {
  const map = r.mapping(value, "", POLICY_KEYS, "a mapping (a policy document)");
  if (map === null) return null;
  readKind(r, map, "policy", "");
  const name = readObjectName(r, map, "");
  const description = readDescription(r, map, "");
  const rules: RuleSpec[] = [];
  const rawRules = r.required(map, "rules", "");
  if (rawRules !== undefined) {
    (r.list(rawRules, "rules") ?? []).forEach((raw, i) => {
      const rule = readRule(r, raw, at("rules", i), types);
      if (rule !== null) rules.push(rule);
    });
  }
  return name === null ? null : { name, description, rules };
}

/** Parses and validates a policy document against the registered types; throws ValidationError listing every problem. */
export function parsePolicyDocument(text: string, types: ReadonlyMap<string, ResourceTypeDef>): PolicyDoc {
  return refuseUnexpected(() => {
    const value = readYaml(text);
    const r = new DocumentReader();
    const doc = readPolicy(r, value, types);
    r.throwIfAny();
    return doc!;
  });
}

function ruleToYaml(rule: RuleSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { resource: rule.resourceType };
  if (rule.namespace !== "**") out.namespace = rule.namespace;
  if (rule.name !== "*") out.name = rule.name;
  if (rule.labels.length > 0) out.labels = Object.fromEntries(rule.labels.map((l) => [l.key, [...l.values]]));
  if (rule.level !== null) out.level = rule.level;
  else out.capabilities = [...(rule.capabilities ?? [])];
  if (rule.effect === "DENY") out.effect = "deny";
  if (rule.effect === "ALLOW" && (rule.requireMfa || rule.sourceCidrs.length > 0)) {
    const when: Record<string, unknown> = {};
    if (rule.requireMfa) when.mfa = true;
    if (rule.sourceCidrs.length > 0) when.sourceCidrs = [...rule.sourceCidrs];
    out.when = when;
  }
  return out;
}

/** YAML in the house layout: short lists and `labels`/`when` in flow style. */
export function toYaml(value: Record<string, unknown>): string {
  const doc = new Document(value);
  const flowKeys = new Set(["labels", "when", "options", "request", "reviewRequests"]);
  const visit = (node: unknown, key: string | null): void => {
    if (node === null || typeof node !== "object") return;
    const n = node as { items?: unknown[]; flow?: boolean; key?: { value?: unknown }; value?: unknown };
    if (Array.isArray(n.items)) {
      const scalars = n.items.every((i) => i !== null && typeof i === "object" && !("items" in i) && !("key" in i));
      if ((scalars && key !== null) || (key !== null && flowKeys.has(key))) n.flow = true;
      for (const item of n.items) visit(item, key);
    } else if ("key" in n && n.key !== undefined) {
      visit(n.value, typeof n.key?.value === "string" ? n.key.value : null);
    }
  };
  visit(doc.contents, null);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** YAML for a policy; parsePolicyDocument(formatPolicyDocument(d), types) deep-equals d. */
export function formatPolicyDocument(doc: PolicyDoc): string {
  const out: Record<string, unknown> = { kind: "policy", name: doc.name };
  if (doc.description !== null) out.description = doc.description;
  out.rules = doc.rules.map(ruleToYaml);
  return toYaml(out);
}
