// Prints the failed tests of a vitest JSON report and a Playwright JSON report, by name, with the first
// lines of each error. Used at the end of scripts/test-all.sh. Usage: node failed-tests.mjs VITEST_JSON PLAYWRIGHT_JSON
import fs from "node:fs";

const lines = [];
const relative = (name) => String(name ?? "").replace(process.cwd() + "/", "");
const first = (text) =>
  String(text ?? "")
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .filter((l) => l.trim())
    .slice(0, 6)
    .map((l) => "      " + l.slice(0, 300))
    .join("\n");
const read = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
};

const vitest = read(process.argv[2]);
for (const file of vitest?.testResults ?? []) {
  const failed = (file.assertionResults ?? []).filter((t) => t.status === "failed");
  for (const t of failed)
    lines.push(`  ✗ ${relative(file.name)} › ${t.fullName}\n${first((t.failureMessages ?? []).join("\n"))}`);
  if (file.status === "failed" && failed.length === 0)
    lines.push(`  ✗ ${relative(file.name)} (the file itself)\n${first(file.message)}`);
}

const playwright = read(process.argv[3]);
const walk = (suite, file) => {
  for (const s of suite.suites ?? []) walk(s, s.file ?? file);
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests ?? []) {
      if (t.status !== "unexpected" && t.status !== "flaky") continue;
      const error = (t.results ?? []).map((r) => r.error?.message ?? "").find((m) => m) ?? "";
      lines.push(`  ✗ ${spec.file ?? file} › ${spec.title} (${t.status})\n${first(error)}`);
    }
  }
};
for (const s of playwright?.suites ?? []) walk(s, s.file);

if (lines.length) console.log("\nFailed tests:\n" + lines.join("\n"));
