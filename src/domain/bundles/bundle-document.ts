// Reads and validates a whole bundle before anything is written. Every document
// is checked against the state the bundle would leave (types it registers,
// policies and roles it defines, what it prunes), and every problem of every
// document is reported at `documents[i].<path>` with its line and column.
// Nothing here writes; the writes re-run the single mutations' checks.
import { createHash } from "node:crypto";
import {
  parsePolicyDocument,
  parseResourceTypeDocument,
  parseRoleDocument,
  readBundleDocument,
  readDocumentKind,
  readDocumentStream,
  readSsoMappingsDocument,
  StreamError,
  ValidationError,
  type BundleKind,
  type PrunableKind,
  type ResourceTypeDef,
  type RoleRefs,
  type StreamDocument,
} from "../../engine";
import { DomainError } from "../errors";
import type { SsoMappingRecord } from "../model";
import { checkProvider } from "../sso/sso-grant-recompute";
import { checkMappings } from "../sso/sso-mapping-service";

export interface BundleItem {
  /** Index of the document in the stream. */
  index: number;
  kind: Exclude<BundleKind, "bundle">;
  /** Policy, role or type name; the provider of an ssoMappings document. */
  name: string;
  /** The document as written. */
  text: string;
  /** Names of bundle-defined roles a role document refers to (inherits, request, reviewRequests): they are written first. */
  roleRefs: string[];
  /** For ssoMappings documents: the checked list. */
  mappings: SsoMappingRecord[];
  locate: StreamDocument["locate"];
}

export interface Bundle {
  items: BundleItem[];
  prune: Set<PrunableKind>;
  /** Hex SHA-256 of the bundle text. */
  sha256: string;
}

/** What the bundle is validated against: the state as it is. */
export interface CurrentState {
  types: ReadonlyMap<string, ResourceTypeDef>;
  /** Policy names, and whether each is built in (never pruned). */
  policies: ReadonlyArray<{ name: string; builtIn: boolean }>;
  roles: ReadonlyArray<{ name: string; builtIn: boolean; inherits: string[] }>;
}

interface Issue {
  path: string;
  message: string;
  line: number;
  column: number;
}

const key = (name: string) => name.toLowerCase();

/** The bundle's issues as one BAD_USER_INPUT: `field` is the first one's path, each issue carries line and column. */
export function refusedBundle(issues: Issue[]): DomainError {
  const lines = issues.map((i) => `${i.path} (line ${i.line}, column ${i.column}): ${i.message}`);
  const heading = issues.length === 1 ? "bundle refused" : `bundle refused (${issues.length} problems)`;
  return new DomainError("BAD_USER_INPUT", `${heading}: ${lines.join("; ")}`, { field: issues[0].path, issues });
}

/** The path of a document's field as reported: `documents[3].rules[1].capabilities[0]`. */
export const documentPath = (index: number, path: string) =>
  path === "document" || path === "" ? `documents[${index}]` : `documents[${index}].${path}`;

function stringList(value: unknown, field: string): string[] {
  if (!(value instanceof Map)) return [];
  const list = field.split(".").reduce<unknown>((v, k) => (v instanceof Map ? v.get(k) : undefined), value);
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
}

export function parseBundle(text: string, current: CurrentState, extraPrune: readonly string[]): Bundle {
  let stream: StreamDocument[];
  try {
    stream = readDocumentStream(text);
  } catch (err) {
    if (!(err instanceof StreamError)) throw err;
    throw refusedBundle(
      err.streamIssues.map((i) => ({
        path: documentPath(i.document, i.path),
        message: i.message,
        line: i.line,
        column: i.column,
      })),
    );
  }
  const issues: Issue[] = [];
  const report = (doc: StreamDocument, path: string, message: string) => {
    const { line, column } = doc.locate(path);
    issues.push({ path: documentPath(doc.index, path), message, line, column });
  };
  const collect = (doc: StreamDocument, parse: () => void) => {
    try {
      parse();
    } catch (err) {
      if (err instanceof ValidationError) for (const i of err.issues) report(doc, i.path, i.message);
      else if (err instanceof DomainError && err.details.field !== undefined)
        report(doc, err.details.field, err.message.replace(/^[^:]*: /, ""));
      else throw err;
    }
  };
  if (stream.length === 0)
    issues.push({ path: "document", message: "the bundle holds no documents", line: 1, column: 1 });

  const prune = new Set<PrunableKind>();
  extraPrune.forEach((kind, i) => {
    if (kind === "policy" || kind === "role") prune.add(kind);
    else
      issues.push({ path: `prune[${i}]`, message: `'${kind}' cannot be pruned (policy or role)`, line: 1, column: 1 });
  });
  const byKind = new Map<BundleKind, StreamDocument[]>();
  let header: StreamDocument | null = null;
  for (const doc of stream) {
    const read = readDocumentKind(doc.value);
    if ("problem" in read) {
      report(doc, doc.value instanceof Map && doc.value.has("kind") ? "kind" : "document", read.problem);
      continue;
    }
    if (read.kind === "bundle") {
      if (header !== null)
        report(doc, "kind", `only one 'kind: bundle' document per bundle (the first is documents[${header.index}])`);
      header = doc;
      collect(doc, () => readBundleDocument(doc.value).prune.forEach((k) => prune.add(k)));
      continue;
    }
    byKind.set(read.kind, [...(byKind.get(read.kind) ?? []), doc]);
  }

  const items: BundleItem[] = [];
  const seen = new Map<string, StreamDocument>();
  const add = (doc: StreamDocument, kind: BundleItem["kind"], name: string, extra: Partial<BundleItem> = {}) => {
    const id = `${kind}\u0000${key(name)}`;
    const first = seen.get(id);
    if (first !== undefined)
      return report(
        doc,
        kind === "ssoMappings" ? "provider" : "name",
        `${kind} '${name}' is already defined by documents[${first.index}]`,
      );
    seen.set(id, doc);
    items.push({
      index: doc.index,
      kind,
      name,
      text: doc.text,
      roleRefs: [],
      mappings: [],
      locate: (path) => doc.locate(path),
      ...extra,
    });
  };

  // Types first: policies are validated against the registry the bundle leaves.
  const types = new Map(current.types);
  for (const doc of byKind.get("resourceType") ?? []) {
    collect(doc, () => {
      const def = parseResourceTypeDocument(doc.text);
      types.set(def.name, {
        name: def.name,
        capabilities: { ...types.get(def.name)?.capabilities, ...def.capabilities },
      });
      add(doc, "resourceType", def.name);
    });
  }
  const rawName = (doc: StreamDocument) =>
    doc.value instanceof Map && typeof doc.value.get("name") === "string" ? (doc.value.get("name") as string) : null;
  const bundlePolicies = new Set(
    (byKind.get("policy") ?? [])
      .map(rawName)
      .filter((n): n is string => n !== null)
      .map(key),
  );
  const bundleRoles = new Map(
    (byKind.get("role") ?? []).flatMap((doc) => {
      const name = rawName(doc);
      return name === null ? [] : [[key(name), stringList(doc.value, "inherits")] as const];
    }),
  );
  const kept = <T extends { name: string; builtIn: boolean }>(
    kind: PrunableKind,
    list: readonly T[],
    defined: { has(k: string): boolean },
  ) => list.filter((o) => !prune.has(kind) || o.builtIn || defined.has(key(o.name)));
  const policies = new Set([
    ...kept("policy", current.policies, bundlePolicies).map((p) => key(p.name)),
    ...bundlePolicies,
  ]);
  const roles = new Map<string, readonly string[]>(
    kept("role", current.roles, bundleRoles).map((r) => [key(r.name), r.inherits]),
  );
  for (const [name, inherits] of bundleRoles) roles.set(name, inherits);
  const names = (set: Iterable<string>) => () => [...set].sort();
  const refs: RoleRefs = {
    policyExists: (n) => policies.has(key(n)),
    roleInherits: (n) => roles.get(key(n)),
    policyNames: names(policies),
    roleNames: names(roles.keys()),
  };

  for (const doc of byKind.get("policy") ?? [])
    collect(doc, () => add(doc, "policy", parsePolicyDocument(doc.text, types).name));
  for (const doc of byKind.get("role") ?? []) {
    collect(doc, () => {
      const role = parseRoleDocument(doc.text, refs);
      const refers = [...role.inherits, ...role.request.roles, ...role.reviewRequests.roles].filter(
        (n) => bundleRoles.has(key(n)) && key(n) !== key(role.name),
      );
      add(doc, "role", role.name, { roleRefs: refers });
    });
  }
  for (const doc of byKind.get("ssoMappings") ?? []) {
    collect(doc, () => {
      const read = readSsoMappingsDocument(doc.value);
      checkProvider(read.provider, "provider");
      const checked = checkMappings(
        read.mappings.map((m) => ({ ...m, provider: read.provider })),
        read.provider,
      );
      checked.forEach((m, i) => {
        if (!roles.has(key(m.role))) report(doc, `mappings[${i}].role`, `unknown role '${m.role}'`);
      });
      add(doc, "ssoMappings", read.provider, { mappings: checked });
    });
  }
  if (issues.length > 0) throw refusedBundle(issues);
  return { items, prune, sha256: createHash("sha256").update(text).digest("hex") };
}
