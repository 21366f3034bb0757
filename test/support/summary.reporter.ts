// The spec reporter, then each skipped test with the reason it was skipped
// (see skip-reasons.ts), then one line `N passed, N failed[, N skipped]` that CI reads.
import Mocha from "mocha";
import { notRunNotes, skipReason } from "./skip-reasons";

const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;
const NO_REASON = "no reason given (marked pending in the test file)";

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    const skipped = new Map<string, string[]>();
    let skippedCount = 0;
    runner.on(EVENT_TEST_PASS, () => passed++);
    runner.on(EVENT_TEST_FAIL, () => failed++);
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      skippedCount++;
      const reason = skipReason(test) ?? NO_REASON;
      skipped.set(reason, [...(skipped.get(reason) ?? []), test.fullTitle()]);
    });
    runner.once(EVENT_RUN_END, () => {
      let out = "";
      for (const [reason, titles] of skipped) {
        out += `\nSkipped ${titles.length}: ${reason}\n${titles.map((t) => `  - ${t}\n`).join("")}`;
      }
      for (const note of notRunNotes()) out += `\nNot run: ${note}\n`;
      out += `\n${passed} passed, ${failed} failed${skippedCount ? `, ${skippedCount} skipped` : ""}\n`;
      process.stdout.write(out);
    });
  }
}

export = SummaryReporter;
