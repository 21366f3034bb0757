// Set algebra over globs, for escalation checks: "does every string this glob
// matches also match that one?" and "can any string match all of these?".
//
// Globs are regular, so both questions are decided exactly by exploring the
// product of their automata. The alphabet is finite in effect: every character a
// glob does not name literally behaves the same way in all of them, so one
// stand-in symbol represents them all. Exploration is capped; past the cap the
// answers fall back to the safe side (not contained, may overlap).

import { globSegments } from "./glob-matcher";

const SLASH = 47;
/** Stands for every character that no automaton in a question names. */
const OTHER = -1;
const CLASS_ANY = -2;
const CLASS_NOT_SLASH = -3;
const MAX_PRODUCT_STATES = 20000;

interface Edge {
  /** A character code, CLASS_ANY or CLASS_NOT_SLASH. */
  on: number;
  to: number;
}

/** A nondeterministic automaton over character codes, built from a glob or a namespace subtree. */
export class GlobAutomaton {
  private readonly edges: Edge[][] = [];
  private readonly epsilon: number[][] = [];
  private start = 0;
  private accept = 0;

  private constructor() {}

  /** Strings matched by a namespace/name glob (same semantics as GlobMatcher). */
  static fromGlob(glob: string): GlobAutomaton {
    const a = new GlobAutomaton();
    const segments = globSegments(glob);
    let cur = a.state();
    a.start = cur;
    if (segments.length === 1 && segments[0] === "**") {
      cur = a.anyRun(cur, CLASS_ANY);
    } else {
      let needSlash = false;
      segments.forEach((segment, i) => {
        const last = i === segments.length - 1;
        if (segment === "**") {
          if (last) {
            // `x/**`: optionally "/" followed by anything
            const end = a.state();
            a.eps(cur, end);
            const afterSlash = a.char(cur, SLASH);
            a.eps(a.anyRun(afterSlash, CLASS_ANY), end);
            cur = end;
          } else {
            // `**/x` or `a/**/x`: optionally anything ending in "/"
            if (needSlash) cur = a.char(cur, SLASH);
            const end = a.state();
            a.eps(cur, end);
            a.eps(a.char(a.anyRun(cur, CLASS_ANY), SLASH), end);
            cur = end;
            needSlash = false;
          }
          return;
        }
        if (needSlash) cur = a.char(cur, SLASH);
        for (let k = 0; k < segment.length; k++) {
          const c = segment.charCodeAt(k);
          if (c === 42) cur = a.anyRun(cur, CLASS_NOT_SLASH);
          else if (c === 63) cur = a.char(cur, CLASS_NOT_SLASH);
          else cur = a.char(cur, c);
        }
        needSlash = true;
      });
    }
    a.accept = cur;
    return a;
  }

  /** Namespaces within a grant's scope: the scope itself and everything below; "" = everything. */
  static fromScope(scope: string): GlobAutomaton {
    const a = new GlobAutomaton();
    let cur = a.state();
    a.start = cur;
    if (scope === "") {
      cur = a.anyRun(cur, CLASS_ANY);
    } else {
      for (let k = 0; k < scope.length; k++) cur = a.char(cur, scope.charCodeAt(k));
      const end = a.state();
      a.eps(cur, end);
      a.eps(a.anyRun(a.char(cur, SLASH), CLASS_ANY), end);
      cur = end;
    }
    a.accept = cur;
    return a;
  }

  /** Whether every string accepted by all of `inner` is accepted by some automaton of `outer`. */
  static contains(outer: readonly GlobAutomaton[], inner: readonly GlobAutomaton[]): boolean {
    const result = explore([...inner, ...outer], inner.length);
    return result === "none";
  }

  /** Whether some string is accepted by every automaton given. */
  static overlap(all: readonly GlobAutomaton[]): boolean {
    return explore(all, all.length) !== "none";
  }

  private state(): number {
    this.edges.push([]);
    this.epsilon.push([]);
    return this.edges.length - 1;
  }

  private eps(from: number, to: number): void {
    this.epsilon[from].push(to);
  }

  private char(from: number, on: number): number {
    const to = this.state();
    this.edges[from].push({ on, to });
    return to;
  }

  /** Zero or more characters of a class from `from`; returns the state after the run. */
  private anyRun(from: number, on: number): number {
    const loop = this.state();
    this.eps(from, loop);
    this.edges[loop].push({ on, to: loop });
    return loop;
  }

  /** Character codes named literally. */
  literals(into: Set<number>): void {
    for (const list of this.edges) for (const e of list) if (e.on >= 0) into.add(e.on);
  }

  closure(states: Iterable<number>): number[] {
    const seen = new Set<number>();
    const stack = [...states];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const t of this.epsilon[s]) stack.push(t);
    }
    return [...seen].sort((x, y) => x - y);
  }

  step(states: readonly number[], symbol: number): number[] {
    const next: number[] = [];
    for (const s of states) {
      for (const e of this.edges[s]) {
        const ok = e.on === CLASS_ANY || (e.on === CLASS_NOT_SLASH ? symbol !== SLASH : e.on === symbol);
        if (ok) next.push(e.to);
      }
    }
    return this.closure(next);
  }

  startSet(): number[] {
    return this.closure([this.start]);
  }

  accepts(states: readonly number[]): boolean {
    return states.includes(this.accept);
  }
}

/**
 * Breadth-first search of the product of `automata`. The first `required` of them
 * must all accept and the rest must all reject for a state to be a witness.
 * Returns "found" for a witness, "none" when there is none, "unknown" past the cap.
 */
function explore(automata: readonly GlobAutomaton[], required: number): "found" | "none" | "unknown" {
  const literal = new Set<number>();
  for (const a of automata) a.literals(literal);
  literal.add(SLASH);
  const alphabet = [...literal, OTHER];
  const startTuple = automata.map((a) => a.startSet());
  const key = (t: number[][]) => t.map((s) => s.join(",")).join("|");
  const seen = new Set<string>([key(startTuple)]);
  const queue: number[][][] = [startTuple];
  for (let head = 0; head < queue.length; head++) {
    const tuple = queue[head];
    let witness = true;
    for (let i = 0; i < automata.length && witness; i++) {
      const accepting = automata[i].accepts(tuple[i]);
      witness = i < required ? accepting : !accepting;
    }
    if (witness) return "found";
    for (const symbol of alphabet) {
      const next = tuple.map((states, i) => automata[i].step(states, symbol));
      // Once a required automaton is stuck, nothing further can be a witness.
      if (next.slice(0, required).some((s) => s.length === 0)) continue;
      const k = key(next);
      if (seen.has(k)) continue;
      if (seen.size >= MAX_PRODUCT_STATES) return "unknown";
      seen.add(k);
      queue.push(next);
    }
  }
  return "none";
}
