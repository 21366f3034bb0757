import { expect } from "chai";
import { UsageRecorder } from "../../../src/auth/usage-recorder";

interface Call {
  id: string;
  at: string;
  ip: string | null;
  unlessUsedAfter: string;
}

function repository(behaviour: (call: Call) => Promise<boolean> = () => Promise.resolve(true)) {
  const calls: Call[] = [];
  return {
    calls,
    tokens: {
      recordUse: (id: string, at: Date, ip: string | null, unlessUsedAfter: Date) => {
        const call = { id, at: at.toISOString(), ip, unlessUsedAfter: unlessUsedAfter.toISOString() };
        calls.push(call);
        return behaviour(call);
      },
    },
  };
}

function clockAt(iso: string) {
  let now = new Date(iso).getTime();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

describe("UsageRecorder", () => {
  it("writes the first use with its address, refusing to overwrite a use stored within the last minute", async () => {
    const { calls, tokens } = repository();
    const clock = clockAt("2026-02-01T12:00:00.000Z");
    const recorder = new UsageRecorder(tokens, { now: clock.now });
    recorder.used({ id: "t1", lastUsedAt: null }, "10.1.2.3");
    await recorder.settled();
    expect(calls).to.deep.equal([
      { id: "t1", at: "2026-02-01T12:00:00.000Z", ip: "10.1.2.3", unlessUsedAfter: "2026-02-01T11:59:00.000Z" },
    ]);
  });

  it("writes at most once a minute per token, remembering its own writes", async () => {
    const { calls, tokens } = repository();
    const clock = clockAt("2026-02-01T12:00:00.000Z");
    const recorder = new UsageRecorder(tokens, { now: clock.now });
    recorder.used({ id: "t1", lastUsedAt: null }, "10.0.0.1");
    clock.advance(59_999);
    recorder.used({ id: "t1", lastUsedAt: null }, "10.0.0.2");
    recorder.used({ id: "t2", lastUsedAt: null }, "10.0.0.3");
    clock.advance(1);
    recorder.used({ id: "t1", lastUsedAt: null }, "10.0.0.4");
    await recorder.settled();
    expect(calls.map((c) => [c.id, c.ip])).to.deep.equal([
      ["t1", "10.0.0.1"],
      ["t2", "10.0.0.3"],
      ["t1", "10.0.0.4"],
    ]);
  });

  it("does not write when the stored lastUsedAt is under a minute old (another instance wrote it)", async () => {
    const { calls, tokens } = repository();
    const clock = clockAt("2026-02-01T12:00:00.000Z");
    const recorder = new UsageRecorder(tokens, { now: clock.now });
    recorder.used({ id: "t1", lastUsedAt: new Date("2026-02-01T11:59:00.001Z") }, "10.0.0.1");
    recorder.used({ id: "t2", lastUsedAt: new Date("2026-02-01T11:59:00.000Z") }, "10.0.0.2");
    await recorder.settled();
    expect(calls.map((c) => c.id)).to.deep.equal(["t2"]);
  });

  it("returns before the write finishes, swallows a failed write, reports it and lets the next use retry", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { calls, tokens } = repository(async () => {
      await gate;
      throw new Error("database is down");
    });
    const reported: Array<[string, string]> = [];
    const recorder = new UsageRecorder(tokens, {
      now: clockAt("2026-02-01T12:00:00.000Z").now,
      onError: (error, tokenId) => reported.push([tokenId, (error as Error).message]),
    });
    recorder.used({ id: "t1", lastUsedAt: null }, null);
    expect(calls).to.have.length(1);
    expect(reported).to.deep.equal([]);
    release();
    await recorder.settled();
    expect(reported).to.deep.equal([["t1", "database is down"]]);
    recorder.used({ id: "t1", lastUsedAt: null }, null);
    await recorder.settled();
    expect(calls).to.have.length(2);
  });

  it("survives an error reporter that throws", async () => {
    const { tokens } = repository(() => Promise.reject(new Error("no")));
    const recorder = new UsageRecorder(tokens, {
      onError: () => {
        throw new Error("reporter broke");
      },
    });
    recorder.used({ id: "t1", lastUsedAt: null }, null);
    await recorder.settled();
  });
});
