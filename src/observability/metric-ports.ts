// What the layers that know a fact report, for metrics: small interfaces handed
// to each at construction (no module-global state). Nothing here loads
// prom-client; metrics.ts implements them.

/** What the decision paths report (DecisionService, audited system checks). */
export interface DecisionMetrics {
  /** `count` (default 1) questions decided with one reason: the audit operation ("check", "Query.users"), the reason, and the time each took until it was audited. */
  decided(operation: string, reason: string, seconds: number, count?: number): void;
}

/** An audit event as far as metrics read it. */
export interface WrittenEvent {
  operation: string;
  decision: string;
  metadata: Record<string, unknown> | null;
}

/** What the group-commit audit log reports. */
export interface AuditMetrics {
  /** Events this instance wrote (group commits and the policy writer's own transactions). */
  written(events: readonly WrittenEvent[]): void;
  /** One group commit: its size and how long its transaction took. */
  batchCommitted(size: number, seconds: number): void;
}

/** What the audit feed (the auditEvents subscription) reports. */
export interface FeedMetrics {
  subscriptionOpened(): void;
  subscriptionClosed(): void;
  delivered(): void;
  /** Events a subscriber lost when it was ended for falling behind. */
  dropped(count: number): void;
}

/** What cluster sync reports. */
export interface ClusterMetrics {
  /** A heartbeat came back over the bus after this long. */
  busRoundTrip(seconds: number): void;
  /** Another instance's audit events arrived this long after they were written. */
  remoteEventLag(seconds: number): void;
}

/** What the policy runtime reports. */
export interface EngineMetrics {
  /** A full compile of the policy state. */
  compiled(seconds: number): void;
}

/** Read when scraped. */
export interface MetricSources {
  auditQueueDepth(): number;
  clusterMode(): string;
  engineSize(): { users: number; grants: number; rules: number };
}

/** Reports nothing: the default where no metrics are wanted (unit tests, the CLI). */
export const noMetrics: DecisionMetrics & AuditMetrics & FeedMetrics & ClusterMetrics & EngineMetrics = {
  decided: () => undefined,
  written: () => undefined,
  batchCommitted: () => undefined,
  subscriptionOpened: () => undefined,
  subscriptionClosed: () => undefined,
  delivered: () => undefined,
  dropped: () => undefined,
  busRoundTrip: () => undefined,
  remoteEventLag: () => undefined,
  compiled: () => undefined,
};

/** Seconds since a `process.hrtime.bigint()` reading. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
