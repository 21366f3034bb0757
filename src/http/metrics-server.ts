// GET /metrics: on the main server, or alone on METRICS_PORT so that it need not be public.
import { createServer, type Server } from "node:http";
import express from "express";
import type { Metrics } from "../observability/metrics";
import { sendError } from "./error-response";

/** The Prometheus text format of this app's registry. */
export function metricsHandler(metrics: Metrics): express.RequestHandler {
  return (_req, res, next) => {
    metrics.render().then(({ contentType, body }) => res.type(contentType).send(body), next);
  };
}

/** The METRICS_PORT server: GET /metrics and nothing else. */
export function createMetricsServer(metrics: Metrics): Server {
  const app = express();
  app.disable("x-powered-by");
  app.get("/metrics", metricsHandler(metrics));
  app.use((_req, res) => sendError(res, 404, "NOT_FOUND", "not found"));
  return createServer(app);
}
