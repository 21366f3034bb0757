import { Init1795511088864 } from "./1795511088864-Init";
import { ScimRemovedAt1796224848721 } from "./1796224848721-ScimRemovedAt";
import { TotpState1796225832031 } from "./1796225832031-TotpState";

/** Every mysql migration, oldest first. */
export const MYSQL_MIGRATIONS: Function[] = [Init1795511088864, ScimRemovedAt1796224848721, TotpState1796225832031];
