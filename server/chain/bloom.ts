/**
 * Ethereum's 2048-bit logs bloom (yellow paper, M3:2048): whether a block's header admits that it
 * may hold a log of an address. A bloom never says "no" for a log that is there, so a block whose
 * bloom names the ledger but whose eth_getLogs answer is empty deserves a second look. Pure.
 */
import { getBytes, keccak256 } from "ethers";

/** The three bits `address` sets in a bloom. */
export function bloomBits(address: string): number[] {
  const hash = getBytes(keccak256(address));
  return [0, 2, 4].map((i) => ((hash[i] << 8) | hash[i + 1]) & 2047);
}

/** Whether all of `bits` are set in `bloom` (0x-prefixed, 256 bytes, bit 0 the lowest of the last byte). */
export function bloomHas(bloom: string, bits: readonly number[]): boolean {
  const bytes = getBytes(bloom);
  if (bytes.length !== 256) return true; // no usable bloom: assume it may, and look
  return bits.every((bit) => (bytes[255 - (bit >> 3)] >> (bit & 7)) & 1);
}
