// Prometheus metrics (prom-client), one registry per app: several servers may
// run in one process (tests), and none of them shares a counter with another.
//
// The layers that know a fact report it through the small interfaces below,
// handed to them at construction; the engine knows nothing of metrics (its
// size is read from it at scrape time).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type {
  AuditMetrics,
  ClusterMetrics,
  DecisionMetrics,
  EngineMetrics,
  FeedMetrics,
  MetricSources,
} from "./metric-ports";

export * from "./metric-ports";

export interface Metrics extends DecisionMetrics, AuditMetrics, FeedMetrics, ClusterMetrics, EngineMetrics {
  readonly registry: Registry;
  /** One GraphQL request over HTTP: a bounded operation label, its outcome, its duration. */
  graphqlRequest(operation: string, outcome: string, seconds: number): void;
  /** Connects the gauges that are read at scrape time. */
  watch(sources: MetricSources): void;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<{ contentType: string; body: string }>;
}

const SECONDS_FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SECONDS_SLOW = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CLUSTER_MODES = ["single", "bus", "polling"];
/** Failure kinds are codes (`expired`, `SAML_RESPONSE_REFUSED`, `idp_unavailable`); anything else is counted as "other". */
const FAILURE_KIND = /^[A-Za-z_]{1,40}$/;

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  let sources: MetricSources | null = null;

  const decisions = new Counter({
    name: "portcullis_decisions_total",
    help: "Decisions taken, by reason and audit operation.",
    labelNames: ["reason", "operation"],
    registers,
  });
  const decisionSeconds = new Histogram({
    name: "portcullis_decision_duration_seconds",
    help: "Time from the question to its durable audit event, per decided question.",
    labelNames: ["operation"],
    buckets: SECONDS_FAST,
    registers,
  });
  const graphqlRequests = new Counter({
    name: "portcullis_graphql_requests_total",
    help: "GraphQL requests over HTTP, by root field (or other) and outcome.",
    labelNames: ["operation", "outcome"],
    registers,
  });
  const graphqlSeconds = new Histogram({
    name: "portcullis_graphql_request_duration_seconds",
    help: "GraphQL request duration over HTTP, by root field (or other).",
    labelNames: ["operation"],
    buckets: SECONDS_SLOW,
    registers,
  });
  const authFailures = new Counter({
    name: "portcullis_authentication_failures_total",
    help: "Failed authentications, by kind (missing, expired, revoked, SAML_RESPONSE_REFUSED…).",
    labelNames: ["kind"],
    registers,
  });
  const auditWritten = new Counter({
    name: "portcullis_audit_events_written_total",
    help: "Audit events written by this instance.",
    registers,
  });
  const auditBatch = new Histogram({
    name: "portcullis_audit_batch_size",
    help: "Events per audit group commit.",
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
    registers,
  });
  const auditCommitSeconds = new Histogram({
    name: "portcullis_audit_commit_duration_seconds",
    help: "Duration of one audit group commit.",
    buckets: SECONDS_SLOW,
    registers,
  });
  new Gauge({
    name: "portcullis_audit_queue_depth",
    help: "Audit events waiting for a group commit.",
    registers,
    collect() {
      this.set(sources?.auditQueueDepth() ?? 0);
    },
  });
  const subscriptionsOpen = new Gauge({
    name: "portcullis_subscriptions_open",
    help: "Open auditEvents subscriptions.",
    registers,
  });
  const delivered = new Counter({
    name: "portcullis_subscription_events_delivered_total",
    help: "Audit events delivered to subscribers (one per subscriber and event).",
    registers,
  });
  const dropped = new Counter({
    name: "portcullis_subscription_events_dropped_total",
    help: "Audit events dropped from the buffers of subscribers ended for falling behind.",
    registers,
  });
  new Gauge({
    name: "portcullis_cluster_mode",
    help: "How this instance learns of the others' changes: 1 for the current mode (single, bus, polling).",
    labelNames: ["mode"],
    registers,
    collect() {
      const mode = sources?.clusterMode() ?? "single";
      for (const m of CLUSTER_MODES) this.set({ mode: m }, m === mode ? 1 : 0);
    },
  });
  const busRoundTrip = new Gauge({
    name: "portcullis_cluster_bus_round_trip_seconds",
    help: "Time the last heartbeat took to come back over the cluster bus.",
    registers,
  });
  const remoteLag = new Histogram({
    name: "portcullis_cluster_event_lag_seconds",
    help: "Delay between another instance writing audit events and this instance receiving them over the bus.",
    buckets: SECONDS_SLOW,
    registers,
  });
  const compileSeconds = new Histogram({
    name: "portcullis_engine_compile_duration_seconds",
    help: "Duration of a full compile of the policy state.",
    buckets: SECONDS_SLOW,
    registers,
  });
  new Gauge({
    name: "portcullis_engine_state_size",
    help: "What the compiled policy state holds: users, grants, rules.",
    labelNames: ["kind"],
    registers,
    collect() {
      const size = sources?.engineSize() ?? { users: 0, grants: 0, rules: 0 };
      for (const [kind, n] of Object.entries(size)) this.set({ kind }, n);
    },
  });

  return {
    registry,
    decided(operation, reason, seconds, count = 1) {
      decisions.inc({ reason, operation }, count);
      for (let i = 0; i < count; i++) decisionSeconds.observe({ operation }, seconds);
    },
    written(events) {
      auditWritten.inc(events.length);
      for (const event of events) {
        if (event.operation !== "authenticate" || event.decision !== "DENY") continue;
        const failure = event.metadata?.failure;
        authFailures.inc({ kind: typeof failure === "string" && FAILURE_KIND.test(failure) ? failure : "other" });
      }
    },
    batchCommitted(size, seconds) {
      auditBatch.observe(size);
      auditCommitSeconds.observe(seconds);
    },
    subscriptionOpened: () => subscriptionsOpen.inc(),
    subscriptionClosed: () => subscriptionsOpen.dec(),
    delivered: () => delivered.inc(),
    dropped: (count) => dropped.inc(count),
    busRoundTrip: (seconds) => busRoundTrip.set(seconds),
    remoteEventLag: (seconds) => remoteLag.observe(Math.max(0, seconds)),
    compiled: (seconds) => compileSeconds.observe(seconds),
    graphqlRequest(operation, outcome, seconds) {
      graphqlRequests.inc({ operation, outcome });
      graphqlSeconds.observe({ operation }, seconds);
    },
    watch(given) {
      sources = given;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
