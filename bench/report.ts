/**
 * Keeps bench/README.md's tables up to date: each benchmark replaces the block between its own
 * markers and leaves the rest of the file alone.
 */
import { readFile, writeFile } from "node:fs/promises";

export async function replaceSection(file: string, name: string, body: string): Promise<void> {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  let text = await readFile(file, "utf8").catch(() => "# Benchmarks\n");
  const block = `${begin}\n${body}\n${end}`;
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  text = start >= 0 && stop > start ? text.slice(0, start) + block + text.slice(stop + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(file, text);
}
