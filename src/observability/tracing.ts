// Optional OpenTelemetry traces. Nothing of OpenTelemetry is loaded unless
// OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test hands in an exporter): the SDK
// patches http, express, graphql, mysql2 and ioredis as they are required, so
// this runs before any of them load (main.ts imports ./observability/start-tracing first).
//
// Tracing is process-wide by nature (it patches modules), so the one piece of
// state here is process-wide too: the API handle once the SDK runs.
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";

type OtelApi = typeof import("@opentelemetry/api");

let api: OtelApi | null = null;
let stopSdk: (() => Promise<void>) | null = null;

export interface TracingOptions {
  /** Where spans go instead of OTLP (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/** Starts the SDK when configured; returns whether tracing is on. Safe to call twice (the second call does nothing). */
export function startTracing(env: NodeJS.ProcessEnv = process.env, options: TracingOptions = {}): boolean {
  if (api !== null) return true;
  if (!options.exporter && !env.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  // Spans only: metrics are served at /metrics and logs go to stderr.
  env.OTEL_METRICS_EXPORTER ??= "none";
  env.OTEL_LOGS_EXPORTER ??= "none";
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is configured */
  const { NodeSDK } = require("@opentelemetry/sdk-node") as typeof import("@opentelemetry/sdk-node");
  const { SimpleSpanProcessor } =
    require("@opentelemetry/sdk-trace-base") as typeof import("@opentelemetry/sdk-trace-base");
  const { HttpInstrumentation } =
    require("@opentelemetry/instrumentation-http") as typeof import("@opentelemetry/instrumentation-http");
  const { ExpressInstrumentation } =
    require("@opentelemetry/instrumentation-express") as typeof import("@opentelemetry/instrumentation-express");
  const { GraphQLInstrumentation } =
    require("@opentelemetry/instrumentation-graphql") as typeof import("@opentelemetry/instrumentation-graphql");
  const { MySQL2Instrumentation } =
    require("@opentelemetry/instrumentation-mysql2") as typeof import("@opentelemetry/instrumentation-mysql2");
  const { IORedisInstrumentation } =
    require("@opentelemetry/instrumentation-ioredis") as typeof import("@opentelemetry/instrumentation-ioredis");
  const otel = require("@opentelemetry/api") as OtelApi;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? "portcullis",
    ...(options.exporter ? { spanProcessors: [new SimpleSpanProcessor(options.exporter)] } : {}),
    instrumentations: [
      new HttpInstrumentation(),
      new ExpressInstrumentation(),
      // One span per operation phase, not one per field: resolvers of plain properties are not traced.
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true }),
      new MySQL2Instrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  api = otel;
  stopSdk = () => sdk.shutdown();
  return true;
}

/** The trace the current code runs in; null when tracing is off or there is none. */
export function currentTraceId(): string | null {
  if (api === null) return null;
  const context = api.trace.getActiveSpan()?.spanContext();
  return context && api.isSpanContextValid(context) ? context.traceId : null;
}

/**
 * Runs `work` in a span of its own, a child of the current one, when tracing is
 * on; otherwise just runs it. For waits done off this thread (the audit writer's
 * commit), which no instrumentation sees.
 */
export function inSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  const otel = api;
  if (otel === null) return work();
  return otel.trace.getTracer("portcullis").startActiveSpan(name, (span) =>
    work().then(
      (value) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        span.recordException(err instanceof Error ? err : String(err));
        span.setStatus({ code: otel.SpanStatusCode.ERROR });
        span.end();
        throw err;
      },
    ),
  );
}

/** Sends the spans still buffered; call before the process exits. */
export async function stopTracing(): Promise<void> {
  const stop = stopSdk;
  stopSdk = null;
  await stop?.();
}
