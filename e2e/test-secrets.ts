import fs from "node:fs";
import path from "node:path";
import { E2E_S3_SECRET } from "./helpers";
import { E2E_PASSWORD } from "./users";

// Every secret the e2e run knows the value of: the e2e server's generated secrets.env
// (session and encryption keys, the demo admin's and the sandbox PostgreSQL's passwords), the
// S3 secret the specs type into location forms, the test PostgreSQL's password the specs type
// into database forms, and the e2e users' password. None may reach a page, an API response or
// the server's log (e2e/no-secrets.spec.ts, and scripts/check-e2e-log.ts after the whole run).

export type KnownSecret = { name: string; value: string };

/** Only names that hold secrets, and only values long enough not to match by chance. */
const SECRET_NAME = /SECRET|PASSWORD|KEY|TOKEN/;

export function knownTestSecrets(dataDir: string): KnownSecret[] {
  const out: KnownSecret[] = [
    { name: "E2E_S3_SECRET", value: E2E_S3_SECRET },
    { name: "E2E_PASSWORD", value: E2E_PASSWORD },
  ];
  const file = path.join(dataDir, "secrets.env");
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] && SECRET_NAME.test(m[1]) && m[2].length >= 8) out.push({ name: m[1], value: m[2] });
  }
  // The test servers' settings come from the environment the runner sets up.
  const pgPassword = process.env.TEST_PG_PASSWORD;
  if (pgPassword && pgPassword.length >= 8) out.push({ name: "TEST_PG_PASSWORD", value: pgPassword });
  return out;
}

/** The names of the secrets found in `text` (empty when none). */
export function secretsIn(text: string, secrets: KnownSecret[]): string[] {
  return secrets.filter((s) => text.includes(s.value)).map((s) => s.name);
}
