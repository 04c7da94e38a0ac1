import { db } from "@/lib/db";
import { seal } from "@/lib/crypto/key";

/** Replaces a database entry's stored password, sealed as Settings → Databases seals it. */
export async function sealDatabasePassword(databaseId: string, password: string): Promise<void> {
  await db.database.update({
    where: { id: databaseId },
    data: { passwordEnc: seal(password, { table: "Database", id: databaseId, field: "passwordEnc" }) },
  });
}
