// The directory's users: each with the actions the viewer may take (asked
// with canMany), every one behind a confirmation.
import { useMutation, useQuery } from "@urql/preact";
import { system, useCan } from "../capabilities";
import { ErrorNote } from "../components/error-note";
import { formatTime } from "../format";
import { DEPROVISION_USER, LOCK_USER, REACTIVATE_USER, REVOKE_SESSIONS, UNLOCK_USER, USERS } from "../operations";

export function UsersTab() {
  const [result, refetch] = useQuery({ query: USERS });
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
