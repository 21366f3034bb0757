import type { AuthFailure } from "../auth/bearer-authenticator";
import type { Storage } from "../domain/ports/storage.port";
import type { Principal } from "../domain/principal";
import type { Engine } from "../engine";
import type { Loaders } from "./loaders";

/** What resolvers may use; built once in app.ts. */
export interface Services {
  storage: Storage;
  /** The compiled policy state as of now. */
  engine(): Engine;
}

export interface RequestContext {
  requestId: string;
  /** null when the request carried no valid credential. */
  principal: Principal | null;
  authFailure: AuthFailure | null;
  services: Services;
  loaders: Loaders;
}
