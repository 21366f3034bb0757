// My tokens: create (roles, TTL, CIDRs) with the secret shown once and a copy
// button, rotate, revoke.
import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { Countdown } from "./countdown";
import { ErrorNote } from "./error-note";
import { formatTime, DURATIONS } from "../format";
import { CREATE_TOKEN, MY_TOKENS, REVOKE_TOKEN, ROTATE_TOKEN, type IssuedToken, type Me } from "../operations";

export function TokensSection(props: { me: Me }) {
  const [tokens, refetch] = useQuery({ query: MY_TOKENS });
  const [created, create] = useMutation(CREATE_TOKEN);
  const [rotated, rotate] = useMutation(ROTATE_TOKEN);
  const [revoked, revoke] = useMutation(REVOKE_TOKEN);
  const [secret, setSecret] = useState<IssuedToken | null>(null);
  const [name, setName] = useState("");
  const [roles, setRoles] = useState<string[]>([]);
  const [ttl, setTtl] = useState("86400");
  const [cidrs, setCidrs] = useState("");
  const myRoles = [...new Set(props.me.grants.filter((g) => g.active).map((g) => g.role.name))];
  const reload = () => refetch({ requestPolicy: "network-only" });
  const own = (tokens.data?.tokens ?? []).filter((t) => !t.revokedAt);
  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">My tokens</h2>
      <ErrorNote error={tokens.error} onRetry={reload} />
      {secret && <SecretOnce issued={secret} onDone={() => setSecret(null)} />}
      <form
        class="grid"
        onSubmit={(e) => {
          e.preventDefault();
          const boundCidrs = cidrs
            .split(/[\s,]+/)
            .map((c) => c.trim())
            .filter(Boolean);
          void create({
            input: { name, roles, ttlSeconds: ttl === "" ? null : Number(ttl), boundCidrs },
          }).then((r) => {
            if (r.data) {
              setSecret(r.data.createToken);
              setName("");
              reload();
            }
          });
        }}
      >
        <label>
          Name <input name="token-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>Roles (none: all of mine)</legend>
          {myRoles.map((r) => (
            <label key={r} class="check">
              <input
                type="checkbox"
                checked={roles.includes(r)}
                onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, r] : roles.filter((x) => x !== r))}
              />{" "}
              {r}
            </label>
          ))}
        </fieldset>
        <label>
          Lifetime
          <select value={ttl} onChange={(e) => setTtl(e.currentTarget.value)}>
            {DURATIONS.map(([label, s]) => (
              <option key={s} value={String(s)}>
                {label}
              </option>
            ))}
            <option value="">no expiry</option>
          </select>
        </label>
        <label>
          Allowed networks (CIDRs){" "}
          <input name="cidrs" placeholder="10.0.0.0/8" value={cidrs} onInput={(e) => setCidrs(e.currentTarget.value)} />
        </label>
        <button type="submit">Create token</button>
      </form>
      <ErrorNote error={created.error ?? rotated.error ?? revoked.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Hint</th>
            <th scope="col">Roles</th>
            <th scope="col">Networks</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {own.map((t) => (
            <tr key={t.id} data-token={t.name}>
              <td>{t.name}</td>
              <td>
                <code>{t.hint}</code>
              </td>
              <td>{t.roles.map((r) => r.name).join(", ") || "all of mine"}</td>
              <td>{t.boundCidrs.join(", ") || "anywhere"}</td>
              <td>{formatTime(t.lastUsedAt)}</td>
              <td>
                <Countdown until={t.expiresAt} />
              </td>
              <td class="actions">
                <button
                  type="button"
                  onClick={() =>
                    void rotate({ id: t.id }).then((r) => {
                      if (r.data) {
                        setSecret(r.data.rotateToken);
                        reload();
                      }
                    })
                  }
                >
                  Rotate<span class="sr-only"> {t.name}</span>
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() => {
                    if (confirm(`Revoke the token ${t.name}? Whatever uses it stops working.`))
                      void revoke({ id: t.id }).then(reload);
                  }}
                >
                  Revoke<span class="sr-only"> {t.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The secret, shown this once: the server never returns it again. */
function SecretOnce(props: { issued: IssuedToken; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="secret" role="status">
      <p>
        The secret of <strong>{props.issued.token.name}</strong>. Copy it now: it will not be shown again.
      </p>
      <code data-testid="token-secret">{props.issued.secret}</code>{" "}
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard.writeText(props.issued.secret).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? "Copied" : "Copy"}
      </button>{" "}
      <button type="button" onClick={props.onDone}>
        Done
      </button>
    </div>
  );
}
