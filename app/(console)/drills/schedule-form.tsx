"use client";

import { useRouter } from "next/navigation";
import type { ScenarioChoice, ScenarioId } from "@/lib/scenarios/registry";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { useServerAction } from "@/components/ui/use-server-action";
import { scheduleDrillAction } from "./actions";

export function ScheduleForm({
  scenarios,
  databases,
  users,
  canAllowProduction,
}: {
  scenarios: ScenarioChoice[];
  databases: { id: string; name: string; environment: string }[];
  users: { email: string; name: string }[];
  canAllowProduction: boolean;
}) {
  const router = useRouter();
  const { pending, error, run } = useServerAction();
  const input = "w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  return (
    <form
      aria-label="Schedule a drill"
      className="grid gap-3 sm:grid-cols-2"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        run(
          () =>
            scheduleDrillAction({
              scenarioId: String(f.get("scenarioId")) as ScenarioId,
              databaseId: String(f.get("databaseId") ?? ""),
              scheduledAt: String(f.get("scheduledAt") ?? ""),
              participants: f.getAll("participants").map(String),
              notes: String(f.get("notes") ?? ""),
              allowProduction: f.get("allowProduction") === "on",
            }),
          { onSuccess: (d) => router.push(`/drills/${d.drillId}`) },
        );
      }}
    >
      <label className="text-sm">
        Scenario
        <select name="scenarioId" className={input}>
          {scenarios.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title} (v{s.version})
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        Database used
        <select name="databaseId" className={input}>
          {databases.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({d.environment})
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        Date and time (UTC)
        <input type="datetime-local" name="scheduledAt" className={input} />
      </label>
      <label className="text-sm">
        Participants
        <select name="participants" multiple className={`${input} h-24`}>
          {users.map((u) => (
            <option key={u.email} value={u.email}>
              {u.name} ({u.email})
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm sm:col-span-2">
        Notes
        <textarea name="notes" rows={2} className={input} />
      </label>
      {canAllowProduction && (
        <label className="flex items-center gap-2 text-sm sm:col-span-2">
          <input type="checkbox" name="allowProduction" /> Allow a production database (admin only)
        </label>
      )}
      <Feedback feedback={error} testId="schedule-error" className="sm:col-span-2" />
      <div className="sm:col-span-2">
        <Button type="submit" variant="primary" size="lg" loading={pending} loadingText="Scheduling…">
          Schedule the drill
        </Button>
      </div>
    </form>
  );
}
