// Directory: users (with the actions the viewer may take), roles, policies,
// resource types, grants and SSO mappings; each tab shown only when readable.
import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { system, useCan } from "../capabilities";
import { Countdown } from "../components/countdown";
import { ErrorNote } from "../components/error-note";
import { GRANTS, POLICIES, RESOURCE_TYPES, ROLES, SSO_MAPPINGS, type Me } from "../operations";
import { RuleList } from "./requests-page";
import { UsersTab } from "./users-tab";

const TABS = [
  ["users", "Users", system("user", "list")],
  ["roles", "Roles", system("role", "list")],
  ["policies", "Policies", system("policy", "list")],
  ["types", "Resource types", system("resource_type", "list")],
  ["grants", "Grants", system("grant", "list")],
  ["sso", "SSO mappings", system("sso", "read")],
] as const;

export function DirectoryPage(_props: { me: Me }) {
  const can = useCan(TABS.map((t) => t[2]));
  const visible = TABS.filter((_, i) => can.allowed[i]);
  const [tab, setTab] = useState<string | null>(null);
  const active = tab ?? visible[0]?.[0];
  if (!can.ready) return <p class="loading">Loading…</p>;
  return (
    <>
      <h1>Directory</h1>
      <div role="tablist" aria-label="Directory" class="tabs">
        {visible.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            type="button"
            id={`tab-${id}`}
            aria-selected={active === id}
            aria-controls="directory-panel"
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="directory-panel" aria-labelledby={`tab-${active}`}>
        {active === "users" && <UsersTab />}
        {active === "roles" && <RolesTab />}
        {active === "policies" && <PoliciesTab />}
        {active === "types" && <TypesTab />}
        {active === "grants" && <GrantsTab />}
        {active === "sso" && <SsoTab />}
      </div>
    </>
  );
}

function RolesTab() {
  const [result] = useQuery({ query: ROLES });
  const [holdersOf, setHoldersOf] = useState<string | null>(null);
  return (
    <>
      <ErrorNote error={result.error} />
      {(result.data?.roles ?? []).map((role) => (
        <details key={role.name} class="card">
          <summary>
            <strong>{role.name}</strong> {role.builtIn && <span class="badge">built-in</span>}
            {role.superuser && <span class="badge">superuser</span>} <span class="muted">{role.description}</span>
          </summary>
          {role.inherits.length > 0 && <p>Inherits: {role.inherits.map((r) => r.name).join(", ")}</p>}
          {role.requestableRoles.length > 0 && (
            <p>May ask for: {role.requestableRoles.map((r) => r.name).join(", ")}</p>
          )}
          {role.reviewableRoles.length > 0 && (
            <p>Reviews requests for: {role.reviewableRoles.map((r) => r.name).join(", ")}</p>
          )}
          {role.policies.map((p) => (
            <div key={p.name}>
              Policy <strong>{p.name}</strong>
              <RuleList rules={p.rules} />
            </div>
          ))}
          <button type="button" onClick={() => setHoldersOf(role.name)}>
            Show holders
          </button>
          {holdersOf === role.name && <GrantList role={role.name} />}
        </details>
      ))}
    </>
  );
}

function GrantList(props: { role?: string }) {
  const [result] = useQuery({ query: GRANTS, variables: { role: props.role ?? null } });
  return (
    <>
      <ErrorNote error={result.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Holder</th>
            <th scope="col">Role</th>
            <th scope="col">Scope</th>
            <th scope="col">Source</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {(result.data?.grants ?? []).map((g) => (
            <tr key={g.id}>
              <td>{g.user ? g.user.email : `group ${g.group ?? ""}`}</td>
              <td>{g.role.name}</td>
              <td>{g.scope || "everywhere"}</td>
              <td>{g.source}</td>
              <td>
                <Countdown until={g.expiresAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const GrantsTab = () => <GrantList />;

function PoliciesTab() {
  const [result] = useQuery({ query: POLICIES });
  return (
    <>
      <ErrorNote error={result.error} />
      {(result.data?.policies ?? []).map((p) => (
        <details key={p.name} class="card">
          <summary>
            <strong>{p.name}</strong> <span class="muted">v{p.version}</span>{" "}
            {p.builtIn && <span class="badge">built-in</span>} <span class="muted">{p.description}</span>
          </summary>
          <RuleList rules={p.rules} />
        </details>
      ))}
    </>
  );
}

function TypesTab() {
  const [result] = useQuery({
    query: RESOURCE_TYPES,
  });
  return (
    <>
      <ErrorNote error={result.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Capabilities (lowest level)</th>
          </tr>
        </thead>
        <tbody>
          {(result.data?.resourceTypes ?? []).map((t) => (
            <tr key={t.name}>
              <td>{t.name}</td>
              <td>{t.capabilities.map((c) => `${c.capability} (${c.level})`).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function SsoTab() {
  const [result] = useQuery({
    query: SSO_MAPPINGS,
  });
  return (
    <>
      <ErrorNote error={result.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Group</th>
            <th scope="col">Role</th>
            <th scope="col">Scope</th>
          </tr>
        </thead>
        <tbody>
          {(result.data?.ssoMappings ?? []).map((m, i) => (
            <tr key={i}>
              <td>{m.provider}</td>
              <td>
                <code>{m.group}</code>
              </td>
              <td>{m.role.name}</td>
              <td>{m.scope || "everywhere"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
