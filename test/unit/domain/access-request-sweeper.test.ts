import { expect } from "chai";
import { AccessRequestSweeper } from "../../../src/domain/access-requests/access-request-sweeper";

describe("AccessRequestSweeper", () => {
  it("expires batch after batch until nothing is due", async () => {
    const counts = [100, 3, 0];
    let calls = 0;
    const sweeper = new AccessRequestSweeper({ expireDue: () => Promise.resolve(counts[calls++] ?? 0) }, () =>
      expect.fail("no error expected"),
    );
    await sweeper.sweep();
    expect(calls).to.equal(3);
  });

  it("runs one pass at a time: a sweep asked for during a pass waits for it", async () => {
    let running = 0;
    let most = 0;
    const sweeper = new AccessRequestSweeper(
      {
        expireDue: async () => {
          most = Math.max(most, ++running);
          await new Promise((r) => setTimeout(r, 10));
          running--;
          return 0;
        },
      },
      () => undefined,
    );
    await Promise.all([sweeper.sweep(), sweeper.sweep(), sweeper.sweep()]);
    expect(most).to.equal(1);
  });

  it("hands a failure to its error handler and sweeps again next time", async () => {
    const errors: unknown[] = [];
    let fail = true;
    const sweeper = new AccessRequestSweeper(
      {
        expireDue: () => {
          if (fail) return Promise.reject(new Error("database away"));
          return Promise.resolve(0);
        },
      },
      (err) => errors.push(err),
    );
    await sweeper.sweep();
    fail = false;
    await sweeper.sweep();
    expect(errors.map(String)).to.deep.equal(["Error: database away"]);
  });
});
