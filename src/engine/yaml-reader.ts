// Turns document text into plain values, refusing what a YAML parser would
// otherwise accept quietly: oversized input, duplicate keys, alias bombs, unknown
// tags. Mappings come back as Map so that non-string keys can be refused later.

import { LineCounter, parseAllDocuments, parseDocument, type Document } from "yaml";
import type { ValidationIssue } from "./types";
import { ValidationError } from "./validation-error";

export const MAX_DOCUMENT_BYTES = 64 * 1024;
const MAX_ALIASES = 64;
/** Syntax errors cascade; the first few say what is wrong. */
const MAX_SYNTAX_ISSUES = 5;

const PARSE_OPTIONS = { uniqueKeys: true, prettyErrors: false, strict: true, version: "1.2", schema: "core" } as const;

function checkText(text: unknown): string {
  if (typeof text !== "string") {
    throw new ValidationError([
      { path: "document", message: `expected YAML text, got ${text === null ? "null" : typeof text}` },
    ]);
  }
  if (Buffer.byteLength(text, "utf8") > MAX_DOCUMENT_BYTES) {
    throw new ValidationError([
      { path: "document", message: `document is larger than ${MAX_DOCUMENT_BYTES / 1024} KB` },
    ]);
  }
  return text;
}

function documentIssues(doc: Document, lines: LineCounter, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const { line, col } = lines.linePos(problem.pos[0]);
    const message = `line ${line}, column ${col}: ${problem.message.split("\n")[0]}`;
    if (seen.has(message)) continue;
    seen.add(message);
    issues.push({ path, message });
    if (issues.length >= MAX_SYNTAX_ISSUES) break;
  }
  return issues;
}

function toValue(doc: Document, path: string): unknown {
  try {
    return doc.toJS({ mapAsMap: true, maxAliasCount: MAX_ALIASES });
  } catch (err) {
    const aliases = err instanceof ReferenceError && /alias/i.test(err.message);
    const message = aliases
      ? "too many aliases (refused as a resource-exhaustion attempt)"
      : `could not be read: ${String(err)}`;
    throw new ValidationError([{ path, message }]);
  }
}

/** Parses one YAML document; throws ValidationError at path `document` for anything malformed. */
export function readYaml(text: unknown): unknown {
  const source = checkText(text);
  const lines = new LineCounter();
  const doc = parseDocument(source, { ...PARSE_OPTIONS, lineCounter: lines });
  const issues = documentIssues(doc, lines, "document");
  if (issues.length > 0) throw new ValidationError(issues);
  return toValue(doc, "document");
}

/** Parses a `---` separated stream; entirely empty documents are skipped. Paths are `[i].document`. */
export function readYamlStream(text: unknown): Array<{ index: number; value: unknown }> {
  const source = checkText(text);
  const lines = new LineCounter();
  const parsed = parseAllDocuments(source, { ...PARSE_OPTIONS, lineCounter: lines });
  const docs: Document[] = Array.isArray(parsed) ? parsed : [parsed];
  const issues: ValidationIssue[] = [];
  const out: Array<{ index: number; value: unknown }> = [];
  docs.forEach((doc, index) => {
    const problems = documentIssues(doc, lines, `[${index}].document`);
    if (problems.length > 0) {
      issues.push(...problems);
      return;
    }
    if (doc.contents === null) return;
    try {
      out.push({ index, value: toValue(doc, `[${index}].document`) });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues);
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return out;
}
