import type { AuditEventRecord } from "../audit/audit-event";

/**
 * What instances sharing one database tell each other (docs/audit.md, docs/running.md).
 * Every message names the instance that sent it; an instance ignores its own
 * `audit` and `state` messages (it applied them before it sent them).
 */
export type ClusterMessage =
  /** Events this instance committed, in sequence order: sent in full while another instance has live subscribers. */
  | { kind: "audit"; origin: string; records: AuditEventRecord[] }
  /** Events up to `sequence` are committed (announced without their content while no other instance listens). */
  | { kind: "audit-head"; origin: string; sequence: number }
  /** This instance committed a policy-state write; the stored version is now `version`. */
  | { kind: "state"; origin: string; version: number }
  /** Credentials changed without a policy-state write (a logout, an MFA step-up): forget cached ones. */
  | { kind: "credentials"; origin: string }
  /**
   * Liveness probe: each instance expects its own heartbeats back. `listening`:
   * the sender has live audit subscribers, so it wants committed events in full.
   */
  | { kind: "heartbeat"; origin: string; at: number; listening?: boolean };

export type BusStatus = "up" | "down";

/**
 * Publish/subscribe between the instances of one deployment.
 * Contracts:
 * - Delivery is at most once and may stop without notice: a subscriber must be
 *   able to catch up from the database (every message describes something that
 *   is already committed there), and must treat `down` as "messages may have
 *   been lost since the last `up`".
 * - `publish` never throws and never waits for the network: a message that
 *   cannot be sent is dropped, and the bus reports `down`.
 * - Every instance on the bus receives every message, its own included, in
 *   the order each publisher sent them.
 */
export interface ClusterBus {
  publish(message: ClusterMessage): void;
  subscribe(listener: (message: ClusterMessage) => void): () => void;
  /** Reports `up` once the subscription is in place, `down` when the connection is lost. */
  onStatus(listener: (status: BusStatus) => void): () => void;
  status(): BusStatus;
  close(): Promise<void>;
}
