// Imported first by main.ts, before anything that tracing instruments is loaded.
import { startTracing } from "./tracing";

startTracing();
