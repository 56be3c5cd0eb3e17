/**
 * One dpl at a time on a DATA_DIR: `npm start` takes DATA_DIR/dpl.lock before it writes anything
 * (the deployment record, the index, the chain), and a second start on the same directory is refused
 * with one sentence, touching nothing. The lock records the process's pid and the embedded chain's,
 * so that a lock left by a dpl that was killed is taken over, and the chain process it left running
 * is stopped first.
 */
import { mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { DplError } from "./errors.js";

export interface DataLock {
  /** Records the embedded chain's pid, for the next start to stop it if dpl dies without stopping it. */
  recordChain(pid: number): Promise<void>;
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  chainPid?: number;
  since: string;
}

/** Whether `pid` is the anvil this DATA_DIR's dpl started (where /proc tells; elsewhere, trusted). */
async function isOurChain(pid: number, dataDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  if (cmdline === undefined) return process.platform !== "linux";
  return cmdline.includes("anvil") && cmdline.includes(path.resolve(dataDir));
}

const alive = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

export async function lockDataDir(dataDir: string): Promise<DataLock> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, "dpl.lock");
  const holder: Holder = { pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(JSON.stringify(holder) + "\n");
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const previous: Holder | undefined = await readFile(file, "utf8").then(JSON.parse, () => undefined);
      if (previous && previous.pid !== process.pid && alive(previous.pid)) {
        throw new DplError("data_dir_locked", `${dataDir} is in use by another dpl (pid ${previous.pid}, since ${previous.since}): stop it, or set DATA_DIR to another directory`);
      }
      // A lock left by a dpl that died: its chain may still run, holding the port and the state file.
      if (previous?.chainPid && alive(previous.chainPid) && (await isOurChain(previous.chainPid, dataDir))) {
        process.kill(previous.chainPid, "SIGTERM");
        for (let i = 0; i < 100 && alive(previous.chainPid); i++) await new Promise((r) => setTimeout(r, 50));
      }
      await rm(file, { force: true });
    }
  }
  return {
    async recordChain(chainPid) {
      holder.chainPid = chainPid;
      await writeFile(file, JSON.stringify(holder) + "\n");
    },
    async release() {
      await rm(file, { force: true });
    },
  };
}
