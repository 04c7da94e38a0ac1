import { metricsResponse } from "@/lib/metrics/route";

// Prometheus scrapes this with a bearer token, not a session (lib/metrics/route.ts).
export const dynamic = "force-dynamic";

export const GET = (req: Request) => metricsResponse(req);
