// Policies as code: edit a policy or role (or a whole bundle) as YAML, see its
// problems at their lines, plan with applyBundle's dry run (object diff, who
// gains and loses what, the audit replay's flips), then apply at the plan's version.
import { useClient, useQuery } from "@urql/preact";
import type { CombinedError } from "@urql/core";
import { useMemo, useState } from "preact/hooks";
import { ErrorNote, errorFacts } from "../components/error-note";
import { YamlEditor } from "../components/yaml-editor";
import { lintDocuments, placeServerIssues, type Problem } from "../document-lint";
import {
  APPLY_BUNDLE,
  POLICIES,
  POLICY_DOCUMENT,
  ROLES,
  ROLE_DOCUMENT,
  type BundlePlan,
  type ReplayFlip,
} from "../operations";
import { provenance } from "./access-page";

const lineOf = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

export function EditorPage(props: { canAudit: boolean }) {
  const client = useClient();
  const [policies] = useQuery({ query: POLICIES });
  const [roles] = useQuery({ query: ROLES });
  const [text, setText] = useState("");
  const [loaded, setLoaded] = useState("");
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [plan, setPlan] = useState<{ plan: BundlePlan; text: string } | null>(null);
  const [applied, setApplied] = useState<BundlePlan | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const problems = useMemo(() => [...lintDocuments(text), ...serverProblems], [text, serverProblems]);

  const load = async (choice: string) => {
    const [kind, name] = choice.split(":", 2) as [string, string];
    const options = { requestPolicy: "network-only" } as const;
    const r =
      kind === "policy"
        ? await client.query(POLICY_DOCUMENT, { name }, options).toPromise()
        : await client.query(ROLE_DOCUMENT, { name }, options).toPromise();
    setError(r.error ?? null);
    const doc = r.data && ("policy" in r.data ? r.data.policy?.document : r.data.role?.document);
    if (doc !== undefined) {
      setLoaded(doc);
      setText(doc);
      setPlan(null);
      setApplied(null);
      setServerProblems([]);
    }
  };
  const run = async (dryRun: boolean) => {
    const r = await client
      .mutation(APPLY_BUNDLE, {
        document: text,
        dryRun,
        expectedVersion: dryRun ? null : (plan?.plan.version ?? null),
        withReplay: dryRun && props.canAudit,
      })
      .toPromise();
    setError(r.error ?? null);
    const facts = r.error ? errorFacts(r.error) : null;
    setServerProblems(
      facts?.code === "BAD_USER_INPUT" ? placeServerIssues(text, facts.issues ?? [{ message: facts.message }]) : [],
    );
    if (!r.data) return;
    if (dryRun) {
      setPlan({ plan: r.data.applyBundle, text });
      setApplied(null);
    } else {
      setApplied(r.data.applyBundle);
      setPlan(null);
    }
  };
  const planIsCurrent = plan !== null && plan.text === text && plan.plan.escalations.length === 0;
  return (
    <>
      <h1>Policies as code</h1>
      <div class="toolbar">
        <label>
          Open
          <select
            name="open"
            value=""
            onChange={(e) => {
              if (e.currentTarget.value) void load(e.currentTarget.value);
            }}
          >
            <option value="">choose a policy or role…</option>
            <optgroup label="Policies">
              {(policies.data?.policies ?? []).map((p) => (
                <option key={p.name} value={`policy:${p.name}`}>
                  {p.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Roles">
              {(roles.data?.roles ?? []).map((r) => (
                <option key={r.name} value={`role:${r.name}`}>
                  {r.name}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <button
          type="button"
          onClick={() => void run(true)}
          disabled={text.trim() === "" || lintDocuments(text).length > 0}
        >
          Plan
        </button>
        <button type="button" onClick={() => void run(false)} disabled={!planIsCurrent}>
          Apply
        </button>
        {text !== loaded && loaded !== "" && <span class="muted">edited</span>}
      </div>
      <YamlEditor
        value={loaded}
        onChange={(t) => {
          setText(t);
          setServerProblems([]);
        }}
        serverProblems={serverProblems}
        label="YAML document"
      />
      {problems.length > 0 && (
        <ul class="problems" aria-label="Problems">
          {problems.map((p, i) => (
            <li key={i} data-line={lineOf(text, p.from)}>
              line {lineOf(text, p.from)}: {p.message}
            </li>
          ))}
        </ul>
      )}
      <ErrorNote error={error} />
      {plan && <PlanView plan={plan.plan} />}
      {applied && (
        <p class="decision allow" role="status" data-testid="applied">
          {applied.applied
            ? `Applied: ${applied.summary.created} created, ${applied.summary.updated} updated, ${applied.summary.deleted} deleted (version ${applied.version}).`
            : "Nothing to apply: the state already matches."}
        </p>
      )}
    </>
  );
}

function PlanView(props: { plan: BundlePlan }) {
  const p = props.plan;
  return (
    <section aria-labelledby="plan-heading" class="plan" data-testid="plan">
      <h2 id="plan-heading">Plan (against version {p.version})</h2>
      <p>
        {p.summary.created} to create, {p.summary.updated} to update, {p.summary.deleted} to delete;{" "}
        {p.summary.usersGaining} users gain, {p.summary.usersLosing} lose.
      </p>
      {p.escalations.length > 0 && (
        <div class="error" role="alert">
          <strong>You cannot apply this:</strong>
          <ul>
            {p.escalations.map((e, i) => (
              <li key={i}>
                {e.kind} {e.name}: {e.message}
                {e.capability && ` (needs ${e.capability})`}
              </li>
            ))}
          </ul>
        </div>
      )}
      {p.changes.map((c) => (
        <details key={`${c.kind}:${c.name}`} open>
          <summary>
            {c.action} {c.kind} <strong>{c.name}</strong>
          </summary>
          {c.diff && (
            <pre class="diff">
              {c.diff.split("\n").map((line, i) => (
                <span key={i} class={line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : ""}>
                  {line}
                  {"\n"}
                </span>
              ))}
            </pre>
          )}
        </details>
      ))}
      {p.accessChanges.length > 0 && (
        <>
          <h3>Who gains and who loses</h3>
          <ul class="access-changes">
            {p.accessChanges.map((a) => (
              <li key={a.user.email}>
                <strong>{a.user.email}</strong>
                <ul>
                  {a.changes.map((c, i) => (
                    <li key={i} class={c.change === "GAINED" ? "allow" : "deny"}>
                      {c.change === "GAINED" ? "gains" : "loses"} {c.permission.effect.toLowerCase()}{" "}
                      {c.permission.capabilities.join(", ")} on {c.permission.resourceType}{" "}
                      <code>
                        {c.permission.namespace}/{c.permission.name}
                      </code>{" "}
                      <span class="muted">({provenance(c.permission)})</span>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
      {p.replay && (
        <>
          <h3>Audit replay</h3>
          <p>
            {p.replay.replayed} past decisions decided again: {p.replay.allowToDeny} allowed would now be denied,{" "}
            {p.replay.denyToAllow} denied would now be allowed.
          </p>
          <Flips title="Would now be denied" flips={p.replay.allowToDenyFlips} />
          <Flips title="Would now be allowed" flips={p.replay.denyToAllowFlips} />
        </>
      )}
    </section>
  );
}

function Flips(props: { title: string; flips: ReplayFlip[] }) {
  if (props.flips.length === 0) return null;
  return (
    <>
      <h4>{props.title}</h4>
      <ul>
        {props.flips.map((f) => (
          <li key={f.event.sequence}>
            #{f.event.sequence} {f.event.actorEmail ?? "?"} {f.event.action ?? f.event.operation}{" "}
            {f.event.resourceType ?? ""} → {f.now.reason}
          </li>
        ))}
      </ul>
    </>
  );
}
