// Run by scripts/test-all.sh after Playwright: the e2e server's whole log (every spec's
// requests, sign-ins, restores, errors) must hold none of the test secrets. Exit code 1 names
// the secrets found, never their values.
import fs from "node:fs";
import { knownTestSecrets, secretsIn } from "../e2e/test-secrets";

const [logFile = "test-results/e2e-server.log", dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error("usage: check-e2e-log.ts <server log> <e2e data dir (holds secrets.env)>");
  process.exit(2);
}
const log = fs.readFileSync(logFile, "utf8");
if (log.trim() === "") {
  console.error(`${logFile} is empty: the e2e server's output was not captured, so nothing was checked`);
  process.exit(1);
}
const secrets = knownTestSecrets(dataDir);
const found = secretsIn(log, secrets);
if (found.length > 0) {
  console.error(
    `${logFile} contains test secrets: ${found.join(", ")} (grep it for their values in ${dataDir}/secrets.env)`,
  );
  process.exit(1);
}
console.log(`${logFile}: none of ${secrets.length} test secrets in ${log.split("\n").length} lines`);
