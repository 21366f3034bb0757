import { Init1795508604789 } from "./1795508604789-Init";

/** Every sqlite migration, oldest first. */
export const SQLITE_MIGRATIONS: Function[] = [Init1795508604789];
