// Directory: users (with the actions the viewer may take), roles, policies,
// resource types, grants and SSO mappings; each tab shown only when readable.
import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { system, useCan } from "../capabilities";
import { Countdown } from "../components/countdown";
import { ErrorNote } from "../components/error-note";
import { formatTime } from "../format";
import {
  DEPROVISION_USER,
  GRANTS,
  LOCK_USER,
  POLICIES,
  REACTIVATE_USER,
  RESOURCE_TYPES,
  REVOKE_SESSIONS,
  ROLES,
  SSO_MAPPINGS,
  UNLOCK_USER,
  USERS,
  type Grant,
  type Me,
  type PolicyDetail,
  type RoleDetail,
  type User,
} from "../operations";
import { RuleList } from "./requests-page";

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

function UsersTab() {
  const [result, refetch] = useQuery<{ users: User[] }>({ query: USERS });
  const can = useCan([
    system("user", "lock"),
    system("user", "unlock"),
    system("user", "deprovision"),
    system("user", "create"),
  ]);
  const [mayLock, mayUnlock, mayDeprovision, mayReactivate] = can.allowed;
  const [lockState, lock] = useMutation(LOCK_USER);
  const [unlockState, unlock] = useMutation(UNLOCK_USER);
  const [deprovisionState, deprovision] = useMutation(DEPROVISION_USER);
  const [reactivateState, reactivate] = useMutation(REACTIVATE_USER);
  const [sessionsState, revokeSessions] = useMutation(REVOKE_SESSIONS);
  const reload = () => refetch({ requestPolicy: "network-only" });
  const act = (question: string, run: () => Promise<unknown>) => {
    if (confirm(question)) void run().then(reload);
  };
  return (
    <>
      <ErrorNote
        error={
          result.error ??
          lockState.error ??
          unlockState.error ??
          deprovisionState.error ??
          reactivateState.error ??
          sessionsState.error
        }
        onRetry={reload}
      />
      <table>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
            <th scope="col">MFA</th>
            <th scope="col">Last seen</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(result.data?.users ?? []).map((u) => (
            <tr key={u.id} data-user={u.email}>
              <td>
                {u.email} {u.displayName && <span class="muted">{u.displayName}</span>}
              </td>
              <td>{u.status}</td>
              <td>
                {u.source} {u.kind === "SERVICE" && <span class="badge">service</span>}
              </td>
              <td>{u.mfaEnrolled ? "enrolled" : "—"}</td>
              <td>{formatTime(u.lastSeenAt)}</td>
              <td class="actions">
                {mayLock && u.status === "ACTIVE" && (
                  <button type="button" onClick={() => act(`Lock ${u.email}?`, () => lock({ id: u.id }))}>
                    Lock<span class="sr-only"> {u.email}</span>
                  </button>
                )}
                {mayUnlock && u.status === "LOCKED" && (
                  <button type="button" onClick={() => act(`Unlock ${u.email}?`, () => unlock({ id: u.id }))}>
                    Unlock<span class="sr-only"> {u.email}</span>
                  </button>
                )}
                {mayLock && u.status !== "DEPROVISIONED" && (
                  <button
                    type="button"
                    onClick={() => act(`End every session of ${u.email}?`, () => revokeSessions({ userId: u.id }))}
                  >
                    Revoke sessions<span class="sr-only"> of {u.email}</span>
                  </button>
                )}
                {mayDeprovision && u.status !== "DEPROVISIONED" && (
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      act(
                        `Deprovision ${u.email}? This locks the user and revokes every token, session and grant.`,
                        () => deprovision({ id: u.id }),
                      )
                    }
                  >
                    Deprovision<span class="sr-only"> {u.email}</span>
                  </button>
                )}
                {mayReactivate && u.status === "DEPROVISIONED" && (
                  <button
                    type="button"
                    onClick={() => act(`Reactivate ${u.email} (without grants)?`, () => reactivate({ id: u.id }))}
                  >
                    Reactivate<span class="sr-only"> {u.email}</span>
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

function RolesTab() {
  const [result] = useQuery<{ roles: RoleDetail[] }>({ query: ROLES });
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
  const [result] = useQuery<{ grants: Grant[] }>({ query: GRANTS, variables: { role: props.role ?? null } });
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
  const [result] = useQuery<{ policies: PolicyDetail[] }>({ query: POLICIES });
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
  const [result] = useQuery<{
    resourceTypes: Array<{ name: string; capabilities: Array<{ capability: string; level: string }> }>;
  }>({
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
  const [result] = useQuery<{
    ssoMappings: Array<{ provider: string; group: string; scope: string; role: { name: string } }>;
  }>({
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
