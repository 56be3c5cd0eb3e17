/**
 * The layers of dpl, enforced: each folder may import only what sits below it, so that a change in
 * one room cannot reach into another unseen. core/ is shared by everything and imports nothing of
 * dpl's own; sdk/ (the client library) builds on core/; server/ and cli/ build on both and never on
 * each other; the explorer runs in a browser
 * and may take only types from the server (and pure code from core/). A failure names the import.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import ts from "typescript";

const ROOT = path.resolve(import.meta.dirname, "..");

/**
 * The folders a folder's code may import at run time (itself always). types/ holds the contract
 * bindings Hardhat generates; ignition/ the deployment module; test/helpers the harness that
 * scripts and benchmarks share with the tests.
 */
const MAY_IMPORT: Record<string, string[]> = {
  core: [],
  sdk: ["core", "types"],
  server: ["core", "sdk", "types", "ignition"],
  cli: ["core", "sdk", "types"],
  "explorer/src": ["core"],
  scripts: ["core", "sdk", "server", "cli", "types", "test/helpers"],
  bench: ["core", "sdk", "server", "cli", "types", "ignition", "test/helpers"],
  "test/helpers": ["core", "sdk", "server", "cli", "types", "ignition"],
  ignition: [],
  types: [],
};
/** Folders a layer may import types from, beyond the above: types leave nothing in the built code. */
const MAY_IMPORT_TYPES: Record<string, string[]> = { "explorer/src": ["server/api"] };

const LAYERS = Object.keys(MAY_IMPORT);

interface Import {
  from: string;
  line: number;
  specifier: string;
  typeOnly: boolean;
}

async function sourcesUnder(dir: string): Promise<string[]> {
  // types/ exists only once Hardhat has built the contracts.
  const entries = await readdir(path.join(ROOT, dir), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name)).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Every relative import of a file: static, re-exports and dynamic import(), each marked if it is type-only. */
function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) return;
    found.push({ from: file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, specifier: specifier.text, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const namedOnlyTypes = clause?.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly) && !clause.name;
      add(node, node.moduleSpecifier, clause?.isTypeOnly === true || namedOnlyTypes);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The layer a repository path is in, or undefined outside them all (test/, a config file). */
const layerOf = (file: string) => LAYERS.find((layer) => file === layer || file.startsWith(`${layer}/`));

/** Why `imp` breaks the layering, or undefined when it may stand. */
function violation(imp: Import): string | undefined {
  const layer = layerOf(imp.from)!;
  const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(imp.from), imp.specifier));
  const targetLayer = layerOf(target);
  if (targetLayer === layer) return undefined;
  if (targetLayer !== undefined && MAY_IMPORT[layer].includes(targetLayer)) return undefined;
  if (imp.typeOnly && (MAY_IMPORT_TYPES[layer] ?? []).some((dir) => target.startsWith(`${dir}/`))) return undefined;
  const allowed = [...MAY_IMPORT[layer], ...(MAY_IMPORT_TYPES[layer] ?? []).map((d) => `types from ${d}`)];
  return `${imp.from}:${imp.line} imports ${imp.specifier} (${targetLayer ?? target}); ${layer}/ may import ${allowed.length ? allowed.join(", ") : "nothing of dpl's own outside it"}`;
}

describe("layers", function () {
  it("each folder imports only the layers below it, and the explorer only types from the server", async function () {
    const problems: string[] = [];
    let checked = 0;
    for (const layer of LAYERS) {
      for (const file of await sourcesUnder(layer)) {
        for (const imp of importsOf(file, await readFile(path.join(ROOT, file), "utf8"))) {
          checked++;
          const problem = violation(imp);
          if (problem) problems.push(problem);
        }
      }
    }
    expect(checked, "imports examined").to.be.greaterThan(100);
    expect(problems).to.deep.equal([]);
  });

  it("names the offending import: a server module that imports the CLI is refused", function () {
    const [imp] = importsOf("server/demo.ts", 'import { CliError } from "../cli/lib/errors.js";\n');
    expect(violation(imp)).to.equal("server/demo.ts:1 imports ../cli/lib/errors.js (cli); server/ may import core, sdk, types, ignition");
  });

  it("the explorer may take types from the server but not its code", function () {
    const [types, code] = importsOf("explorer/src/model.ts", 'import type { Finality } from "../../server/api/views.js";\nimport { withFinality } from "../../server/api/views.js";\n');
    expect(types.typeOnly).to.equal(true);
    expect(violation(types)).to.equal(undefined);
    expect(violation(code)).to.match(/^explorer\/src\/model\.ts:2 imports \.\.\/\.\.\/server\/api\/views\.js \(server\)/);
  });

  it("core imports nothing of dpl's own outside it", function () {
    const [imp] = importsOf("core/ids.ts", 'import { Store } from "../server/store/store.js";\n');
    expect(violation(imp)).to.equal("core/ids.ts:1 imports ../server/store/store.js (server); core/ may import nothing of dpl's own outside it");
  });
});
