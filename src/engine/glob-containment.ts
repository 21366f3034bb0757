// Convenience entry points over globs, for callers outside the engine.

import { GlobAutomaton } from "./glob-automaton";
import { GlobMatcher, isLiteral } from "./glob-matcher";

/** Whether `glob` matches `text` (docs/documents.md semantics). */
export function globMatches(glob: string, text: string): boolean {
  return GlobMatcher.compile(glob).match(text);
}

/**
 * Whether every string `inner` matches is matched by `outer`. Sound: never true
 * when some string matches inner but not outer (it may answer false only for
 * patterns too large to analyse).
 */
export function globContains(outer: string, inner: string): boolean {
  if (outer === inner || outer === "**") return true;
  if (isLiteral(inner)) return GlobMatcher.compile(outer).match(inner);
  return GlobAutomaton.contains([GlobAutomaton.fromGlob(outer)], [GlobAutomaton.fromGlob(inner)]);
}
