// The console's credential: the session cookie the SSO and LDAP logins set
// (sent by the browser, never readable here), or a pasted API token kept in
// sessionStorage (this tab only, gone when it closes) and sent as a bearer
// header. The token is not exchanged for a session: the server has no such
// exchange, and a bearer header keeps the token's own roles and CIDR binding.
const KEY = "portcullis.token";

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token);
}

export function authHeaders(): Record<string, string> {
  const token = storedToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}
