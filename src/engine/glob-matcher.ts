// Namespace/name globs (docs/documents.md). `*` is any run of characters other than
// `/`, `?` one character other than `/`, `**` (a whole segment) zero or more whole
// segments; everything else is literal.
//
// Matching never backtracks over the input: within a segment the literal chunks
// between `*`s are placed leftmost-first, and between `**`s the segment groups are
// placed leftmost-first. Leftmost placement is optimal because whatever follows a
// `*` (or a `**`) can absorb any gap, so the cost is linear in the input times the
// length of a chunk or group, never exponential.

import { segmentProblem } from "./namespace-path";

const SLASH = 47;
const QUESTION = 63;
const STAR = 42;
/**
 * Bounds on one glob. Escalation checks compare globs by exploring the product of
 * their automata, whose size grows with length and, exponentially in the worst
 * case, with wildcards; these caps keep every such comparison small.
 */
export const MAX_GLOB_LENGTH = 256;
/** Wildcards per glob: each `*`, `?` and `**` segment counts one. */
export const MAX_GLOB_WILDCARDS = 16;

/** Why `glob` is not a valid glob, or null when it is. */
export function globProblem(glob: string): string | null {
  if (glob.length === 0) return "must not be empty";
  if (glob.length > MAX_GLOB_LENGTH) return `must be at most ${MAX_GLOB_LENGTH} characters (it has ${glob.length})`;
  const wildcards = glob.split("/").reduce((n, s) => n + (s === "**" ? 1 : (s.match(/[*?]/g) ?? []).length), 0);
  if (wildcards > MAX_GLOB_WILDCARDS)
    return `must have at most ${MAX_GLOB_WILDCARDS} wildcards ('*', '?', '**'), it has ${wildcards}`;
  if (/\p{Cc}/u.test(glob)) return "must not contain control characters";
  if (glob.startsWith("/") || glob.endsWith("/")) return "must not start or end with '/'";
  if (glob.includes("//")) return "must not contain empty segments ('//')";
  for (const segment of glob.split("/")) {
    if (segment !== "**" && segment.includes("**")) return `'**' must be a whole segment (in '${segment}')`;
  }
  return null;
}

/** Why `glob` is not a valid namespace glob, or null: a glob whose segments are safe namespace segments. */
export function namespaceGlobProblem(glob: string): string | null {
  return globProblem(glob) ?? segmentProblem(glob);
}

/** Splits a glob into segments, collapsing runs of `**` (`a/**\/**` is `a/**`). */
export function globSegments(glob: string): string[] {
  const out: string[] = [];
  for (const segment of glob.split("/")) {
    if (segment === "**" && out.length > 0 && out[out.length - 1] === "**") continue;
    out.push(segment);
  }
  return out;
}

class SegmentPattern {
  /** Literal chunks between `*`s (`?` inside a chunk is a one-character wildcard). */
  readonly chunks: string[];
  readonly star: boolean;
  readonly minLength: number;

  constructor(segment: string) {
    // `**` inside a segment is refused by validation; if one reaches here it acts as `*`.
    this.chunks = segment.split("*");
    this.star = this.chunks.length > 1;
    this.minLength = this.chunks.reduce((n, c) => n + c.length, 0);
  }

  /** Whether s[from, to) (which contains no `/`) matches this segment. */
  matches(s: string, from: number, to: number): boolean {
    const chunks = this.chunks;
    const first = chunks[0];
    if (!this.star) return to - from === first.length && chunkAt(first, s, from);
    if (to - from < this.minLength) return false;
    const last = chunks[chunks.length - 1];
    if (!chunkAt(first, s, from) || !chunkAt(last, s, to - last.length)) return false;
    let pos = from + first.length;
    const limit = to - last.length;
    for (let i = 1; i < chunks.length - 1; i++) {
      const chunk = chunks[i];
      const at = findChunk(chunk, s, pos, limit);
      if (at < 0) return false;
      pos = at + chunk.length;
    }
    return true;
  }
}

function chunkAt(chunk: string, s: string, at: number): boolean {
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (c !== QUESTION && c !== s.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost start of `chunk` inside s[from, limit), or -1. */
function findChunk(chunk: string, s: string, from: number, limit: number): number {
  const last = limit - chunk.length;
  for (let at = from; at <= last; at++) if (chunkAt(chunk, s, at)) return at;
  return -1;
}

/** Whether a glob has no wildcard at all (the common case for namespaces and names). */
export function isLiteral(glob: string): boolean {
  // One pass over the text: compiling a large state asks this twice per rule.
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charCodeAt(i);
    if (c === STAR || c === QUESTION) return false;
  }
  return true;
}

const KIND_ANY = 0;
const KIND_LITERAL = 1;
/** `a/b/**`: literal = "a/b". */
const KIND_SUBTREE = 2;
/** `*` */
const KIND_ONE_SEGMENT = 3;
/** `api*` or `a/b/*`: literal = "api" or "a/b/", then anything without "/". */
const KIND_PREFIX_STAR = 4;
const KIND_GENERAL = 5;

/** A compiled glob. Any string compiles; validation happens in the document parsers. */
export class GlobMatcher {
  private readonly kind: number;
  /** The literal part, depending on the kind; for KIND_GENERAL the text before the first wildcard. */
  private readonly literal: string;
  /** KIND_GENERAL: text every match ends with (after the last wildcard). */
  private readonly suffix: string;
  /** Segment groups separated by `**`; one group when there is no `**`. */
  private readonly groups: SegmentPattern[][];

  private constructor(
    readonly source: string,
    literal: boolean,
  ) {
    if (literal) {
      this.kind = KIND_LITERAL;
      this.literal = source;
      this.suffix = "";
      this.groups = [];
      return;
    }
    const segments = globSegments(source);
    const wild = (s: string) => s.includes("*") || s.includes("?");
    this.literal = "";
    this.suffix = "";
    this.groups = [];
    const last = segments[segments.length - 1];
    const allButLast = segments.slice(0, -1).join("/");
    if (segments.length === 1 && segments[0] === "**") {
      this.kind = KIND_ANY;
    } else if (!wild(source)) {
      this.kind = KIND_LITERAL;
      this.literal = source;
    } else if (segments.length > 1 && segments[segments.length - 1] === "**" && !segments.slice(0, -1).some(wild)) {
      this.kind = KIND_SUBTREE;
      this.literal = segments.slice(0, -1).join("/");
    } else if (source === "*") {
      this.kind = KIND_ONE_SEGMENT;
    } else if (segments.length === 1 && /^[^*?]+\*$/.test(source)) {
      this.kind = KIND_PREFIX_STAR;
      this.literal = source.slice(0, -1);
    } else if (segments.length > 1 && last === "*" && !wild(allButLast)) {
      this.kind = KIND_PREFIX_STAR;
      this.literal = `${allButLast}/`;
    } else {
      this.kind = KIND_GENERAL;
      // Quick rejects. A match starts with the text before the first wildcard; it
      // ends with the text after the last one, except that a `**` segment may
      // match nothing, taking the "/" after it along.
      this.literal = source.slice(0, source.search(/[*?]/));
      const tail = source.slice(Math.max(source.lastIndexOf("*"), source.lastIndexOf("?")) + 1);
      const lastWildInGlobstar = /(^|\/)\*\*(\/[^*?]*)?$/.test(source);
      this.suffix = lastWildInGlobstar && tail.startsWith("/") ? tail.slice(1) : tail;
      let group: SegmentPattern[] = [];
      this.groups.push(group);
      for (const segment of segments) {
        if (segment === "**") {
          group = [];
          this.groups.push(group);
        } else {
          group.push(new SegmentPattern(segment));
        }
      }
    }
  }

  static compile(glob: string): GlobMatcher {
    return new GlobMatcher(glob, isLiteral(glob));
  }

  match(s: string): boolean {
    switch (this.kind) {
      case KIND_ANY:
        return true;
      case KIND_LITERAL:
        return s === this.literal;
      case KIND_SUBTREE: {
        const p = this.literal;
        return s.length === p.length
          ? s === p
          : s.length > p.length && s.charCodeAt(p.length) === SLASH && s.startsWith(p);
      }
      case KIND_ONE_SEGMENT:
        return s.indexOf("/") < 0;
      case KIND_PREFIX_STAR:
        return s.startsWith(this.literal) && s.indexOf("/", this.literal.length) < 0;
      default:
        return s.startsWith(this.literal) && s.endsWith(this.suffix) && this.matchGeneral(s);
    }
  }

  private matchGeneral(s: string): boolean {
    const n = s.length;
    const groups = this.groups;
    // A cursor is the index where the next unconsumed segment starts; n + 1 = none left.
    let cursor = matchGroupAt(groups[0], s, 0);
    if (cursor < 0) return false;
    if (groups.length === 1) return cursor === n + 1;

    const lastGroup = groups[groups.length - 1];
    let lastStart = n + 1;
    for (let k = 0; k < lastGroup.length; k++) {
      if (lastStart === 0) return false;
      lastStart = lastStart - 2 < 0 ? 0 : s.lastIndexOf("/", lastStart - 2) + 1;
    }
    if (lastStart < cursor) return false;
    if (lastGroup.length > 0 && matchGroupAt(lastGroup, s, lastStart) !== n + 1) return false;

    for (let g = 1; g < groups.length - 1; g++) {
      const group = groups[g];
      if (group.length === 0) continue;
      let at = cursor;
      let end = -1;
      while (at <= lastStart) {
        end = matchGroupAt(group, s, at);
        if (end >= 0 && end <= lastStart) break;
        end = -1;
        const slash = s.indexOf("/", at);
        if (slash < 0) break;
        at = slash + 1;
      }
      if (end < 0) return false;
      cursor = end;
    }
    return true;
  }
}

/** Matches consecutive segments from `cursor`; returns the cursor after them, or -1. */
function matchGroupAt(group: SegmentPattern[], s: string, cursor: number): number {
  const n = s.length;
  for (let i = 0; i < group.length; i++) {
    if (cursor > n) return -1;
    let end = s.indexOf("/", cursor);
    if (end < 0) end = n;
    if (!group[i].matches(s, cursor, end)) return -1;
    cursor = end + 1;
  }
  return cursor;
}
