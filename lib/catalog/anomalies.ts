import "server-only";
import { db } from "@/lib/db";
import { sizeAnomaly } from "@/lib/backups/retention";

/** Recomputes the size-anomaly flag of every present backup of these databases (oldest first). */
export async function refreshSizeAnomalies(databaseIds: string[]) {
  for (const databaseId of databaseIds) {
    const rows = await db.backup.findMany({
      where: { databaseId, vanishedAt: null },
      orderBy: { takenAt: "asc" },
      select: { id: true, size: true, sizeAnomaly: true },
    });
    const sizes: number[] = [];
    const changes: { id: string; sizeAnomaly: string | null }[] = [];
    for (const r of rows) {
      const anomaly = sizeAnomaly(Number(r.size), sizes);
      if (anomaly !== r.sizeAnomaly) changes.push({ id: r.id, sizeAnomaly: anomaly });
      sizes.push(Number(r.size));
    }
    for (let i = 0; i < changes.length; i += 200) {
      await db.$transaction(
        changes
          .slice(i, i + 200)
          .map((c) => db.backup.update({ where: { id: c.id }, data: { sizeAnomaly: c.sizeAnomaly } })),
      );
    }
  }
}
