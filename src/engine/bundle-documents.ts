// The two document kinds that exist only in bundles: `kind: ssoMappings` (one
// provider's list of group → role mappings) and `kind: bundle` (what the bundle
// prunes). Read like the other documents: every problem reported at its path.

import { didYouMean } from "./did-you-mean";
import { at, DocumentReader } from "./document-reader";
import { readKind } from "./resource-type-document";
import { refuseUnexpected } from "./validation-error";

/** Every kind a bundle may hold. */
export const BUNDLE_KINDS = ["resourceType", "policy", "role", "ssoMappings", "bundle"] as const;
export type BundleKind = (typeof BUNDLE_KINDS)[number];
/** Kinds a bundle may prune. */
export const PRUNABLE_KINDS = ["policy", "role"] as const;
export type PrunableKind = (typeof PRUNABLE_KINDS)[number];

export const SSO_MAPPINGS_KEYS = ["kind", "provider", "mappings"] as const;
export const SSO_MAPPING_KEYS = ["group", "role", "scope"] as const;
export const BUNDLE_KEYS = ["kind", "prune"] as const;

export interface SsoMappingsDoc {
  provider: string;
  mappings: Array<{ group: string; role: string; scope: string }>;
}

/** The `kind` of a parsed document, or an issue at `kind`. */
export function readDocumentKind(value: unknown): { kind: BundleKind } | { problem: string } {
  if (!(value instanceof Map)) return { problem: "expected a mapping (a document with a kind)" };
  const kind: unknown = value.get("kind");
  if (typeof kind !== "string")
    return { problem: "missing required key 'kind' (one of " + BUNDLE_KINDS.join(", ") + ")" };
  if ((BUNDLE_KINDS as readonly string[]).includes(kind)) return { kind: kind as BundleKind };
  return {
    problem: `unknown kind '${kind.slice(0, 40)}' (one of ${BUNDLE_KINDS.join(", ")})${didYouMean(kind, BUNDLE_KINDS)}`,
  };
}

/** Reads a `kind: ssoMappings` document; provider names and globs are checked where mappings are set. */
export function readSsoMappingsDocument(value: unknown): SsoMappingsDoc {
  return refuseUnexpected(() => {
    const r = new DocumentReader();
    const map = r.mapping(value, "", SSO_MAPPINGS_KEYS, "a mapping (an ssoMappings document)");
    const out: SsoMappingsDoc = { provider: "", mappings: [] };
    if (map !== null) {
      readKind(r, map, "ssoMappings", "");
      const provider = r.required(map, "provider", "");
      if (provider !== undefined) out.provider = r.string(provider, "provider") ?? "";
      const list = r.required(map, "mappings", "");
      (list === undefined ? [] : (r.list(list, "mappings") ?? [])).forEach((item, i) => {
        const path = at("mappings", i);
        const entry = r.mapping(item, path, SSO_MAPPING_KEYS, "a mapping (group, role, scope)");
        if (entry === null) return;
        const group = r.required(entry, "group", path);
        const role = r.required(entry, "role", path);
        const scope = entry.has("scope") ? r.string(entry.get("scope"), at(path, "scope")) : "";
        out.mappings.push({
          group: group === undefined ? "" : (r.string(group, at(path, "group")) ?? ""),
          role: role === undefined ? "" : (r.string(role, at(path, "role")) ?? ""),
          scope: scope ?? "",
        });
      });
    }
    r.throwIfAny();
    return out;
  });
}

/** Reads a `kind: bundle` document: the kinds it prunes. */
export function readBundleDocument(value: unknown): { prune: PrunableKind[] } {
  return refuseUnexpected(() => {
    const r = new DocumentReader();
    const map = r.mapping(value, "", BUNDLE_KEYS, "a mapping (a bundle document)");
    const prune: PrunableKind[] = [];
    if (map !== null) {
      readKind(r, map, "bundle", "");
      if (map.has("prune")) {
        for (const item of r.stringList(map.get("prune"), "prune") ?? []) {
          if ((PRUNABLE_KINDS as readonly string[]).includes(item.value)) prune.push(item.value as PrunableKind);
          else
            r.issue(
              item.path,
              `'${item.value.slice(0, 40)}' cannot be pruned (one of ${PRUNABLE_KINDS.join(", ")})${didYouMean(item.value, PRUNABLE_KINDS)}`,
            );
        }
      }
    }
    r.throwIfAny();
    return { prune };
  });
}
