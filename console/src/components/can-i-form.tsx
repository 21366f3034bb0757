// "Can I…?": asks `can` about the signed-in user and shows the decision, its
// reason, the rule that decided and the engine's explanation.
import { useClient } from "@urql/preact";
import type { CombinedError } from "@urql/core";
import { useState } from "preact/hooks";
import { ErrorNote } from "./error-note";
import { CAN, type CheckResult } from "../operations";

export function CanIForm() {
  const client = useClient();
  const [action, setAction] = useState("");
  const [type, setType] = useState("");
  const [namespace, setNamespace] = useState("");
  const [name, setName] = useState("");
  const [answer, setAnswer] = useState<CheckResult | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const ask = async () => {
    const r = await client
      .query(CAN, { action, resource: { type, namespace, name } }, { requestPolicy: "network-only" })
      .toPromise();
    setError(r.error ?? null);
    setAnswer(r.data?.can ?? null);
  };
  return (
    <section aria-labelledby="can-heading">
      <h2 id="can-heading">Can I…?</h2>
      <form
        class="grid"
        onSubmit={(e) => {
          e.preventDefault();
          void ask();
        }}
      >
        <label>
          Action{" "}
          <input
            name="action"
            required
            placeholder="restart"
            value={action}
            onInput={(e) => setAction(e.currentTarget.value)}
          />
        </label>
        <label>
          Resource type{" "}
          <input name="type" required placeholder="job" value={type} onInput={(e) => setType(e.currentTarget.value)} />
        </label>
        <label>
          Namespace{" "}
          <input
            name="namespace"
            placeholder="prod/payments"
            value={namespace}
            onInput={(e) => setNamespace(e.currentTarget.value)}
          />
        </label>
        <label>
          Name <input name="name" placeholder="api" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit">Ask</button>
      </form>
      <ErrorNote error={error} onRetry={() => void ask()} />
      {answer && (
        <div class={`decision ${answer.allowed ? "allow" : "deny"}`} role="status" data-testid="can-answer">
          <p>
            <strong>{answer.allowed ? "Allowed" : "Denied"}</strong> — {answer.reason}
            {answer.decidedBy && (
              <span class="muted">
                {" "}
                by {answer.decidedBy.role ? `role ${answer.decidedBy.role}, ` : ""}policy {answer.decidedBy.policy},
                rule {answer.decidedBy.ruleIndex}
              </span>
            )}
          </p>
          <ol class="explanation">
            {answer.explanation.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
