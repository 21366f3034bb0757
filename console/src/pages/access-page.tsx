// My access: effective permissions with provenance and expiry, "Can I…?",
// my tokens, this sign-in, my sessions and TOTP enrolment.
import { useQuery } from "@urql/preact";
import { Countdown } from "../components/countdown";
import { ErrorNote } from "../components/error-note";
import { CanIForm } from "../components/can-i-form";
import { SessionsSection } from "../components/sessions-section";
import { TokensSection } from "../components/tokens-section";
import { TotpSection } from "../components/totp-section";
import { formatTime } from "../format";
import { MY_PERMISSIONS, type Credential, type Me, type Permission } from "../operations";

export function AccessPage(props: { me: Me; credential: Credential; refresh: () => void }) {
  return (
    <>
      <h1>My access</h1>
      <PermissionsSection />
      <CanIForm />
      <TokensSection me={props.me} />
      <SessionSection credential={props.credential} />
      <SessionsSection onEndedCurrent={props.refresh} />
      <TotpSection me={props.me} credential={props.credential} refresh={props.refresh} />
    </>
  );
}

export function provenance(p: Permission): string {
  const parts = [`policy ${p.via.policy}`, `rule ${p.via.ruleIndex}`];
  if (p.via.role) parts.unshift(`role ${p.via.role}`);
  if (p.via.grantId) parts.unshift(`grant ${p.via.grantId.slice(0, 8)}`);
  return parts.join(" · ");
}

function PermissionsSection() {
  const [result, refetch] = useQuery({ query: MY_PERMISSIONS });
  const permissions = result.data?.effectivePermissions ?? [];
  const groups = new Map<string, Permission[]>();
  for (const p of permissions) groups.set(p.resourceType, [...(groups.get(p.resourceType) ?? []), p]);
  return (
    <section aria-labelledby="permissions-heading">
      <h2 id="permissions-heading">Effective permissions</h2>
      <ErrorNote error={result.error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      {result.data && permissions.length === 0 && <p>You hold no permissions.</p>}
      {[...groups.entries()].map(([type, list]) => (
        <details key={type} open class="group" data-resource-type={type}>
          <summary>
            <strong>{type === "*" ? "every infrastructure type (*)" : type}</strong>{" "}
            <span class="muted">({list.length})</span>
          </summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Effect</th>
                <th scope="col">Namespace / name</th>
                <th scope="col">Capabilities</th>
                <th scope="col">From</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p, i) => (
                <tr key={i} class="permission">
                  <td class={p.effect === "DENY" ? "deny" : "allow"}>{p.effect}</td>
                  <td>
                    <code>
                      {p.namespace}/{p.name}
                    </code>
                    {p.scope && <span class="muted"> in scope {p.scope}</span>}
                    {p.requireMfa && <span class="badge">MFA</span>}
                    {p.sourceCidrs.length > 0 && <span class="muted"> from {p.sourceCidrs.join(", ")}</span>}
                  </td>
                  <td>{p.capabilities.join(", ")}</td>
                  <td class="provenance">{provenance(p)}</td>
                  <td>
                    <Countdown until={p.expiresAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </section>
  );
}

function SessionSection(props: { credential: Credential }) {
  const c = props.credential;
  return (
    <section aria-labelledby="session-heading">
      <h2 id="session-heading">This sign-in</h2>
      <dl class="facts">
        <dt>Credential</dt>
        <dd>
          {c.kind === "TOKEN" ? "API token" : `session (${c.sessionSource ?? "local"})`} <code>{c.id.slice(0, 8)}</code>
          {c.breakGlass && <span class="badge">break-glass</span>}
        </dd>
        <dt>Expires</dt>
        <dd>
          <Countdown until={c.expiresAt} /> <span class="muted">{formatTime(c.expiresAt)}</span>
        </dd>
        <dt>Multi-factor</dt>
        <dd>{c.mfa ? `yes${c.mfaVerifiedUntil ? `, until ${formatTime(c.mfaVerifiedUntil)}` : ""}` : "no"}</dd>
      </dl>
    </section>
  );
}
