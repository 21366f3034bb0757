import { expect } from "chai";
import { Rechecks } from "../../../src/http/subscription-server";

/** A check the test settles by hand. */
function pendingCheck(): { calls: number; check: () => Promise<boolean>; settle(valid: boolean): Promise<void> } {
  let resolvers: Array<(valid: boolean) => void> = [];
  const state = {
    calls: 0,
    check: () => {
      state.calls++;
      return new Promise<boolean>((resolve) => resolvers.push(resolve));
    },
    async settle(valid: boolean) {
      const now = resolvers;
      resolvers = [];
      now.forEach((resolve) => resolve(valid));
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
  return state;
}

describe("Rechecks", () => {
  it("authenticates a credential shared by many connections once per round, and closes all of them when it is revoked", async () => {
    const rechecks = new Rechecks(60_000, () => undefined);
    const shared = pendingCheck();
    const other = pendingCheck();
    const closed: string[] = [];
    for (let i = 0; i < 3; i++) rechecks.join("token-1", shared.check, () => closed.push(`shared ${i}`));
    rechecks.join("token-2", other.check, () => closed.push("other"));
    rechecks.runAll();
    expect(shared.calls).to.equal(1);
    expect(other.calls).to.equal(1);
    await other.settle(true);
    await shared.settle(false);
    expect(closed).to.deep.equal(["shared 0", "shared 1", "shared 2"]);
    rechecks.stop();
  });

  it("does not start a check twice while one is under way, and runs one more after it", async () => {
    const rechecks = new Rechecks(60_000, () => undefined);
    const check = pendingCheck();
    rechecks.join("token", check.check, () => undefined);
    rechecks.runAll();
    rechecks.runAll();
    rechecks.runAll();
    expect(check.calls).to.equal(1);
    await check.settle(true);
    expect(check.calls).to.equal(2);
    await check.settle(true);
    expect(check.calls).to.equal(2);
    rechecks.stop();
  });

  it("forgets a connection that left: it is neither checked for nor closed", async () => {
    const rechecks = new Rechecks(60_000, () => undefined);
    const check = pendingCheck();
    const closed: number[] = [];
    const leave = rechecks.join("token", check.check, () => closed.push(1));
    leave();
    rechecks.runAll();
    expect(check.calls).to.equal(0);
    const stays = pendingCheck();
    rechecks.join("token", stays.check, () => closed.push(2));
    rechecks.runAll();
    await stays.settle(false);
    expect(closed).to.deep.equal([2]);
    rechecks.stop();
  });

  it("re-checks on its own every interval, and reports a check that failed to run", async () => {
    const errors: unknown[] = [];
    const rechecks = new Rechecks(20, (err) => errors.push(err));
    let calls = 0;
    const leave = rechecks.join(
      "token",
      () => {
        calls++;
        return Promise.reject(new Error("database unreachable"));
      },
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 110));
    leave();
    expect(calls).to.be.at.least(2);
    expect(errors).to.have.length(calls);
    const after = calls;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).to.equal(after);
  });
});
