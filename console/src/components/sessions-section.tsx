// My sessions: the user's live login sessions, the one this browser uses marked,
// and ending any of them after a confirmation.
import { useMutation, useQuery } from "@urql/preact";
import { Countdown } from "./countdown";
import { ErrorNote } from "./error-note";
import { formatTime } from "../format";
import { MY_SESSIONS, REVOKE_SESSION, type Session } from "../operations";

export function SessionsSection(props: { onEndedCurrent: () => void }) {
  const [sessions, refetch] = useQuery({ query: MY_SESSIONS });
  const [ended, end] = useMutation(REVOKE_SESSION);
  const reload = () => refetch({ requestPolicy: "network-only" });
  const list = sessions.data?.sessions ?? [];
  const confirmEnd = (s: Session) => {
    const question = s.current
      ? "End this session? You will be signed out of the console."
      : `End the ${s.source} session from ${formatTime(s.createdAt)}? Whoever uses it is signed out at once.`;
    if (!confirm(question)) return;
    void end({ id: s.id }).then((r) => {
      if (!r.data) return;
      if (s.current) props.onEndedCurrent();
      else reload();
    });
  };
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">My sessions</h2>
      <ErrorNote error={sessions.error ?? ended.error} onRetry={reload} />
      {sessions.data && list.length === 0 && <p>You have no live sessions: single sign-on and LDAP logins make one.</p>}
      {list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Signed in</th>
              <th scope="col">Through</th>
              <th scope="col">From</th>
              <th scope="col">Last used</th>
              <th scope="col">Multi-factor</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.id} data-session={s.id} class={s.current ? "current" : undefined}>
                <td>
                  {formatTime(s.createdAt)} <code>{s.id.slice(0, 8)}</code>
                  {s.current && <span class="badge">this browser</span>}
                </td>
                <td>{s.source}</td>
                <td>{s.sourceIp ?? "unknown"}</td>
                <td>{formatTime(s.lastUsedAt)}</td>
                <td>{s.mfa ? `yes${s.mfaVerifiedUntil ? `, until ${formatTime(s.mfaVerifiedUntil)}` : ""}` : "no"}</td>
                <td>
                  <Countdown until={s.expiresAt} />
                </td>
                <td class="actions">
                  <button type="button" class="danger" onClick={() => confirmEnd(s)}>
                    End<span class="sr-only"> the session {s.id.slice(0, 8)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
