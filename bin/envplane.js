#!/usr/bin/env node
// The envplane command. Runs the TypeScript sources through tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
