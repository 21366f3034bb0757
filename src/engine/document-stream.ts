// A `---` separated stream of documents (a bundle), each kept with its own text
// and a way back from an issue's path (`rules[1].capabilities[0]`) to the line
// and column where it is written in the stream, so that errors point into the
// file the user edits.

import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import type { ValidationIssue } from "./types";
import { ValidationError } from "./validation-error";

export const MAX_STREAM_BYTES = 1024 * 1024;
const MAX_ALIASES = 64;
const PARSE_OPTIONS = { uniqueKeys: true, prettyErrors: false, strict: true, version: "1.2", schema: "core" } as const;

export interface Position {
  line: number;
  column: number;
}

/** A problem in one document of a stream: its path inside the document, and where that is in the stream. */
export interface StreamIssue extends ValidationIssue {
  /** Index of the document in the stream, from 0. */
  document: number;
  line: number;
  column: number;
}

export interface StreamDocument {
  /** Position in the stream, from 0, counting empty documents too. */
  index: number;
  /** The document's own text, as written (without the `---` that opens it). */
  text: string;
  /** Plain value, mappings as Map (as the document parsers read them). */
  value: unknown;
  /** Where the field at `path` (a parser's issue path) is written; the document's start when not found. */
  locate(path: string): Position;
}

/** `rules[1].capabilities[0]` → ["rules", 1, "capabilities", 0]; `labels["a b"]` → ["labels", "a b"]. */
export function pathSegments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

function deepestNode(doc: Document, segments: Array<string | number>): Node | null {
  let node: unknown = doc.contents;
  let found: Node | null = (node as Node | null) ?? null;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (pair === undefined) break;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
    } else {
      break;
    }
    if (node === undefined || node === null) break;
    found = node as Node;
  }
  return found;
}

function issuesOf(doc: Document, index: number, lines: LineCounter): StreamIssue[] {
  const out: StreamIssue[] = [];
  for (const problem of [...doc.errors, ...doc.warnings].slice(0, 5)) {
    const { line, col } = lines.linePos(problem.pos[0]);
    out.push({
      path: "document",
      message: `line ${line}, column ${col}: ${problem.message.split("\n")[0]}`,
      document: index,
      line,
      column: col,
    });
  }
  return out;
}

/** Splits and reads a stream; throws StreamError listing every syntax problem (with positions) when any document is malformed. */
export function readDocumentStream(text: unknown): StreamDocument[] {
  if (typeof text !== "string")
    throw new StreamError([{ path: "document", message: "expected YAML text", document: 0, line: 1, column: 1 }]);
  if (Buffer.byteLength(text, "utf8") > MAX_STREAM_BYTES) {
    throw new StreamError([
      { path: "document", message: `larger than ${MAX_STREAM_BYTES / 1024} KB`, document: 0, line: 1, column: 1 },
    ]);
  }
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const docs: Document[] = Array.isArray(parsed) ? parsed : [parsed];
  const issues: StreamIssue[] = [];
  const out: StreamDocument[] = [];
  docs.forEach((doc, index) => {
    const problems = issuesOf(doc, index, lines);
    if (problems.length > 0) return void issues.push(...problems);
    if (doc.contents === null) return;
    const range = doc.range ?? [0, text.length, text.length];
    const start = range[0];
    const position = (offset: number): Position => {
      const { line, col } = lines.linePos(offset);
      return { line, column: col };
    };
    let value: unknown;
    try {
      value = doc.toJS({ mapAsMap: true, maxAliasCount: MAX_ALIASES });
    } catch (err) {
      const { line, column } = position(start);
      const aliases = err instanceof ReferenceError && /alias/i.test(err.message);
      issues.push({
        path: "document",
        message: aliases ? "too many aliases" : `could not be read: ${String(err)}`,
        document: index,
        line,
        column,
      });
      return;
    }
    out.push({
      index,
      text: text.slice(start, range[1]).replace(/^---[ \t]*(\r?\n)?/, ""),
      value,
      locate: (path) => {
        const node = path === "document" ? doc.contents : deepestNode(doc, pathSegments(path));
        return position(node?.range?.[0] ?? start);
      },
    });
  });
  if (issues.length > 0) throw new StreamError(issues);
  return out;
}

/** ValidationError whose issues say which document and where. */
export class StreamError extends ValidationError {
  constructor(readonly streamIssues: StreamIssue[]) {
    super(streamIssues);
  }
}
