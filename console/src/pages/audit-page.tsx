// Audit: search with the API's filters and cursor paging, the live feed over
// the auditEvents subscription (denies only by default, resuming after a
// reconnect from the last sequence seen), chain verification and export.
import { useClient } from "@urql/preact";
import { stringifyDocument, type CombinedError } from "@urql/core";
import type { ResultOf } from "@graphql-typed-document-node/core";
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorNote } from "../components/error-note";
import { authHeaders } from "../credentials";
import { formatTime } from "../format";
import { wsClient } from "../graphql-client";
import { AUDIT_EVENTS, AUDIT_FEED, VERIFY_CHAIN, type AuditEvent } from "../operations";

type Filter = Record<string, string>;

const FIELDS: Array<[string, string]> = [
  ["actorEmail", "Actor email"],
  ["operation", "Operation"],
  ["resourceType", "Resource type"],
  ["resourceName", "Resource name"],
  ["role", "Actor role"],
];

const cleanFilter = (f: Filter) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f))
    if (v.trim() !== "") out[k] = k === "since" || k === "until" ? new Date(v).toISOString() : v.trim();
  return out;
};

export function AuditPage() {
  return (
    <>
      <h1>Audit</h1>
      <LiveFeed />
      <Search />
      <Verify />
    </>
  );
}

function Search() {
  const client = useClient();
  const [filter, setFilter] = useState<Filter>({});
  const [pages, setPages] = useState<{ nodes: AuditEvent[]; next: string | null } | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const fetchPage = async (after: string | null) => {
    const r = await client
      .query(AUDIT_EVENTS, { filter: cleanFilter(filter), after }, { requestPolicy: "network-only" })
      .toPromise();
    setError(r.error ?? null);
    if (!r.data) return;
    const page = r.data.auditEvents;
    setPages((prev) => ({ nodes: [...(after && prev ? prev.nodes : []), ...page.nodes], next: page.nextCursor }));
  };
  const exportUrl = `/audit/export?${new URLSearchParams(cleanFilter(filter)).toString()}`;
  const download = async () => {
    const res = await fetch(exportUrl, { headers: authHeaders(), credentials: "same-origin" });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { errors?: Array<{ message: string }> } | null;
      setError(null);
      alert(body?.errors?.[0]?.message ?? `Export failed (HTTP ${res.status})`);
      return;
    }
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = "audit.ndjson";
    a.click();
    URL.revokeObjectURL(url);
  };
  const set = (k: string) => (e: Event) => setFilter({ ...filter, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <section aria-labelledby="search-heading">
      <h2 id="search-heading">Search</h2>
      <form
        class="grid"
        onSubmit={(e) => {
          e.preventDefault();
          void fetchPage(null);
        }}
      >
        {FIELDS.map(([k, label]) => (
          <label key={k}>
            {label} <input name={k} value={filter[k] ?? ""} onInput={set(k)} />
          </label>
        ))}
        <label>
          Decision
          <select name="decision" value={filter.decision ?? ""} onChange={set("decision")}>
            <option value="">any</option>
            <option value="ALLOW">allow</option>
            <option value="DENY">deny</option>
          </select>
        </label>
        <label>
          Since <input type="datetime-local" name="since" value={filter.since ?? ""} onInput={set("since")} />
        </label>
        <label>
          Until <input type="datetime-local" name="until" value={filter.until ?? ""} onInput={set("until")} />
        </label>
        <button type="submit">Search</button>
        <button type="button" onClick={() => void download()}>
          Export (NDJSON)
        </button>
      </form>
      <ErrorNote error={error} />
      {pages && <EventTable events={pages.nodes} label="Search results" />}
      {pages?.next && (
        <button type="button" onClick={() => void fetchPage(pages.next)}>
          More
        </button>
      )}
    </section>
  );
}

function EventTable(props: { events: AuditEvent[]; label: string }) {
  return (
    <table aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Time</th>
          <th scope="col">Decision</th>
          <th scope="col">Actor</th>
          <th scope="col">Operation</th>
          <th scope="col">Resource</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.events.map((e) => (
          <tr key={e.id} data-sequence={e.sequence}>
            <td>{e.sequence}</td>
            <td>{formatTime(e.time)}</td>
            <td class={e.decision === "DENY" ? "deny" : "allow"}>{e.decision}</td>
            <td>{e.actorEmail ?? "—"}</td>
            <td>
              {e.operation}
              {e.action && ` (${e.action})`}
            </td>
            <td>
              {e.resourceType && (
                <code>
                  {e.resourceType}:{e.resourceNamespace}/{e.resourceName}
                </code>
              )}
            </td>
            <td>{e.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LiveFeed() {
  const [deniesOnly, setDeniesOnly] = useState(true);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [status, setStatus] = useState("connecting");
  const [error, setError] = useState<string | null>(null);
  const last = useRef<number | null>(null);
  useEffect(() => {
    setEvents([]);
    last.current = null;
    const client = wsClient();
    let stop: (() => void) | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    // (Re)subscribes from the last sequence seen, so a dropped connection misses nothing. Only one
    // subscription is ever open: the previous one is ended first, and its ending does not start another.
    const start = () => {
      stop?.();
      if (retry !== null) clearTimeout(retry);
      retry = null;
      let ended = false;
      const again = () => {
        if (!closed && !ended && retry === null) retry = setTimeout(start, 1000);
      };
      const dispose = client.subscribe<ResultOf<typeof AUDIT_FEED>>(
        {
          query: stringifyDocument(AUDIT_FEED),
          variables: {
            filter: deniesOnly ? { decision: "DENY" } : null,
            resumeAfter: last.current === null ? null : String(last.current),
          },
        },
        {
          next: (r) => {
            const e = r.data?.auditEvents;
            if (e && (last.current === null || e.sequence > last.current)) {
              last.current = e.sequence;
              setEvents((prev) => [e, ...prev].slice(0, 200));
            }
            if (r.errors?.[0]) setError(r.errors[0].message);
          },
          error: (err: unknown) => {
            const message = Array.isArray(err)
              ? String((err as Array<{ message: string }>)[0]?.message)
              : err instanceof Error
                ? err.message
                : "the connection failed";
            setError(message);
            again();
          },
          // The server ended the feed (not us): start it again.
          complete: again,
        },
      );
      stop = () => {
        ended = true;
        dispose();
      };
    };
    // graphql-ws re-sends the original subscription after a reconnect; replace it with one that resumes.
    const offConnected = client.on("connected", (_socket, _payload, wasRetry) => {
      setStatus("live");
      setError(null);
      if (wasRetry && !closed) start();
    });
    const offClosed = client.on("closed", () => setStatus("reconnecting"));
    start();
    return () => {
      closed = true;
      stop?.();
      if (retry !== null) clearTimeout(retry);
      offConnected();
      offClosed();
    };
  }, [deniesOnly]);
  return (
    <section aria-labelledby="feed-heading">
      <h2 id="feed-heading">Live feed</h2>
      <p>
        <label class="check">
          <input type="checkbox" checked={deniesOnly} onChange={(e) => setDeniesOnly(e.currentTarget.checked)} /> Denies
          only
        </label>{" "}
        <span class="muted" data-testid="feed-status">
          {status}
        </span>
      </p>
      {error && <ErrorNote error={error} />}
      <div aria-live="polite" data-testid="live-feed">
        {events.length === 0 ? (
          <p class="muted">Waiting for events…</p>
        ) : (
          <EventTable events={events} label="Live events" />
        )}
      </div>
    </section>
  );
}

function Verify() {
  const client = useClient();
  const [report, setReport] = useState<ResultOf<typeof VERIFY_CHAIN>["verifyAuditChain"] | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  return (
    <section aria-labelledby="verify-heading">
      <h2 id="verify-heading">Chain verification</h2>
      <button
        type="button"
        onClick={() =>
          void client
            .query(VERIFY_CHAIN, {}, { requestPolicy: "network-only" })
            .toPromise()
            .then((r) => {
              setError(r.error ?? null);
              setReport(r.data?.verifyAuditChain ?? null);
            })
        }
      >
        Verify the chain
      </button>
      <ErrorNote error={error} />
      {report && (
        <p role="status" class={report.ok ? "allow" : "deny"}>
          {report.ok
            ? `Intact: ${report.checked} events checked.`
            : `Broken at sequence ${report.firstBrokenSequence} (${report.checked} checked).`}
        </p>
      )}
    </section>
  );
}
