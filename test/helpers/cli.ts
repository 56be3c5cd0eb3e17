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

/**
 * `dpl args…` with `env` as its whole environment and `locale` as its POSIX locale (LC_ALL, which
 * decides first): English by default, whatever this machine's own locale.
 */
export function runDpl(env: NodeJS.ProcessEnv, args: string[], locale = "C.UTF-8"): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/dpl.js", ...args], { env: { ...env, LC_ALL: locale } }, (error, stdout, stderr) => resolve({ code: error ? ((error as any).code ?? 1) : 0, stdout, stderr }));
  });
}
