import { expect } from "chai";
import type { AuditEventRecord } from "../../../src/domain/audit/audit-event";
import type { AuditLog } from "../../../src/domain/audit/group-commit-audit-log";
import type { AuditStream } from "../../../src/domain/audit/audit-stream";
import { ClusterSync } from "../../../src/domain/cluster/cluster-sync";
import type { BusStatus, ClusterBus, ClusterMessage } from "../../../src/domain/ports/cluster-bus.port";
import type { PolicyRuntime } from "../../../src/domain/policy/policy-runtime";
import type { PolicyWriter } from "../../../src/domain/policy/policy-writer";

/** An in-process bus shared by the "instances" of a test; `cut()` takes it away. */
class LoopBus implements ClusterBus {
  readonly sent: ClusterMessage[] = [];
  private up: BusStatus = "up";
  private readonly listeners = new Set<(m: ClusterMessage) => void>();
  private readonly statusListeners = new Set<(s: BusStatus) => void>();
  publish(message: ClusterMessage): void {
    if (this.up === "down") return;
    this.sent.push(message);
    this.listeners.forEach((l) => l(message));
  }
  subscribe(listener: (m: ClusterMessage) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onStatus(listener: (s: BusStatus) => void) {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }
  status(): BusStatus {
    return this.up;
  }
  set(status: BusStatus): void {
    this.up = status;
    this.statusListeners.forEach((l) => l(status));
  }
  async close() {}
}

function instance(bus: ClusterBus | null) {
  const offered: number[] = [];
  const commitListeners = new Set<(e: AuditEventRecord[]) => void>();
  const writeListeners = new Set<() => void>();
  let stored = 1;
  let compiled = 1;
  const calls = { catchUps: 0, streamCatchUps: 0, stateChanged: 0 };
  const logs: string[] = [];
  const sync = new ClusterSync(
    {
      bus,
      stream: {
        offer: (rs: AuditEventRecord[]) => offered.push(...rs.map((r) => r.sequence)),
        catchUp: () => {
          calls.streamCatchUps++;
          return Promise.resolve();
        },
      } as unknown as AuditStream,
      audit: {
        onCommitted: (l: (e: AuditEventRecord[]) => void) => (commitListeners.add(l), () => commitListeners.delete(l)),
      } as unknown as AuditLog,
      writer: {
        onCommitted: (l: () => void) => (writeListeners.add(l), () => writeListeners.delete(l)),
        catchUp: () => {
          calls.catchUps++;
          const moved = stored !== compiled;
          compiled = stored;
          return Promise.resolve(moved);
        },
      } as unknown as PolicyWriter,
      runtime: { version: () => compiled } as unknown as PolicyRuntime,
      onStateChanged: () => void calls.stateChanged++,
      log: { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) },
    },
    { pollMs: 20, safetyPollMs: 10_000, heartbeatMs: 10, heartbeatTimeoutMs: 40 },
  );
  return {
    sync,
    offered,
    calls,
    logs,
    commit: (...seqs: number[]) =>
      commitListeners.forEach((l) => l(seqs.map((sequence) => ({ sequence }) as AuditEventRecord))),
    write: () => {
      stored++;
      compiled = stored;
      writeListeners.forEach((l) => l());
    },
    storeWrittenElsewhere: () => void stored++,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ClusterSync", () => {
  it("without a bus is a single instance that feeds its own events to its stream", () => {
    const one = instance(null);
    one.sync.start();
    one.commit(1, 2);
    expect(one.offered).to.deep.equal([1, 2]);
    expect(one.sync.currentMode()).to.equal("single");
    one.sync.stop();
  });

  it("hands events and policy writes of one instance to the other, and ignores its own", async () => {
    const bus = new LoopBus();
    const a = instance(bus);
    const b = instance(bus);
    a.sync.start();
    b.sync.start();
    a.commit(7);
    expect(a.offered).to.deep.equal([7]);
    expect(b.offered).to.deep.equal([7]);
    b.storeWrittenElsewhere();
    a.write();
    await sleep(5);
    expect(b.calls.stateChanged).to.be.at.least(1);
    expect(b.calls.catchUps).to.be.at.least(1);
    expect(a.calls.stateChanged).to.equal(0);
    a.sync.stop();
    b.sync.stop();
  });

  it("tells the other instances to forget cached credentials after a logout, and not itself twice", () => {
    const bus = new LoopBus();
    const a = instance(bus);
    const b = instance(bus);
    a.sync.start();
    b.sync.start();
    a.sync.announceCredentials();
    expect(b.calls.stateChanged).to.equal(1);
    expect(a.calls.stateChanged).to.equal(0);
    a.sync.stop();
    b.sync.stop();
  });

  it("trusts the bus only while its own heartbeats come back, polls the database meanwhile, and catches up when it returns", async () => {
    const bus = new LoopBus();
    const a = instance(bus);
    a.sync.start();
    await sleep(30);
    expect(a.sync.currentMode()).to.equal("bus");
    bus.set("down");
    await sleep(20);
    expect(a.sync.currentMode()).to.equal("polling");
    expect(a.logs.join("\n")).to.contain("cluster bus unreachable");
    const polled = a.calls.streamCatchUps;
    await sleep(100);
    expect(a.calls.streamCatchUps - polled).to.be.at.least(3);
    bus.set("up");
    await sleep(30);
    expect(a.sync.currentMode()).to.equal("bus");
    expect(a.logs.join("\n")).to.contain("cluster bus is back");
    a.sync.stop();
  });
});
