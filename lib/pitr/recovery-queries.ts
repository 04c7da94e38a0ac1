import "server-only";
import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { listRecoveryInstances, type RecoveryInstanceView } from "./recovery";

// Recovery instances as the console shows them. Operators see how to connect (host, port,
// database, user: never the password) and the folder; viewers see that an instance exists and its state.

export type RecoveryInstanceRow = Omit<RecoveryInstanceView, "host" | "port" | "user" | "dataDir" | "pid"> & {
  connection: { host: string; port: number; user: string; dataDir: string; pid: number | null } | null;
};

export async function recoveryInstancesForUser(opts: { databaseId?: string } = {}): Promise<{
  instances: RecoveryInstanceRow[];
  canManage: boolean;
}> {
  const user = await requireRole("viewer");
  const canManage = hasRole(user.role, "operator");
  const all = await listRecoveryInstances(opts);
  return {
    canManage,
    instances: all.map(({ host, port, user: dbUser, dataDir, pid, ...rest }) => ({
      ...rest,
      connection: canManage ? { host, port, user: dbUser, dataDir, pid } : null,
    })),
  };
}

/** For the dashboard and the restores page: instances that run, or that a stopped console left. */
export function needsAttention(rows: Pick<RecoveryInstanceRow, "status" | "alive">[]): number {
  return rows.filter((r) => r.alive || r.status === "interrupted" || r.status === "failed").length;
}
