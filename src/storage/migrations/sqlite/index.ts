import { Init1795511088864 } from "./1795511088864-Init";
import { OneTimeValues1796224910080 } from "./1796224910080-OneTimeValues";

/** Every sqlite migration, oldest first. */
export const SQLITE_MIGRATIONS: Function[] = [Init1795511088864, OneTimeValues1796224910080];
