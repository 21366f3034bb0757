// Sign in: a button for each way in the server offers (GET /auth/methods),
// the LDAP form when LDAP is configured, or a pasted API token.
import { useEffect, useState } from "preact/hooks";

interface Method {
  id: "saml" | "oidc" | "ldap";
  label: string;
  url: string;
  method: "GET" | "POST";
}

export function SignInPage(props: { tokenRefused: boolean; onToken: (token: string) => void }) {
  const [methods, setMethods] = useState<Method[] | null>(null);
  const [problem, setProblem] = useState<string | null>(props.tokenRefused ? "That token was not accepted." : null);
  const [token, setToken] = useState("");
  useEffect(() => {
    fetch("/auth/methods")
      .then((r) => r.json() as Promise<{ methods: Method[] }>)
      .then((body) => setMethods(body.methods))
      .catch(() => setMethods([]));
  }, []);
  const returnTo = encodeURIComponent(location.pathname.startsWith("/console") ? location.pathname : "/console");
  const ldap = methods?.find((m) => m.id === "ldap");
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to portcullis</h1>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {methods && methods.filter((m) => m.method === "GET").length > 0 && (
        <section aria-labelledby="sso-heading">
          <h2 id="sso-heading">Single sign-on</h2>
          {methods
            .filter((m) => m.method === "GET")
            .map((m) => (
              <a key={m.id} class="button" href={`${m.url}?returnTo=${returnTo}`} data-method={m.id}>
                {m.label}
              </a>
            ))}
        </section>
      )}
      {ldap && <LdapForm url={ldap.url} label={ldap.label} onProblem={setProblem} />}
      <section aria-labelledby="token-heading">
        <h2 id="token-heading">API token</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const value = token.trim();
            if (!/^ptc_\S+$/.test(value)) return setProblem("A token starts with ptc_.");
            props.onToken(value);
          }}
        >
          <label for="token">Token</label>
          <input
            id="token"
            type="password"
            autoComplete="off"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
          <p class="muted">Kept in this tab only and sent as a bearer header; closing the tab forgets it.</p>
          <button type="submit">Sign in with token</button>
        </form>
      </section>
    </main>
  );
}

/** POST /auth/ldap/login with username and password as JSON; the answer sets the session cookie. */
function LdapForm(props: { url: string; label: string; onProblem: (p: string | null) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const signIn = async () => {
    const res = await fetch(props.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (res.ok) {
      location.assign("/console");
      return;
    }
    const body = (await res.json().catch(() => null)) as { errors?: Array<{ message: string }> } | null;
    props.onProblem(body?.errors?.[0]?.message ?? `Sign-in failed (HTTP ${res.status}).`);
  };
  return (
    <section aria-labelledby="ldap-heading">
      <h2 id="ldap-heading">Directory account</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void signIn();
        }}
      >
        <label for="ldap-username">Username</label>
        <input
          id="ldap-username"
          name="username"
          autoComplete="username"
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="ldap-password">Password</label>
        <input
          id="ldap-password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit">{props.label}</button>
      </form>
    </section>
  );
}
