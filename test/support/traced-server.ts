// Run as a child process by the tracing test: tracing must patch http, express,
// graphql and mysql2 before they are loaded, which the test process has long
// done. Starts a server on a fresh database of DATABASE_KIND (tracing into
// memory), sends one `can` request with the inbound `traceparent` of TRACEPARENT,
// and prints one JSON object: the finished spans, the access lines and the
// request's audit events.
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { startTracing, stopTracing } from "../../src/observability/tracing";

const exporter = new InMemorySpanExporter();
startTracing({}, { exporter });

async function main(): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded after tracing started, so that it is patched */
  const { databaseKinds } = require("./databases") as typeof import("./databases");
  const { startServer } = require("./server") as typeof import("./server");
  const { createLogger } = require("../../src/observability/logger") as typeof import("../../src/observability/logger");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const kind = databaseKinds().find((k) => k.name === process.env.DATABASE_KIND);
  if (!kind) throw new Error(`no database of kind ${process.env.DATABASE_KIND}`);
  const lines: Array<Record<string, unknown>> = [];
  const server = await startServer(kind, {}, undefined, {
    logger: createLogger("info", (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
  });
  try {
    const res = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${server.adminToken}`,
        traceparent: process.env.TRACEPARENT ?? "",
      },
      body: JSON.stringify({
        query: `query { can(action: "read", resource: { type: "system", namespace: "system", name: "x" }) { allowed } }`,
      }),
    });
    const requestId = res.headers.get("x-request-id");
    await res.text();
    await new Promise((r) => setTimeout(r, 300));
    const page = await server.app.services.auditTrail.search({ operation: "check" }, 100, null);
    const spans = exporter.getFinishedSpans().map((s) => ({
      name: s.name,
      kind: s.kind,
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext?.spanId ?? null,
      scope: s.instrumentationScope.name,
      dbStatement: s.attributes["db.statement"] ?? s.attributes["db.query.text"] ?? null,
    }));
    process.stdout.write(
      JSON.stringify({
        status: res.status,
        requestId,
        spans,
        access: lines.filter((l) => l.message === "request" && l.requestId === requestId),
        audit: page.nodes
          .filter((e) => e.requestId === requestId)
          .map((e) => ({ action: e.action, metadata: e.metadata })),
      }) + "\n",
    );
  } finally {
    await server.close();
    await stopTracing();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
