/**
 * The running state digest: each applied event extends a keccak-256 hash chain,
 *
 *   digest' = keccak256(digest ‖ blockHash ‖ uint32(logIndex) ‖ uint8(topicCount) ‖ topics ‖ data)
 *
 * starting from 32 zero bytes. Two indexes that applied the same canonical events in the same
 * order have the same digest, whoever built them and however often they crashed or rolled back.
 */
import { createKeccak, type IHasher } from "hash-wasm";

import type { RawLog } from "../../core/ledger-events.js";

export const GENESIS_DIGEST = "0x" + "00".repeat(32);

const hex = (value: string) => Buffer.from(value.slice(2), "hex");

export interface Digester {
  extend(previous: string, log: RawLog): string;
}

export async function createDigester(): Promise<Digester> {
  const hasher: IHasher = await createKeccak(256);
  const header = Buffer.alloc(5);
  return {
    extend(previous, log) {
      hasher.init();
      hasher.update(hex(previous));
      hasher.update(hex(log.blockHash));
      header.writeUInt32BE(Number(log.logIndex), 0);
      header.writeUInt8(log.topics.length, 4);
      hasher.update(header);
      for (const topic of log.topics) hasher.update(hex(topic));
      hasher.update(hex(log.data));
      return "0x" + hasher.digest("hex");
    },
  };
}
