import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { gql, startServer } from "../../support/server";

const SCRIPT = join(__dirname, "..", "..", "support", "traced-server.js");
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN = "00f067aa0ba902b7";

interface Traced {
  status: number;
  requestId: string;
  spans: Array<{
    name: string;
    kind: number;
    traceId: string;
    spanId: string;
    parentSpanId: string | null;
    scope: string;
    dbStatement: string | null;
  }>;
  access: Array<Record<string, unknown>>;
  audit: Array<{ action: string; metadata: Record<string, unknown> }>;
}

function runTraced(kind: string): Promise<Traced> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], {
      env: { ...process.env, DATABASE_KIND: kind, TRACEPARENT: `00-${TRACE_ID}-${PARENT_SPAN}-01` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("close", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!) as Traced)
        : reject(new Error(`traced server exited ${code}: ${err}`)),
    );
  });
}

describe("tracing (OpenTelemetry)", function () {
  this.timeout(90_000);

  for (const kind of databaseKinds()) {
    it(`continues an inbound trace through one can request on ${kind.name}, with the trace id in the access line and the audit event`, async function () {
      const traced = await runTraced(kind.name);
      expect(traced.status).to.equal(200);
      const inTrace = traced.spans.filter((s) => s.traceId === TRACE_ID);
      // The server span continues the caller's trace: its parent is the caller's span.
      const server = inTrace.find(
        (s) => s.scope === "@opentelemetry/instrumentation-http" && s.parentSpanId === PARENT_SPAN,
      );
      expect(server, JSON.stringify(traced.spans.map((s) => [s.name, s.scope]))).to.not.equal(undefined);
      const byId = new Map(inTrace.map((s) => [s.spanId, s]));
      const descendsFromServer = (span: { parentSpanId: string | null }): boolean => {
        for (let parent = span.parentSpanId; parent !== null; parent = byId.get(parent)?.parentSpanId ?? null)
          if (parent === server!.spanId) return true;
        return false;
      };
      expect(
        inTrace.some((s) => s.scope === "@opentelemetry/instrumentation-graphql" && descendsFromServer(s)),
      ).to.equal(true);
      expect(
        inTrace.some((s) => s.scope === "@opentelemetry/instrumentation-express" && descendsFromServer(s)),
      ).to.equal(true);
      // The wait for the audit event's commit (written by the audit writer's own thread) is a span in the request's trace.
      const commits = inTrace.filter((s) => s.scope === "portcullis" && s.name === "audit commit");
      expect(commits.length, JSON.stringify(inTrace.map((s) => [s.name, s.scope]))).to.be.at.least(1);
      expect(commits.every(descendsFromServer)).to.equal(true);
      if (kind.name === "mysql") {
        // The request's own statements (the credential lookups) are database spans inside its trace.
        const selects = inTrace.filter(
          (s) => s.scope === "@opentelemetry/instrumentation-mysql2" && /select/i.test(s.dbStatement ?? ""),
        );
        expect(selects.length, JSON.stringify(inTrace.map((s) => [s.name, s.scope]))).to.be.at.least(1);
        expect(selects.every(descendsFromServer)).to.equal(true);
      }
      expect(traced.access).to.have.length(1);
      expect(traced.access[0]).to.include({ traceId: TRACE_ID, requestId: traced.requestId });
      expect(traced.audit).to.have.length(1);
      expect(traced.audit[0].metadata).to.include({ traceId: TRACE_ID });
    });
  }

  it("loads nothing of OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is not set", async () => {
    const server = await startServer(databaseKinds()[0]);
    try {
      expect((await gql(server.url, "{ me { id } }", { token: server.adminToken })).status).to.equal(200);
    } finally {
      await server.close();
    }
    // This process started servers without tracing: neither the SDK nor an instrumentation may be loaded
    // (prom-client reads the bare @opentelemetry/api for exemplars; without an SDK it is inert).
    const loaded = Object.keys(require.cache).filter(
      (path) =>
        path.includes(join("node_modules", "@opentelemetry")) && !path.includes(join("@opentelemetry", "api", "")),
    );
    expect(loaded).to.deep.equal([]);
  });
});
