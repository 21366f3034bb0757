// Audit events for tests: written through the running instance's audit log,
// so they are numbered and chained exactly like the events decisions write.
import { randomUUID } from "node:crypto";
import type { AuditEventInput, AuditEventRecord } from "../../src/domain/audit/audit-event";
import { gql, type TestServer } from "./server";

export function anEvent(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    time: new Date(),
    actorId: randomUUID(),
    actorEmail: `a-${randomUUID().slice(0, 8)}@example.com`,
    actorRoles: ["viewer"],
    tokenId: null,
    sourceIp: "10.0.0.1",
    operation: "check",
    action: "read",
    resourceType: "job",
    resourceNamespace: "prod",
    resourceName: `job-${randomUUID().slice(0, 8)}`,
    subjectId: null,
    decision: "ALLOW",
    reason: "ALLOWED",
    requestId: randomUUID(),
    metadata: { note: "test" },
    ...overrides,
  };
}

/** Records the events one after another, so their sequences follow the array's order. */
export async function recordEvents(server: TestServer, events: AuditEventInput[]): Promise<AuditEventRecord[]> {
  const written: AuditEventRecord[] = [];
  for (const event of events) written.push(await server.app.services.audit.record(event));
  return written;
}

export const AUDIT_EVENT_FIELDS = `id sequence time actorId actorEmail actorRoles tokenId sourceIp operation action resourceType
  resourceNamespace resourceName subjectId decision reason requestId metadata prevHash hash`;

/** An AuditEvent as AUDIT_EVENT_FIELDS selects it over GraphQL (times as ISO-8601 strings). */
export interface AuditEventView {
  id: string;
  sequence: number;
  time: string;
  actorId: string | null;
  actorEmail: string | null;
  actorRoles: string[];
  tokenId: string | null;
  sourceIp: string | null;
  operation: string;
  action: string | null;
  resourceType: string | null;
  resourceNamespace: string | null;
  resourceName: string | null;
  subjectId: string | null;
  decision: string;
  reason: string;
  requestId: string;
  metadata: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

/** The events of NDJSON text (an export, or `-o ndjson` output), one per non-empty line. */
export function ndjsonEvents(text: string): AuditEventView[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as AuditEventView);
}

export interface AuditPage {
  auditEvents: { nodes: AuditEventView[]; nextCursor: string | null };
}

const SEARCH = `query($filter: AuditFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) { nodes { ${AUDIT_EVENT_FIELDS} } nextCursor }
}`;

export async function searchAudit(server: TestServer, token: string, variables: Record<string, unknown>) {
  return gql<AuditPage>(server.url, SEARCH, { token, variables });
}

/** Every page of a search, in order; fails on any error. */
export async function allPages(
  server: TestServer,
  token: string,
  filter: Record<string, unknown>,
  first: number,
): Promise<AuditEventView[]> {
  const nodes: AuditEventView[] = [];
  let after: string | null = null;
  for (;;) {
    const res = await searchAudit(server, token, { filter, first, after });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    nodes.push(...res.data!.auditEvents.nodes);
    after = res.data!.auditEvents.nextCursor;
    if (after === null) return nodes;
  }
}
