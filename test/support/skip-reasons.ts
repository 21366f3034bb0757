// Why a test or suite is skipped, so that `npm test` can say it (the summary
// reporter prints each skipped test with its reason). Skip through these
// helpers rather than describe.skip or a bare this.skip().
import type Mocha from "mocha";

const reasons = new WeakMap<object, string>();
const notRun = new Set<string>();

/** Records a whole variant of the suite that is not even declared here (e.g. the MySQL runs), to be listed at the end. */
export function noteNotRun(what: string): void {
  notRun.add(what);
}

/** What noteNotRun recorded, in order. */
export function notRunNotes(): string[] {
  return [...notRun];
}

/** `describe` when `condition` holds; otherwise the suite is declared skipped, with `reason`. */
export function describeIf(condition: unknown, reason: string) {
  return (title: string, fn: (this: Mocha.Suite) => void): Mocha.Suite => {
    if (condition) return describe(title, fn);
    const suite = describe.skip(title, fn) as unknown as Mocha.Suite;
    reasons.set(suite, reason);
    return suite;
  };
}

/** Skips the running test (or, from a `before` hook, the suite's tests), recording why. */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  const runnable = ctx.test ?? ctx.currentTest;
  if (runnable)
    reasons.set(
      (runnable as { type?: string }).type === "hook" && runnable.parent ? runnable.parent : runnable,
      reason,
    );
  ctx.skip();
}

/** The reason recorded for `test` or the nearest suite around it; undefined when none was given. */
export function skipReason(test: Mocha.Runnable): string | undefined {
  for (let at: Mocha.Runnable | Mocha.Suite | undefined = test; at; at = at.parent) {
    const reason = reasons.get(at);
    if (reason !== undefined) return reason;
  }
  return undefined;
}
