import { publicRoute } from "@/lib/api/route";
import { getHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

// Public on purpose: load balancers and uptime checks call it without a session.
export const GET = publicRoute(async () => {
  const health = await getHealth();
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
});

export type HealthResponse = Awaited<ReturnType<typeof getHealth>>;
