// Requests: ask for a role, follow my requests, and (for reviewers) the inbox
// with the requester's current access and what approval would add.
import { useMutation, useQuery } from "@urql/preact";
import { system, useCan } from "../capabilities";
import { useState } from "preact/hooks";
import { Countdown } from "../components/countdown";
import { ErrorNote } from "../components/error-note";
import { DURATIONS, formatDuration, formatTime } from "../format";
import {
  ACCESS_REQUESTS,
  CANCEL_REQUEST,
  REQUEST_ACCESS,
  REVIEW_REQUEST,
  USER_GRANTS,
  reachableRoles,
  type AccessRequest,
  type Me,
  type Rule,
} from "../operations";

export function RequestsPage(props: { me: Me }) {
  const [result, refetch] = useQuery({
    query: ACCESS_REQUESTS,
    requestPolicy: "network-only",
  });
  const reload = () => refetch({ requestPolicy: "network-only" });
  const all = result.data?.accessRequests ?? [];
  const mine = all.filter((r) => r.requester.id === props.me.id);
  const reviewable = new Set(reachableRoles(props.me, "reviewableRoles"));
  const inbox = all.filter(
    (r) =>
      r.requester.id !== props.me.id && r.status === "PENDING" && r.roles.some((role) => reviewable.has(role.name)),
  );
  return (
    <>
      <h1>Requests</h1>
      <AskForm me={props.me} onDone={reload} />
      <ErrorNote error={result.error} onRetry={reload} />
      <section aria-labelledby="mine-heading">
        <h2 id="mine-heading">My requests</h2>
        {mine.length === 0 ? <p class="muted">None yet.</p> : <RequestTable requests={mine} onChange={reload} />}
      </section>
      {reviewable.size > 0 && (
        <section aria-labelledby="inbox-heading">
          <h2 id="inbox-heading">To review</h2>
          {inbox.length === 0 ? (
            <p class="muted">Nothing waits for you.</p>
          ) : (
            inbox.map((r) => <Review key={r.id} request={r} onDone={reload} />)
          )}
        </section>
      )}
    </>
  );
}

function AskForm(props: { me: Me; onDone: () => void }) {
  const requestable = reachableRoles(props.me, "requestableRoles");
  const [state, ask] = useMutation(REQUEST_ACCESS);
  const [role, setRole] = useState("");
  const [reason, setReason] = useState("");
  const [ttl, setTtl] = useState(String(DURATIONS[0][1]));
  const [scope, setScope] = useState("");
  if (requestable.length === 0) return <p class="muted">None of your roles lets you ask for another one.</p>;
  return (
    <section aria-labelledby="ask-heading">
      <h2 id="ask-heading">Ask for a role</h2>
      <form
        class="grid"
        onSubmit={(e) => {
          e.preventDefault();
          void ask({ roles: [role || requestable[0]], reason, ttlSeconds: Number(ttl), scope }).then((r) => {
            if (!r.error) {
              setReason("");
              props.onDone();
            }
          });
        }}
      >
        <label>
          Role
          <select name="role" value={role || requestable[0]} onChange={(e) => setRole(e.currentTarget.value)}>
            {requestable.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Reason <input name="reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <label>
          For
          <select name="duration" value={ttl} onChange={(e) => setTtl(e.currentTarget.value)}>
            {DURATIONS.map(([label, s]) => (
              <option key={s} value={String(s)}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Scope (namespace){" "}
          <input name="scope" placeholder="everywhere" value={scope} onInput={(e) => setScope(e.currentTarget.value)} />
        </label>
        <button type="submit">Ask</button>
      </form>
      <ErrorNote error={state.error} />
    </section>
  );
}

function RequestTable(props: { requests: AccessRequest[]; onChange: () => void }) {
  const [cancelled, cancel] = useMutation(CANCEL_REQUEST);
  return (
    <>
      <ErrorNote error={cancelled.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Roles</th>
            <th scope="col">Reason</th>
            <th scope="col">Status</th>
            <th scope="col">Asked</th>
            <th scope="col">Ends</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.requests.map((r) => (
            <tr key={r.id} data-request={r.id}>
              <td>{r.roles.map((x) => x.name).join(", ")}</td>
              <td>{r.reason}</td>
              <td class={`status status-${r.status.toLowerCase()}`}>{r.status}</td>
              <td>{formatTime(r.createdAt)}</td>
              <td>
                <Countdown until={r.expiresAt} />
              </td>
              <td>
                {r.status === "PENDING" && (
                  <button type="button" onClick={() => void cancel({ id: r.id }).then(props.onChange)}>
                    Cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function RuleList(props: { rules: Rule[] }) {
  return (
    <ul class="rules">
      {props.rules.map((rule, i) => (
        <li key={i}>
          <span class={rule.effect === "DENY" ? "deny" : "allow"}>{rule.effect}</span> {rule.resourceType}{" "}
          <code>
            {rule.namespace}/{rule.name}
          </code>
          : {rule.level ? `${rule.level} (${rule.capabilities.join(", ")})` : rule.capabilities.join(", ")}
          {rule.requireMfa && <span class="badge">MFA</span>}
        </li>
      ))}
    </ul>
  );
}

function Review(props: { request: AccessRequest; onDone: () => void }) {
  const r = props.request;
  const [comment, setComment] = useState("");
  const [state, review] = useMutation(REVIEW_REQUEST);
  const decide = (approve: boolean) =>
    void review({ id: r.id, approve, comment: comment || null }).then((res) => {
      if (!res.error) props.onDone();
    });
  return (
    <article class="card" data-review={r.requester.email} aria-label={`Request from ${r.requester.email}`}>
      <h3>
        {r.requester.email} asks for {r.roles.map((x) => x.name).join(", ")}
      </h3>
      <p>
        “{r.reason}” — for {formatDuration(r.ttlSeconds)}
        {r.scope ? ` in ${r.scope}` : " everywhere"}; undecided until {formatTime(r.expiresAt)}
      </p>
      <div class="columns">
        <div>
          <h4>Holds now</h4>
          <CurrentAccess userId={r.requester.id} />
        </div>
        <div>
          <h4>Approval would add</h4>
          {r.roles.map((role) => (
            <div key={role.name}>
              {role.policies.map((p) => (
                <div key={p.name}>
                  <strong>{role.name}</strong> · policy {p.name}
                  <RuleList rules={p.rules} />
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
      {r.reviews.length > 0 && (
        <p class="muted">
          Reviews so far: {r.reviews.map((v) => `${v.reviewer.email} ${v.approve ? "approved" : "denied"}`).join("; ")}
        </p>
      )}
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <label>
          Comment <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
        <button type="button" onClick={() => decide(true)}>
          Approve
        </button>
        <button type="button" class="danger" onClick={() => decide(false)}>
          Deny
        </button>
      </form>
      <ErrorNote error={state.error} />
    </article>
  );
}

/** The requester's active grants, when the reviewer may list grants (grant:list); otherwise says so. */
function CurrentAccess(props: { userId: string }) {
  const can = useCan([system("grant", "list")]);
  const [result] = useQuery({
    query: USER_GRANTS,
    variables: { userId: props.userId },
    pause: !can.allowed[0],
  });
  if (!can.ready) return null;
  if (!can.allowed[0]) return <p class="muted">Your access does not include listing grants (grant:list).</p>;
  const current = (result.data?.grants ?? []).filter((g) => g.active);
  return (
    <>
      <ErrorNote error={result.error} />
      <ul>
        {result.data && current.length === 0 && <li class="muted">no roles</li>}
        {current.map((g) => (
          <li key={g.id}>
            {g.role.name}
            {g.scope && ` in ${g.scope}`} <Countdown until={g.expiresAt} />
          </li>
        ))}
      </ul>
    </>
  );
}
