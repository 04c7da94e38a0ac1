import { withRole } from "@/lib/api/route";
import { listUsers } from "@/lib/users/queries";

export const dynamic = "force-dynamic";

export const GET = withRole("admin", async () => ({ users: await listUsers() }));
export type UsersResponse = { users: Awaited<ReturnType<typeof listUsers>> };
