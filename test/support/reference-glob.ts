// Glob matching for the reference evaluator, written straight from docs/documents.md
// and kept deliberately naive: plain recursion, no regular expressions, no caching.
//
//   `*`  any run of characters other than `/` (including none)
//   `**` as a whole segment: zero or more whole segments
//   `?`  exactly one character other than `/`
//   anything else is literal and case-sensitive.

/** Whether `text` matches the glob `pattern` (namespaces, names and label values alike). */
export function referenceGlobMatches(pattern: string, text: string): boolean {
  return segmentsMatch(pattern.split("/"), 0, text.split("/"), 0);
}

function segmentsMatch(pattern: string[], p: number, text: string[], t: number): boolean {
  if (p === pattern.length) return t === text.length;
  if (pattern[p] === "**") {
    // Try swallowing zero, one, two... whole segments.
    for (let skip = t; skip <= text.length; skip++) {
      if (segmentsMatch(pattern, p + 1, text, skip)) return true;
    }
    return false;
  }
  if (t === text.length) return false;
  return segmentMatches(pattern[p], 0, text[t], 0) && segmentsMatch(pattern, p + 1, text, t + 1);
}

/** One segment against one segment; neither contains `/`. */
function segmentMatches(pattern: string, i: number, text: string, j: number): boolean {
  if (i === pattern.length) return j === text.length;
  const c = pattern[i];
  if (c === "*") {
    return segmentMatches(pattern, i + 1, text, j) || (j < text.length && segmentMatches(pattern, i, text, j + 1));
  }
  if (j === text.length) return false;
  if (c === "?" || c === text[j]) return segmentMatches(pattern, i + 1, text, j + 1);
  return false;
}
