// Problems in a YAML document, each at its place in the text: YAML syntax,
// the JSON Schemas of the document kinds (the ones the build writes to
// schema/documents), and the server's own refusal (`extensions.issues`, paths
// such as `rules[2].capabilities[0]`), mapped back to the line they name.
import { Validator, type Schema } from "@cfworker/json-schema";
import { isNode, parseAllDocuments, type Document } from "yaml";
import type { Issue } from "./components/error-note";
import bundle from "../../schema/documents/bundle.schema.json";
import policy from "../../schema/documents/policy.schema.json";
import resourceType from "../../schema/documents/resourceType.schema.json";
import role from "../../schema/documents/role.schema.json";
import ssoMappings from "../../schema/documents/ssoMappings.schema.json";

export interface Problem {
  from: number;
  to: number;
  message: string;
}

const SCHEMAS: Record<string, Schema> = {
  bundle: bundle as Schema,
  policy: policy as Schema,
  resourceType: resourceType as Schema,
  role: role as Schema,
  ssoMappings: ssoMappings as Schema,
};
const validators = new Map<string, Validator>();
const validatorFor = (kind: string) => {
  const schema = SCHEMAS[kind];
  if (!schema) return null;
  if (!validators.has(kind)) validators.set(kind, new Validator(schema, "7", false));
  return validators.get(kind)!;
};

/** Keywords that only say "something below failed": the failure below is the one worth showing. */
const WRAPPERS = new Set([
  "properties",
  "items",
  "allOf",
  "anyOf",
  "oneOf",
  "if",
  "then",
  "else",
  "$ref",
  "additionalItems",
]);

/** The text range of the node at `path` (the closest existing parent when it is missing). */
function rangeOf(doc: Document, path: Array<string | number>, fallback: number): [number, number] {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return [node.range[0], Math.max(node.range[1], node.range[0] + 1)];
  }
  return [fallback, fallback + 1];
}

export function lintDocuments(text: string): Problem[] {
  const problems: Problem[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (!("errors" in doc)) continue;
    for (const e of doc.errors)
      problems.push({ from: e.pos[0], to: Math.max(e.pos[1], e.pos[0] + 1), message: e.message.split("\n")[0] });
    if (doc.errors.length > 0 || doc.contents === null) continue;
    const value: unknown = doc.toJS();
    const kind = typeof value === "object" && value !== null ? (value as { kind?: unknown }).kind : undefined;
    const start = doc.range[0];
    if (typeof kind !== "string") {
      problems.push({
        from: start,
        to: start + 1,
        message: "kind: required (policy, role, resourceType, ssoMappings or bundle)",
      });
      continue;
    }
    const validator = validatorFor(kind);
    if (!validator) {
      problems.push({ ...span(rangeOf(doc, ["kind"], start)), message: `kind: '${kind}' is not a document kind` });
      continue;
    }
    const seen = new Set<string>();
    for (const e of validator.validate(value).errors) {
      if (WRAPPERS.has(e.keyword)) continue;
      const path = e.instanceLocation
        .replace(/^#\/?/, "")
        .split("/")
        .filter((s) => s !== "")
        .map((s) => (/^\d+$/.test(s) ? Number(s) : decodeURIComponent(s.replace(/~1/g, "/").replace(/~0/g, "~"))));
      const key = `${e.instanceLocation} ${e.error}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push({ ...span(rangeOf(doc, path, start)), message: `${path.join(".") || "document"}: ${e.error}` });
    }
  }
  return problems;
}

const span = ([from, to]: [number, number]) => ({ from, to });

/**
 * The server's problems placed in the text: at the line and column it gives,
 * else at the path it names (`rules[2].capabilities[0]`, in the first document).
 */
export function placeServerIssues(text: string, issues: Issue[]): Problem[] {
  const docs = parseAllDocuments(text);
  const doc = docs[0];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  return issues.map((issue) => {
    const message = issue.path ? `${issue.path.replace(/^documents\[0\]\./, "")}: ${issue.message}` : issue.message;
    if (issue.line !== undefined && issue.line >= 1 && issue.line <= lineStarts.length) {
      const from = lineStarts[issue.line - 1] + Math.max(0, (issue.column ?? 1) - 1);
      return { from, to: from + 1, message };
    }
    const m = /^(?:documents\[\d+\]\.)?([\w.[\]-]+)$/.exec(issue.path ?? "");
    if (!doc || !("errors" in doc) || !m) return { from: 0, to: 1, message };
    const path = m[1]
      .replace(/\[(\d+)\]/g, ".$1")
      .split(".")
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    return { ...span(rangeOf(doc, path, 0)), message };
  });
}
