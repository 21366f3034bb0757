import type { AuthFailure } from "../auth/bearer-authenticator";
import type { Services } from "../app-services";
import type { FeedEnd } from "../domain/audit/audit-feed";
import type { Principal } from "../domain/principal";
import type { Loaders } from "./loaders";

export interface RequestContext {
  requestId: string;
  /** null when the request carried no valid credential. */
  principal: Principal | null;
  authFailure: AuthFailure | null;
  services: Services;
  loaders: Loaders;
  /** Set on graphql-ws connections only: ends the connection when a feed ends on its own. */
  subscriber?: { close(why: FeedEnd): void };
}
