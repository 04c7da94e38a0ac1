// Writes the published JSON Schema of the monthly-test evidence export from its zod schema.
// Run after changing lib/monthly-tests/evidence.ts: `npx tsx scripts/evidence-schema.ts`
// (tests/monthly-tests/evidence.test.ts fails while the committed file differs).
import fs from "node:fs";
import path from "node:path";
import { EVIDENCE_SCHEMA_PATH, evidenceJsonSchema } from "../lib/monthly-tests/evidence";

const file = path.join(process.cwd(), EVIDENCE_SCHEMA_PATH);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, JSON.stringify(evidenceJsonSchema(), null, 2) + "\n");
console.log(`wrote ${EVIDENCE_SCHEMA_PATH}`);
