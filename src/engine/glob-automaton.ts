// Set algebra over globs, for escalation checks: "does every string this glob
// matches also match that one?" and "can any string match all of these?".
//
// Globs are regular, so both questions are decided exactly by exploring the
// product of their automata. The alphabet is finite in effect: every character a
// glob does not name literally behaves the same way in all of them, so one
// stand-in symbol represents them all. Exploration is capped by a work budget;
// past it the answers fall back to the safe side (not contained, may overlap).

import { globSegments } from "./glob-matcher";

const SLASH = 47;
/** Stands for every character that no automaton in a question names. */
const OTHER = -1;
const CLASS_ANY = -2;
const CLASS_NOT_SLASH = -3;
const MAX_PRODUCT_STATES = 20000;
/**
 * Work is counted in units of about one edge followed. A transition not met
 * before also builds, sorts and interns a set, which costs as much as some fifty
 * edges; looking up a known one costs a few.
 */
const NEW_SET_COST = 50;
const STEP_COST = 4;
/** Units one question may use when no budget is given. */
const QUESTION_BUDGET = 10_000;

interface Edge {
  /** A character code, CLASS_ANY or CLASS_NOT_SLASH. */
  on: number;
  to: number;
}

/** A nondeterministic automaton over character codes, built from a glob or a namespace subtree. */
export class GlobAutomaton {
  private readonly edges: Edge[][] = [];
  private readonly epsilon: number[][] = [];
  private readonly closures: Array<number[] | undefined> = [];
  private readonly sets: number[][] = [];
  private readonly setIds = new Map<string, number>();
  private readonly setLiterals: Array<Set<number>> = [];
  private readonly transitions: Array<Map<number, number>> = [];
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
  static contains(
    outer: readonly GlobAutomaton[],
    inner: readonly GlobAutomaton[],
    budget = new WorkBudget(QUESTION_BUDGET),
  ): boolean {
    const result = explore([...inner, ...outer], inner.length, budget);
    return result === "none";
  }

  /** Whether some string is accepted by every automaton given. */
  static overlap(all: readonly GlobAutomaton[], budget = new WorkBudget(QUESTION_BUDGET)): boolean {
    return explore(all, all.length, budget) !== "none";
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

  private closure(states: Iterable<number>): number[] {
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

  private closureOf(state: number): number[] {
    let c = this.closures[state];
    if (c === undefined) this.closures[state] = c = this.closure([state]);
    return c;
  }

  // The subset construction, built lazily as exploration asks for it: a set of
  // NFA states gets an id once, and each (id, symbol) transition is computed once.

  private intern(states: number[]): number {
    const key = states.join(",");
    let id = this.setIds.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.setIds.set(key, id);
      this.sets.push(states);
      this.transitions.push(new Map());
      const literals = new Set<number>();
      for (const s of states) for (const e of this.edges[s]) if (e.on >= 0) literals.add(e.on);
      this.setLiterals.push(literals);
    }
    return id;
  }

  /** The id of the set of states the automaton starts in. */
  startId(): number {
    return this.intern(this.closure([this.start]));
  }

  acceptsId(id: number): boolean {
    return this.sets[id].includes(this.accept);
  }

  isDead(id: number): boolean {
    return this.sets[id].length === 0;
  }

  /** Characters named on edges leaving set `id`; any other character but "/" moves it like OTHER. */
  literalsOf(id: number): ReadonlySet<number> {
    return this.setLiterals[id];
  }

  /** The set reached from set `id` on `symbol`; -1 when computing it would overspend `budget`. */
  next(id: number, symbol: number, budget: WorkBudget): number {
    const on = symbol === SLASH || this.setLiterals[id].has(symbol) ? symbol : OTHER;
    const map = this.transitions[id];
    const known = map.get(on);
    if (known !== undefined) return known;
    const reached = new Set<number>();
    let work = NEW_SET_COST;
    for (const s of this.sets[id]) {
      for (const e of this.edges[s]) {
        work++;
        const ok = e.on === CLASS_ANY || (e.on === CLASS_NOT_SLASH ? on !== SLASH : e.on === on);
        if (!ok) continue;
        const closure = this.closureOf(e.to);
        work += closure.length;
        for (const t of closure) reached.add(t);
      }
    }
    if (!budget.spend(work + reached.size)) return -1;
    const to = this.intern([...reached].sort((x, y) => x - y));
    map.set(on, to);
    return to;
  }
}

/**
 * Work allowance for containment questions, counted in automaton edges followed.
 * A question that runs out answers "unknown", which every caller treats as the
 * safe side; a checker shares one budget across all its questions, so a whole
 * escalation check is bounded however many globs a document holds.
 */
export class WorkBudget {
  /** `parent`: a larger allowance this one is drawn from; spending here spends there too. */
  constructor(
    private remaining: number,
    private readonly parent: WorkBudget | null = null,
  ) {}

  /** Takes `units`; false once this allowance (or its parent's) is spent. */
  spend(units: number): boolean {
    this.remaining -= units;
    const parentOk = this.parent === null || this.parent.spend(units);
    return this.remaining >= 0 && parentOk;
  }

  get exhausted(): boolean {
    return this.remaining < 0 || (this.parent !== null && this.parent.exhausted);
  }
}

/**
 * Breadth-first search of the product of `automata`. The first `required` of them
 * must all accept and the rest must all reject for a state to be a witness.
 * Returns "found" for a witness, "none" when there is none, "unknown" past the cap.
 *
 * Each product state is expanded over character classes, not characters: the
 * literals on the edges leaving its states, "/", and one symbol standing for
 * every other character (they all lead to the same next state). A glob with a
 * thousand distinct literals therefore costs a few symbols per state, not a
 * thousand.
 */
function explore(
  automata: readonly GlobAutomaton[],
  required: number,
  budget: WorkBudget,
): "found" | "none" | "unknown" {
  const n = automata.length;
  const startTuple = automata.map((a) => a.startId());
  const seen = new Set<string>([startTuple.join(",")]);
  const queue: number[][] = [startTuple];
  for (let head = 0; head < queue.length; head++) {
    const tuple = queue[head];
    let witness = true;
    for (let i = 0; i < n && witness; i++) {
      const accepting = automata[i].acceptsId(tuple[i]);
      witness = i < required ? accepting : !accepting;
    }
    if (witness) return "found";
    const symbols = new Set<number>([SLASH, OTHER]);
    for (let i = 0; i < n; i++) for (const c of automata[i].literalsOf(tuple[i])) symbols.add(c);
    if (!budget.spend(symbols.size * n * STEP_COST)) return "unknown";
    for (const symbol of symbols) {
      const next: number[] = [];
      let stuck = false;
      for (let i = 0; i < n && !stuck; i++) {
        const to = automata[i].next(tuple[i], symbol, budget);
        if (to < 0) return "unknown";
        // Once a required automaton is stuck, nothing further can be a witness.
        stuck = i < required && automata[i].isDead(to);
        next.push(to);
      }
      if (stuck) continue;
      const k = next.join(",");
      if (seen.has(k)) continue;
      if (seen.size >= MAX_PRODUCT_STATES) return "unknown";
      seen.add(k);
      queue.push(next);
    }
  }
  return "none";
}
