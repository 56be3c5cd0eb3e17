/**
 * Runs dpl as a user does (bin/dpl.js in a child process) and hands back what it printed and its
 * exit code.
 */
import { execFile } from "node:child_process";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `dpl args…` with `env` as its whole environment. */
export function runDpl(env: NodeJS.ProcessEnv, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/dpl.js", ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? ((error as any).code ?? 1) : 0, stdout, stderr }));
  });
}
