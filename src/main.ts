// Process entry: configuration, the app, listening, clean shutdown.
// Tracing first: it must patch http, express, graphql, mysql2 and ioredis before they load.
import "./observability/start-tracing";
import "reflect-metadata";
import { createApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { SeedError } from "./domain/seeds/seed-loader";
import { DomainError } from "./domain/errors";
import { boundAddress } from "./http/bound-address";
import { createLogger } from "./observability/logger";
import { stopTracing } from "./observability/tracing";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`portcullis: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, { format: config.logFormat });
  let app;
  try {
    app = await createApp({ config, logger });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`portcullis: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof SeedError || err instanceof DomainError) {
      process.stderr.write(`portcullis: cannot start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  await app.listen();
  const bound = boundAddress(app.http.server);
  // Scripts and tests read the port from this line: `"port":N, … "message":"listening"`.
  logger.info("listening", {
    port: bound.port,
    address: bound.address,
    graphql: bound.graphql,
    database: config.database.kind,
  });
  const metricsPort = app.metricsPort();
  if (metricsPort !== null)
    logger.info("serving metrics", { port: metricsPort, metrics: `http://localhost:${metricsPort}/metrics` });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    const force = setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await app.close();
      await stopTracing().catch(() => undefined);
      logger.info("stopped");
      process.exit(0);
    } catch (err) {
      logger.error("error during shutdown", { error: String(err) });
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(`portcullis: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
