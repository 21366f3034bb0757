// The cluster bus over Redis pub/sub (ioredis): one connection publishes, one
// subscribes. Both reconnect on their own; while either is away the bus says
// `down`, and what is published meanwhile is dropped, never queued: the
// receivers catch up from the database instead (see ClusterBus's contract).
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import Redis from "ioredis";
import type { DatabaseConfig } from "../config";
import type { AuditEventRecord } from "../domain/audit/audit-event";
import type { BusStatus, ClusterBus, ClusterMessage } from "../domain/ports/cluster-bus.port";

export interface RedisBusOptions {
  url: string;
  /** One channel per deployment: instances of another database on the same Redis never mix. */
  channel: string;
  onError?: (err: Error) => void;
}

/**
 * The channel of one deployment: named after the database the instances share
 * (host, port and database name, or the SQLite file), never its credentials.
 */
export function deploymentChannel(database: DatabaseConfig): string {
  let identity: string;
  if (database.kind === "sqlite") identity = `sqlite:${resolve(database.path)}`;
  else {
    const url = new URL(database.url);
    identity = `mysql://${url.hostname}:${url.port || "3306"}${url.pathname}`;
  }
  return `portcullis:${createHash("sha256").update(identity).digest("hex").slice(0, 16)}:cluster`;
}

const retryStrategy = (attempt: number): number => Math.min(100 * attempt, 1000);

export class RedisClusterBus implements ClusterBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<(message: ClusterMessage) => void>();
  private readonly statusListeners = new Set<(status: BusStatus) => void>();
  private subscribed = false;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    const common = {
      retryStrategy,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      lazyConnect: true,
    };
    this.publisher = new Redis(options.url, { ...common, connectionName: "portcullis-publish" });
    this.subscriber = new Redis(options.url, {
      ...common,
      connectionName: "portcullis-subscribe",
      autoResubscribe: false,
    });
    const onError = (err: Error) => options.onError?.(err);
    this.publisher.on("error", onError);
    this.subscriber.on("error", onError);
    this.publisher.on("ready", () => this.changed());
    this.publisher.on("close", () => this.changed());
    this.subscriber.on("ready", () => {
      this.subscriber.subscribe(options.channel).then(
        () => {
          this.subscribed = true;
          this.changed();
        },
        (err: Error) => onError(err),
      );
    });
    this.subscriber.on("close", () => {
      this.subscribed = false;
      this.changed();
    });
    this.subscriber.on("message", (channel: string, text: string) => {
      if (channel !== options.channel) return;
      const message = decode(text);
      if (message) for (const listener of this.listeners) listener(message);
    });
    // Connection failures surface as `error` events and retries, never as a failed start.
    this.publisher.connect().catch(() => undefined);
    this.subscriber.connect().catch(() => undefined);
  }

  publish(message: ClusterMessage): void {
    if (this.closed || this.publisher.status !== "ready") return;
    this.publisher.publish(this.options.channel, JSON.stringify(message)).catch(() => undefined);
  }

  subscribe(listener: (message: ClusterMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: BusStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  status(): BusStatus {
    return !this.closed && this.subscribed && this.publisher.status === "ready" ? "up" : "down";
  }

  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.statusListeners.clear();
    this.publisher.disconnect();
    this.subscriber.disconnect();
    return Promise.resolve();
  }

  private changed(): void {
    const status = this.status();
    for (const listener of this.statusListeners) listener(status);
  }
}

/** Parses a message; anything malformed is ignored (the database stays the authority). */
function decode(text: string): ClusterMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const m = value as Record<string, unknown>;
  if (typeof m.origin !== "string") return null;
  if (m.kind === "heartbeat" && typeof m.at === "number") return { kind: "heartbeat", origin: m.origin, at: m.at };
  if (m.kind === "credentials") return { kind: "credentials", origin: m.origin };
  if (m.kind === "state" && Number.isSafeInteger(m.version))
    return { kind: "state", origin: m.origin, version: m.version as number };
  if (m.kind === "audit" && Array.isArray(m.records)) {
    const records = (m.records as Array<Record<string, unknown>>).map(reviveRecord);
    return records.every((r) => r !== null) ? { kind: "audit", origin: m.origin, records: records } : null;
  }
  return null;
}

function reviveRecord(r: Record<string, unknown>): AuditEventRecord | null {
  if (typeof r !== "object" || r === null || !Number.isSafeInteger(r.sequence) || typeof r.time !== "string")
    return null;
  const time = new Date(r.time);
  if (Number.isNaN(time.getTime())) return null;
  return { ...(r as unknown as AuditEventRecord), time };
}
