// Keeps this instance current with the others on the same database
// (docs/running.md: a revocation or policy change on one is in force on all
// within a second).
//
// - With a bus (Redis): this instance announces its committed audit events and
//   policy-state writes; others apply them at once. Audit events go in full
//   only while another instance has live subscribers (heartbeats say so);
//   otherwise only the new head is announced, and an instance that has just
//   gained subscribers reads the events it is told of from the database. The bus is trusted only
//   while this instance's own heartbeats come back over it; a safety poll every
//   `safetyPollMs` catches anything a healthy bus still dropped.
// - Without a working bus: the database is polled every `pollMs` for a moved
//   policy-state version and for new audit events (bounded staleness), and the
//   mode says so. When the bus returns, one catch-up covers what it missed.
// - No bus configured: a single instance, nothing to do.
//
// Catching up recompiles the policy state (through the writer's turn) and
// empties the credential cache, since revocations and locks are policy-state
// writes too. Nothing here can allow what the database no longer allows for
// longer than the staleness bound: until the catch-up, the instance decides
// with the state it had.
import { randomUUID } from "node:crypto";
import type { AuditLog } from "../audit/group-commit-audit-log";
import type { AuditStream } from "../audit/audit-stream";
import type { ClusterBus, ClusterMessage } from "../ports/cluster-bus.port";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { PolicyWriter } from "../policy/policy-writer";
import type { ClusterMetrics } from "../../observability/metric-ports";

export type SyncMode = "single" | "bus" | "polling";

export interface SyncLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ClusterSyncDeps {
  bus: ClusterBus | null;
  stream: AuditStream;
  audit: AuditLog;
  writer: PolicyWriter;
  runtime: PolicyRuntime;
  /** Called after this instance caught up with a state another instance wrote. */
  onStateChanged: () => void;
  log: SyncLog;
  metrics?: ClusterMetrics;
}

export interface ClusterSyncTiming {
  /** Poll interval while the bus is down (staleness bound ≤ 5 s). */
  pollMs: number;
  /** Poll interval while the bus is up. */
  safetyPollMs: number;
  heartbeatMs: number;
  /** A bus whose heartbeat has not come back for this long counts as down. */
  heartbeatTimeoutMs: number;
}

export const DEFAULT_SYNC_TIMING: ClusterSyncTiming = {
  pollMs: 1000,
  safetyPollMs: 5000,
  heartbeatMs: 500,
  heartbeatTimeoutMs: 2000,
};

export class ClusterSync {
  readonly instanceId = randomUUID();
  private mode: SyncMode;
  private lastHeartbeat = 0;
  private lastPoll = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: Array<() => void> = [];
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private started = 0;
  private warnedAtStart = false;
  /** Other instances with live subscribers, and when they last said so. */
  private readonly listening = new Map<string, number>();

  constructor(
    private readonly deps: ClusterSyncDeps,
    private readonly timing: ClusterSyncTiming = DEFAULT_SYNC_TIMING,
    private readonly clock: () => number = Date.now,
  ) {
    this.mode = deps.bus ? "polling" : "single";
  }

  /** How this instance learns about the others' changes right now. */
  currentMode(): SyncMode {
    return this.mode;
  }

  start(): void {
    const { bus, stream, audit, writer } = this.deps;
    this.started = this.clock();
    // This instance's own events reach its stream directly, whatever the bus does.
    this.unsubscribe.push(
      audit.onCommitted((records) => {
        stream.offer(records);
        const last = records[records.length - 1];
        if (!bus || !last) return;
        // In full only while another instance has subscribers; otherwise the head alone (a few bytes per batch).
        if (this.othersListening()) bus.publish({ kind: "audit", origin: this.instanceId, records });
        else bus.publish({ kind: "audit-head", origin: this.instanceId, sequence: last.sequence });
      }),
    );
    if (!bus) return;
    this.unsubscribe.push(
      writer.onCommitted(() =>
        bus.publish({ kind: "state", origin: this.instanceId, version: this.deps.runtime.version() }),
      ),
    );
    this.unsubscribe.push(bus.subscribe((message) => this.receive(message)));
    this.unsubscribe.push(bus.onStatus(() => this.evaluate()));
    const heartbeat = () =>
      bus.publish({ kind: "heartbeat", origin: this.instanceId, at: this.clock(), listening: stream.hasListeners() });
    // At once too: the others learn whether this instance listens before its first interval.
    heartbeat();
    this.every(this.timing.heartbeatMs, () => {
      heartbeat();
      this.evaluate();
    });
    this.every(Math.min(this.timing.pollMs, this.timing.safetyPollMs), () => {
      const interval = this.mode === "bus" ? this.timing.safetyPollMs : this.timing.pollMs;
      if (this.clock() - this.lastPoll >= interval) void this.poll();
    });
  }

  /** Tells the other instances that credentials changed outside the policy state (logout, step-up). */
  announceCredentials(): void {
    this.deps.bus?.publish({ kind: "credentials", origin: this.instanceId });
  }

  /** Reads the database for changes now: the policy-state version and new audit events. */
  async poll(): Promise<void> {
    this.lastPoll = this.clock();
    await Promise.all([this.refresh(), this.deps.stream.catchUp()]);
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Whether another instance said, within the heartbeat timeout, that it has live subscribers. */
  private othersListening(): boolean {
    const since = this.clock() - this.timing.heartbeatTimeoutMs;
    for (const [origin, at] of this.listening) {
      if (at >= since) return true;
      this.listening.delete(origin);
    }
    return false;
  }

  private receive(message: ClusterMessage): void {
    if (message.kind === "heartbeat") {
      if (message.origin === this.instanceId) {
        this.lastHeartbeat = this.clock();
        this.deps.metrics?.busRoundTrip((this.lastHeartbeat - message.at) / 1000);
        if (this.mode !== "bus") this.evaluate();
      } else if (message.listening) this.listening.set(message.origin, this.clock());
      else this.listening.delete(message.origin);
      return;
    }
    if (message.origin === this.instanceId) return;
    if (message.kind === "audit-head") this.deps.stream.advance(message.sequence);
    else if (message.kind === "audit") {
      const last = message.records[message.records.length - 1];
      if (last) this.deps.metrics?.remoteEventLag((this.clock() - new Date(last.time).getTime()) / 1000);
      this.deps.stream.offer(message.records);
    } else if (message.kind === "credentials") this.deps.onStateChanged();
    else if (message.version > this.deps.runtime.version()) {
      // Credentials first: they are read from the database again at once, while
      // the policy state recompiles.
      this.deps.onStateChanged();
      void this.refresh();
    }
  }

  /** Recomputes the mode from the bus status and the heartbeat's freshness. */
  private evaluate(): void {
    const bus = this.deps.bus;
    if (!bus) return;
    const healthy = bus.status() === "up" && this.clock() - this.lastHeartbeat <= this.timing.heartbeatTimeoutMs;
    if (healthy && this.mode !== "bus") {
      const wasDegraded = this.warnedAtStart || this.clock() - this.started > this.timing.heartbeatTimeoutMs;
      this.mode = "bus";
      if (wasDegraded) this.deps.log.info("cluster bus is back: changes arrive over Redis again");
      // Messages sent while it was down are lost: read what they described.
      void this.poll();
    } else if (!healthy && this.mode === "bus") {
      this.mode = "polling";
      this.deps.log.warn(`cluster bus unreachable: polling the database every ${this.timing.pollMs} ms for changes`);
      void this.poll();
    } else if (!healthy && !this.warnedAtStart && this.clock() - this.started > this.timing.heartbeatTimeoutMs) {
      this.warnedAtStart = true;
      this.deps.log.warn(
        `cluster bus unreachable since start: polling the database every ${this.timing.pollMs} ms for changes`,
      );
    }
  }

  /** Catches up with the stored policy state; concurrent calls coalesce into one more run. */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          if (await this.deps.writer.catchUp()) this.deps.onStateChanged();
        } catch (err) {
          this.deps.log.warn("could not catch up with the stored policy state", { error: String(err) });
        }
      } while (this.refreshAgain);
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private every(ms: number, tick: () => void): void {
    const timer = setInterval(tick, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
