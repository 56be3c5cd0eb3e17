/**
 * The canonical directory manifest is injective: names with newlines, backslashes or bytes that are
 * not UTF-8 are written escaped (as GNU sha256sum does), so no name can pass for another or add a line.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { directoryManifest, manifestPath } from "../../core/fingerprint.js";
import { tempDir } from "../helpers/system.js";

describe("manifestPath", function () {
  const cases: [string, Buffer, string][] = [
    ["a plain path, as it is", Buffer.from("data/2026/traffic.csv"), "data/2026/traffic.csv"],
    ["UTF-8 beyond ASCII, as it is", Buffer.from("données/交通.csv"), "données/交通.csv"],
    ["a newline, escaped behind a leading backslash", Buffer.from("a\nb"), "\\a\\nb"],
    ["a carriage return", Buffer.from("a\rb"), "\\a\\rb"],
    ["a backslash, doubled", Buffer.from("back\\slash"), "\\back\\\\slash"],
    ["a literal backslash-n, unlike a newline", Buffer.from("a\\nb"), "\\a\\\\nb"],
    ["a byte that is not UTF-8, as \\xNN", Buffer.from([0x66, 0xff, 0x6f]), "\\f\\xffo"],
    ["a truncated UTF-8 sequence", Buffer.from([0x61, 0xc3]), "\\a\\xc3"],
  ];
  for (const [what, bytes, line] of cases) {
    it(what, function () {
      expect(manifestPath(bytes)).to.equal(line);
    });
  }

  it("gives different lines for different paths: no two of these collide", function () {
    const lines = cases.map(([, bytes]) => manifestPath(bytes));
    expect(new Set(lines).size).to.equal(lines.length);
  });
});

describe("directoryManifest", function () {
  it("cannot be made to list a file that is not there: a name with a newline stays one escaped line", async function () {
    const dir = await tempDir("manifest");
    const sha = "0".repeat(64);
    // A name crafted to look like a second manifest line.
    const crafted = `innocent.txt\n${sha}  5  forged.txt`;
    await writeFile(path.join(dir, crafted), "real\n");
    await mkdir(path.join(dir, "sub"));
    await writeFile(path.join(dir, "sub", "b\\c"), "x");
    const { entries, text } = await directoryManifest(dir);
    expect(entries.map((e) => e.path)).to.deep.equal([`\\innocent.txt\\n${sha}  5  forged.txt`, "\\sub/b\\\\c"]);
    expect(text.split("\n").filter(Boolean)).to.have.length(2);
    expect(text).to.not.match(/^0{64} {2}5 {2}forged\.txt$/m);
  });
});
