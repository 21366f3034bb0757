import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { gql, startServer, type TestServer } from "../../support/server";
import { subscribe } from "../../support/subscriptions";
import { sample, scrape } from "../../support/prometheus";

const [sqlite] = databaseKinds();
const redisUrl = process.env.TEST_REDIS_URL;

const CAN = `query Can { can(action: "read", resource: { type: "system", namespace: "system", name: "x" }) { allowed reason } }`;
const CAN_MANY = `{ canMany(checks: [${["read", "read", "write", "delete"]
  .map((action, i) => `{ action: "${action}", resource: { type: "system", namespace: "system", name: "x${i}" } }`)
  .join(", ")}]) { allowed reason } }`;

describe("metrics", function () {
  this.timeout(60_000);

  describe("GET /metrics after a few requests", () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(sqlite, redisUrl ? { REDIS_URL: redisUrl } : {});
    });
    after(async () => {
      await server?.close();
    });

    it("serves each metric with values that match what was asked", async () => {
      const feed = subscribe(server, "subscription { auditEvents { operation } }", { token: server.adminToken });
      for (let i = 0; i < 3; i++)
        expect((await gql(server.url, CAN, { token: server.adminToken })).status).to.equal(200);
      // Four decisions in one call, each counted.
      const many = await gql(server.url, CAN_MANY, { token: server.adminToken });
      expect(many.errors).to.equal(undefined);
      // A failed authentication, a client mistake and a user-input error.
      expect(
        (await gql(server.url, CAN, { token: "ptc_0000000000000000000000000000000000000000000000" })).errors?.[0]
          ?.extensions?.code,
      ).to.equal("UNAUTHENTICATED");
      expect((await gql(server.url, "{ noSuchField }", { token: server.adminToken })).status).to.equal(400);
      await feed.waitFor((e) => e.auditEvents.operation === "check");
      if (redisUrl) await waitUntil(() => server.app.cluster.currentMode() === "bus");

      const { status, contentType, samples } = await scrape(`${server.url}/metrics`);
      expect(status).to.equal(200);
      expect(contentType).to.match(/^text\/plain; version=0\.0\.4/);
      const value = (name: string, labels: Record<string, string> = {}) => sample(samples, name, labels);

      // Each `can` was a decision, NO_MATCHING_RULE for the admin on an unknown system type... or allowed: count them whatever the reason.
      const checks = samples
        .filter((s) => s.name === "portcullis_decisions_total" && s.labels.operation === "check")
        .reduce((n, s) => n + s.value, 0);
      expect(checks).to.equal(7);
      expect(value("portcullis_decision_duration_seconds_count", { operation: "check" })).to.equal(7);
      expect(value("portcullis_decision_duration_seconds_sum", { operation: "check" }))
        .to.be.greaterThan(0)
        .and.lessThan(10);
      // The subscription's start is a guarded decision too.
      expect(value("portcullis_decisions_total", { operation: "Subscription.auditEvents" })).to.be.at.least(1);

      expect(value("portcullis_graphql_requests_total", { operation: "can", outcome: "ok" })).to.equal(3);
      expect(value("portcullis_graphql_requests_total", { operation: "can", outcome: "UNAUTHENTICATED" })).to.equal(1);
      expect(
        value("portcullis_graphql_requests_total", { operation: "other", outcome: "GRAPHQL_VALIDATION_FAILED" }),
      ).to.equal(1);
      expect(value("portcullis_graphql_request_duration_seconds_count", { operation: "can" })).to.equal(4);
      // Labels are root fields or "other", never the client's operation name.
      expect(samples.some((s) => s.labels.operation === "Can")).to.equal(false);

      expect(value("portcullis_authentication_failures_total", { kind: "checksum" })).to.equal(1);

      const written = value("portcullis_audit_events_written_total")!;
      expect(written).to.be.at.least(5);
      const batches = value("portcullis_audit_batch_size_count")!;
      expect(batches).to.be.at.least(1).and.at.most(written);
      expect(value("portcullis_audit_batch_size_sum")).to.be.at.most(written);
      expect(value("portcullis_audit_commit_duration_seconds_count")).to.equal(batches);
      expect(value("portcullis_audit_queue_depth")).to.equal(0);

      expect(value("portcullis_subscriptions_open")).to.equal(1);
      expect(value("portcullis_subscription_events_delivered_total")).to.be.at.least(1);
      expect(value("portcullis_subscription_events_dropped_total")).to.equal(0);

      const mode = redisUrl ? "bus" : "single";
      expect(value("portcullis_cluster_mode", { mode })).to.equal(1);
      expect(samples.filter((s) => s.name === "portcullis_cluster_mode").reduce((n, s) => n + s.value, 0)).to.equal(1);
      // Bus mode means heartbeats came back; on loopback the round trip may be under the clock's millisecond.
      if (redisUrl) expect(value("portcullis_cluster_bus_round_trip_seconds")).to.be.at.least(0).and.lessThan(2);
      else expect(value("portcullis_cluster_bus_round_trip_seconds")).to.equal(0);
      expect(value("portcullis_cluster_event_lag_seconds_count")).to.be.a("number");

      expect(value("portcullis_engine_compile_duration_seconds_count")).to.be.at.least(1);
      expect(value("portcullis_engine_state_size", { kind: "users" })).to.equal(1);
      expect(value("portcullis_engine_state_size", { kind: "grants" })).to.equal(1);
      expect(value("portcullis_engine_state_size", { kind: "rules" })).to.be.greaterThan(0);

      // collectDefaultMetrics, in this app's own registry.
      expect(value("process_cpu_user_seconds_total")).to.be.greaterThan(0);
      expect(value("nodejs_heap_size_used_bytes")).to.be.greaterThan(0);

      await feed.dispose();
      await waitUntil(
        async () => sample((await scrape(`${server.url}/metrics`)).samples, "portcullis_subscriptions_open") === 0,
      );
    });

    it("keeps each server's counters to itself", async () => {
      const other = await startServer(sqlite);
      try {
        const { samples } = await scrape(`${other.url}/metrics`);
        expect(sample(samples, "portcullis_graphql_requests_total", { operation: "can" })).to.equal(undefined);
        expect(sample(samples, "portcullis_engine_state_size", { kind: "users" })).to.equal(1);
      } finally {
        await other.close();
      }
    });
  });

  describe("METRICS_PORT", () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(sqlite, { METRICS_PORT: "0" });
    });
    after(async () => {
      await server?.close();
    });

    it("serves /metrics on its own port and not on the main one", async () => {
      const port = server.app.metricsPort();
      expect(port)
        .to.be.a("number")
        .and.not.equal(Number(new URL(server.url).port));
      await gql(server.url, CAN, { token: server.adminToken });
      const own = await scrape(`http://127.0.0.1:${port}/metrics`);
      expect(own.status).to.equal(200);
      expect(sample(own.samples, "portcullis_graphql_requests_total", { operation: "can", outcome: "ok" })).to.equal(1);
      expect((await fetch(`${server.url}/metrics`)).status).to.equal(404);
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).to.equal(404);
    });
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
