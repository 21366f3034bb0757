// The shell: who is signed in (me and credential), the navigation the user's
// capabilities allow, and the page the address names.
import { Provider, useQuery } from "@urql/preact";
import { useMemo, useState } from "preact/hooks";
import { system, useCan } from "./capabilities";
import { ErrorNote, errorFacts } from "./components/error-note";
import { storeToken, storedToken } from "./credentials";
import { makeClient } from "./graphql-client";
import { ME, type Credential, type Me } from "./operations";
import { AccessPage } from "./pages/access-page";
import { AuditPage } from "./pages/audit-page";
import { DirectoryPage } from "./pages/directory-page";
import { EditorPage } from "./pages/editor-page";
import { RequestsPage } from "./pages/requests-page";
import { SignInPage } from "./pages/sign-in-page";
import { navigate, usePage } from "./router";

export function App() {
  // A new client (and cache) per sign-in, so nothing one user saw is shown to the next.
  const [generation, setGeneration] = useState(0);
  const client = useMemo(() => makeClient(), [generation]);
  const restart = () => setGeneration((g) => g + 1);
  return (
    <Provider value={client}>
      <Shell key={generation} restart={restart} />
    </Provider>
  );
}

function Shell(props: { restart: () => void }) {
  const [result, refetch] = useQuery({ query: ME, requestPolicy: "network-only" });
  if (result.fetching && !result.data) return <p class="loading">Loading…</p>;
  const unauthenticated = result.error && errorFacts(result.error).code === "UNAUTHENTICATED";
  if (!result.data || unauthenticated) {
    return (
      <>
        {result.error && !unauthenticated && <ErrorNote error={result.error} />}
        <SignInPage
          tokenRefused={Boolean(unauthenticated) && storedToken() !== null}
          onToken={(token) => {
            storeToken(token);
            props.restart();
          }}
        />
      </>
    );
  }
  return (
    <SignedIn
      me={result.data.me}
      credential={result.data.credential}
      refresh={() => refetch({ requestPolicy: "network-only" })}
      signOut={async () => {
        if (storedToken() !== null) storeToken(null);
        else await fetch("/auth/logout", { method: "POST", credentials: "same-origin" });
        history.replaceState(null, "", "/console");
        props.restart();
      }}
    />
  );
}

const PAGES: Array<{ id: string; label: string }> = [
  { id: "access", label: "My access" },
  { id: "requests", label: "Requests" },
  { id: "directory", label: "Directory" },
  { id: "policies", label: "Policies as code" },
  { id: "audit", label: "Audit" },
];

function SignedIn(props: { me: Me; credential: Credential; refresh: () => void; signOut: () => Promise<void> }) {
  const page = usePage();
  const checks = [system("user", "list"), system("role", "list"), system("policy", "list"), system("audit", "read")];
  const can = useCan(checks);
  const [users, roles, policies, audit] = can.allowed;
  const visible: Record<string, boolean> = {
    access: true,
    requests: true,
    directory: users || roles || policies,
    policies: policies || roles,
    audit,
  };
  const active = PAGES.some((p) => p.id === page) ? page : "access";
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">portcullis</span>
        <nav aria-label="Console">
          <ul>
            {PAGES.filter((p) => visible[p.id]).map((p) => (
              <li key={p.id}>
                <a
                  href={`/console/${p.id}`}
                  aria-current={active === p.id ? "page" : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(p.id);
                  }}
                >
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <span data-testid="signed-in-as">{props.me.email}</span>{" "}
          <span class="muted">
            ({props.credential.kind === "TOKEN" ? "token" : (props.credential.sessionSource ?? "session")})
          </span>{" "}
          <button type="button" onClick={() => void props.signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main">
        {active === "access" && <AccessPage me={props.me} credential={props.credential} refresh={props.refresh} />}
        {active === "requests" && <RequestsPage me={props.me} />}
        {active === "directory" && can.ready && visible.directory && <DirectoryPage me={props.me} />}
        {active === "policies" && can.ready && visible.policies && <EditorPage canAudit={audit} />}
        {active === "audit" && can.ready && audit && <AuditPage />}
        {can.ready && !visible[active] && (
          <ErrorNote
            error={`Your access does not include the ${PAGES.find((p) => p.id === active)?.label ?? active} page.`}
          />
        )}
      </main>
    </>
  );
}
