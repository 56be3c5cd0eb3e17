/**
 * One dpl at a time on a DATA_DIR: `npm start` takes DATA_DIR/dpl.lock before it writes anything
 * (the deployment record, the index, the chain), and a second start on the same directory is refused
 * with one sentence, touching nothing. The lock records the process's pid and the embedded chain's
 * pid and URL, so that a lock left by a dpl that was killed is taken over, and the chain it left
 * running is handed to `onStaleChain` (which saves what it holds) and then stopped.
 */
import { mkdir, open, readFile, readlink, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { DplError } from "../../core/errors.js";

export interface DataLock {
  /** Records the embedded chain, for the next start to save and stop it if dpl dies without doing so. */
  recordChain(chain: StaleChain): Promise<void>;
  release(): Promise<void>;
}

export interface StaleChain {
  pid: number;
  url: string;
}

interface Holder {
  pid: number;
  chain?: StaleChain;
  since: string;
}

/**
 * Whether `pid` is the anvil this DATA_DIR's dpl started, which runs in a directory under DATA_DIR
 * (where /proc tells; elsewhere, trusted): a pid reused by another program is left alone.
 */
async function isOurChain(pid: number, dataDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  if (cmdline === undefined) return process.platform !== "linux";
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => "");
  return cmdline.includes("anvil") && (cwd + path.sep).startsWith(path.resolve(dataDir) + path.sep);
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

export async function lockDataDir(dataDir: string, options: { onStaleChain?: (chain: StaleChain) => Promise<void> } = {}): Promise<DataLock> {
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
      const chain = previous?.chain;
      if (chain && alive(chain.pid) && (await isOurChain(chain.pid, dataDir))) {
        await options.onStaleChain?.(chain).catch(() => {});
        process.kill(chain.pid, "SIGTERM");
        for (let i = 0; i < 200 && alive(chain.pid); i++) await new Promise((r) => setTimeout(r, 50));
        if (alive(chain.pid)) process.kill(chain.pid, "SIGKILL");
      }
      await rm(file, { force: true });
    }
  }
  return {
    async recordChain(chain) {
      holder.chain = chain;
      await writeFile(file, JSON.stringify(holder) + "\n");
    },
    async release() {
      await rm(file, { force: true });
    },
  };
}
