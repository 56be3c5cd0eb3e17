/**
 * SHA-256 of a file in the browser, read in slices so that a file of gigabytes never sits in memory,
 * with progress. WebCrypto's digest() only hashes a whole buffer at once, so the incremental hash is
 * hash-wasm's (WebAssembly): the same library the CLI fingerprints files with.
 */
import { createSHA256 } from "hash-wasm";

const SLICE = 8 * 1024 * 1024;

export async function sha256OfFile(file: Blob, onProgress: (done: number, total: number) => void): Promise<string> {
  const hasher = await createSHA256();
  hasher.init();
  for (let offset = 0; offset < file.size; offset += SLICE) {
    hasher.update(new Uint8Array(await file.slice(offset, offset + SLICE).arrayBuffer()));
    onProgress(Math.min(offset + SLICE, file.size), file.size);
  }
  if (file.size === 0) onProgress(0, 0);
  return "0x" + hasher.digest("hex");
}
