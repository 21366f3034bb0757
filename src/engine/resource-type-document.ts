// `kind: resourceType` documents (docs/documents.md).

import { stringify } from "yaml";
import { didYouMean } from "./did-you-mean";
import { at, DocumentReader } from "./document-reader";
import { LEVELS, type Level, type ResourceTypeDef } from "./types";
import { refuseUnexpected } from "./validation-error";
import { readYaml, readYamlStream } from "./yaml-reader";

/** Type and capability names: lowercase letters, digits and `_`. */
export const TYPE_NAME = /^[a-z0-9_]{1,64}$/;
export const RESOURCE_TYPE_KEYS = ["kind", "name", "capabilities"] as const;

/** Reads a level name, case-insensitively; reports unknown ones with a suggestion. */
export function readLevel(r: DocumentReader, value: unknown, path: string): Level | null {
  const text = r.string(value, path);
  if (text === null) return null;
  const level = LEVELS.find((l) => l === text.toUpperCase());
  if (level === undefined)
    r.issue(
      path,
      `unknown level '${text.slice(0, 40)}' (one of ${LEVELS.join(", ")})${didYouMean(text.toUpperCase(), LEVELS)}`,
    );
  return level ?? null;
}

/** Checks `kind` against the expected one. */
export function readKind(r: DocumentReader, map: Map<string, unknown>, expected: string, path: string): void {
  const kindPath = at(path, "kind");
  const kind = r.required(map, "kind", path);
  if (kind === undefined) return;
  const text = r.string(kind, kindPath);
  if (text !== null && text !== expected) r.issue(kindPath, `expected kind '${expected}', got '${text.slice(0, 40)}'`);
}

function readType(r: DocumentReader, value: unknown, path: string): ResourceTypeDef | null {
  const map = r.mapping(value, path, RESOURCE_TYPE_KEYS, "a mapping (a resourceType document)");
  if (map === null) return null;
  readKind(r, map, "resourceType", path);
  let name: string | null = null;
  const rawName = r.required(map, "name", path);
  if (rawName !== undefined) {
    name = r.string(rawName, at(path, "name"));
    if (name !== null && !TYPE_NAME.test(name)) {
      r.issue(at(path, "name"), `invalid type name '${name.slice(0, 80)}' (1-64 lowercase letters, digits and _)`);
      name = null;
    }
  }
  const capabilities: Record<string, Level> = {};
  const rawCaps = r.required(map, "capabilities", path);
  if (rawCaps !== undefined) {
    const capsPath = at(path, "capabilities");
    const caps = r.openMapping(rawCaps, capsPath);
    if (caps !== null && caps.size === 0) r.issue(capsPath, "a resource type needs at least one capability");
    for (const [cap, level] of caps ?? []) {
      const capPath = at(capsPath, cap);
      if (!TYPE_NAME.test(cap)) {
        r.issue(capPath, `invalid capability name '${cap.slice(0, 80)}' (1-64 lowercase letters, digits and _)`);
        continue;
      }
      const l = readLevel(r, level, capPath);
      if (l !== null) capabilities[cap] = l;
    }
  }
  return name === null ? null : { name, capabilities };
}

/** Parses one resource type document. */
export function parseResourceTypeDocument(text: string): ResourceTypeDef {
  return refuseUnexpected(() => {
    const value = readYaml(text);
    const r = new DocumentReader();
    const def = readType(r, value, "");
    r.throwIfAny();
    return def!;
  });
}

/** Parses a `---` separated stream of resource type documents; paths are prefixed `[i].`. */
export function parseResourceTypeDocuments(text: string): ResourceTypeDef[] {
  return refuseUnexpected(() => {
    const docs = readYamlStream(text);
    const r = new DocumentReader();
    if (docs.length === 0) r.issue("document", "no resource type documents");
    const out: ResourceTypeDef[] = [];
    for (const { index, value } of docs) {
      const def = readType(r, value, `[${index}]`);
      if (def !== null) out.push(def);
    }
    r.throwIfAny();
    return out;
  });
}

/** YAML for a type; parseResourceTypeDocument(formatResourceTypeDocument(d)) deep-equals d. */
export function formatResourceTypeDocument(def: ResourceTypeDef): string {
  return stringify({ kind: "resourceType", name: def.name, capabilities: { ...def.capabilities } });
}
