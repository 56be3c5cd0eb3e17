#!/usr/bin/env node
// The dpl command: runs the TypeScript CLI through tsx, so that `npx dpl` works right after
// `npm install` with no build step.
import { register } from "tsx/esm/api";

register();
await import("../cli/dpl.ts");
