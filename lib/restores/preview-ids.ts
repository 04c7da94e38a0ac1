import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { UserError } from "@/lib/errors";
import { PREVIEW_IDS_KEPT, type PreviewStepResult } from "./preview-result";

// The deletion preview's whole id list lives in the run's private work folder (kept for a
// resume until the run ends), the step result only its first ids and the list's sha256: the
// copy-back inserts exactly the rows the operator confirmed, and the run page stays small.

const FILE = "preview-ids.json";

function sha256Of(ids: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(ids)).digest("hex");
}

/** Writes the whole list (0600) and returns what the step result keeps of it. */
export async function keepPreviewIds(
  workDir: string,
  ids: readonly string[],
): Promise<{ ids: string[]; idsSha256: string }> {
  await fs.mkdir(workDir, { recursive: true, mode: 0o700 });
  const file = path.join(workDir, FILE);
  await fs.writeFile(file, JSON.stringify(ids), { mode: 0o600 });
  return { ids: ids.slice(0, PREVIEW_IDS_KEPT), idsSha256: sha256Of(ids) };
}

/** Every id the preview found, as it found them; refuses a list that is gone or changed. */
export async function previewIdsOf(workDir: string, p: PreviewStepResult): Promise<string[]> {
  // A run planned before the cap stored every id in its result.
  if (p.idsSha256 === undefined) return p.ids;
  const file = path.join(workDir, FILE);
  const text = await fs.readFile(file, "utf8").catch((e: unknown) => {
    if ((e as { code?: string }).code === "ENOENT") return null;
    throw e;
  });
  const ids: unknown = text === null ? null : JSON.parse(text);
  if (
    !Array.isArray(ids) ||
    !ids.every((v) => typeof v === "string") ||
    ids.length !== p.missing ||
    sha256Of(ids) !== p.idsSha256
  ) {
    throw new UserError(
      `the list of the ${p.missing.toLocaleString("en-US")} previewed ids in ${file} is ${text === null ? "gone" : "not the one the preview wrote"}, so nothing was copied: cancel this run and start the restore again to preview the rows anew`,
      409,
    );
  }
  return ids;
}
