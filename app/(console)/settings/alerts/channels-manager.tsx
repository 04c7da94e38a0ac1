"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ChannelDto } from "@/lib/alerts/queries";
import { ALERT_EVENT_DISPLAY, ALERT_EVENTS } from "@/lib/alerts/events";
import { CHANNEL_KIND_LABELS } from "@/lib/alerts/schemas";
import { DELIVERY_STATUS_DISPLAY } from "@/lib/alerts/states";
import { Badge } from "@/components/ui/badges";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { useServerAction } from "@/components/ui/use-server-action";
import { Time } from "@/components/time";
import { ChannelForm } from "./channel-form";
import { deleteAlertChannelAction, testAlertChannelAction } from "./actions";

type TestOutcome = { ok: true } | { ok: false; error: string };

export function ChannelsManager({
  channels,
  databases,
}: {
  channels: ChannelDto[];
  databases: { id: string; name: string }[];
}) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [tests, setTests] = useState<Record<string, TestOutcome>>({});
  const [testing, setTesting] = useState<string | null>(null);
  const action = useServerAction();

  const done = (text: string) => {
    setEditing(null);
    setAdding(false);
    action.showOk(text);
    router.refresh();
  };

  function sendTest(c: ChannelDto) {
    setTesting(c.id);
    action.run(() => testAlertChannelAction({ id: c.id }), {
      refresh: true,
      onSuccess: (d) => {
        setTesting(null);
        setTests((t) => ({ ...t, [c.id]: d.ok ? { ok: true } : { ok: false, error: d.error } }));
      },
    });
  }

  return (
    <div className="space-y-4">
      <Feedback feedback={action.feedback} testId="channels-message" />
      {channels.length === 0 && !adding && (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center">
          <p className="font-medium">No alert channels yet</p>
          <p className="mt-1 text-sm text-slate-600">
            Until you add one, problems show only on the dashboard: nobody is told at night.
          </p>
        </div>
      )}
      {channels.map((c) => {
        const test = tests[c.id];
        const events =
          c.events.length === ALERT_EVENTS.length
            ? "every event"
            : c.events.map((e) => ALERT_EVENT_DISPLAY[e].label).join(", ");
        return (
          <section
            key={c.id}
            data-testid={`channel-${c.name}`}
            className="rounded-lg border border-slate-200 bg-white p-4"
          >
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div className="min-w-0">
                <h2 className="font-semibold">
                  {c.name} <Badge kind="neutral">{CHANNEL_KIND_LABELS[c.kind]}</Badge>{" "}
                  {!c.enabled && <Badge kind="warn">▲ disabled</Badge>}
                </h2>
                <p className="mt-0.5 break-all font-mono text-xs text-slate-600">{c.summary}</p>
                <p className="mt-1 text-sm text-slate-700">
                  {events} · {c.allDatabases ? "every database" : c.databaseNames.join(", ")}
                </p>
                <p className="mt-1 text-xs text-slate-600">
                  {c.secretsError ? (
                    <span className="text-red-700">{c.secretsError}</span>
                  ) : (
                    <>
                      {c.kind !== "email" && `URL ${c.secretsSet.url ? "stored" : "missing"}`}
                      {c.kind === "webhook" && ` · signing secret ${c.secretsSet.signingSecret ? "stored" : "missing"}`}
                      {c.kind === "email" &&
                        `login ${c.config.kind === "email" && c.config.user ? `as ${c.config.user}, password ${c.secretsSet.password ? "stored" : "not set"}` : "none"}`}
                    </>
                  )}
                  {" · last message: "}
                  {c.lastDelivery ? (
                    <>
                      {DELIVERY_STATUS_DISPLAY[c.lastDelivery.status].symbol}{" "}
                      {DELIVERY_STATUS_DISPLAY[c.lastDelivery.status].label} ({c.lastDelivery.kind}){" "}
                      <Time value={c.lastDelivery.at} relative />
                    </>
                  ) : (
                    "none yet"
                  )}
                </p>
              </div>
              <div className="flex flex-wrap gap-2">
                <Button
                  size="sm"
                  variant="primary"
                  loading={testing === c.id && action.pending}
                  loadingText="Sending…"
                  disabled={action.pending}
                  onClick={() => sendTest(c)}
                >
                  Send test
                </Button>
                <Button size="sm" onClick={() => setEditing(editing === c.id ? null : c.id)}>
                  {editing === c.id ? "Close" : "Edit"}
                </Button>
                <Button
                  size="sm"
                  variant="danger"
                  disabled={action.pending}
                  onClick={() => {
                    if (!window.confirm(`Remove the channel ${c.name}? Its delivery log goes with it.`)) return;
                    action.run(() => deleteAlertChannelAction({ id: c.id }), {
                      refresh: true,
                      onSuccess: () => `Removed ${c.name}.`,
                    });
                  }}
                >
                  Remove
                </Button>
              </div>
            </div>
            {test && (
              <p
                role={test.ok ? "status" : "alert"}
                data-testid="test-result"
                className={`mt-3 rounded-md border p-2 text-sm ${test.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}
              >
                {test.ok
                  ? "✓ Test delivered: the receiver accepted it. Check that it arrived where people will see it."
                  : `✗ Test not delivered: ${test.error}`}
              </p>
            )}
            {editing === c.id && (
              <div className="mt-4 border-t border-slate-100 pt-4">
                <ChannelForm existing={c} databases={databases} onDone={done} />
              </div>
            )}
          </section>
        );
      })}
      {adding ? (
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="mb-3 font-semibold">Add a channel</h2>
          <ChannelForm databases={databases} onDone={done} />
        </section>
      ) : (
        <Button variant="primary" size="lg" onClick={() => setAdding(true)}>
          Add a channel
        </Button>
      )}
    </div>
  );
}
