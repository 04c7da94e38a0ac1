"use client";

import { useState } from "react";
import type { ChannelDto } from "@/lib/alerts/queries";
import { ALERT_EVENTS, ALERT_EVENT_DISPLAY, type AlertEvent } from "@/lib/alerts/events";
import { CHANNEL_KIND_LABELS, CHANNEL_KINDS, type ChannelKind } from "@/lib/alerts/schemas";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { saveAlertChannelAction } from "./actions";

const STORED = "•••••• stored — leave empty to keep";

/** 32 random bytes as hex, made in the browser so the admin can copy it to the receiver first. */
function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function ChannelForm({
  existing,
  databases,
  onDone,
}: {
  existing?: ChannelDto;
  databases: { id: string; name: string }[];
  onDone: (message: string) => void;
}) {
  const [kind, setKind] = useState<ChannelKind>(existing?.kind ?? "webhook");
  const [allDatabases, setAllDatabases] = useState(existing?.allDatabases ?? true);
  const [secret, setSecret] = useState("");
  const { pending, feedback, fieldError, run } = useServerAction();
  const cfg = existing?.config;
  const email = cfg?.kind === "email" ? cfg : null;
  const stored = existing?.kind === kind ? existing.secretsSet : { url: false, signingSecret: false, password: false };

  function submit(form: HTMLFormElement) {
    const f = new FormData(form);
    const text = (name: string) => String(f.get(name) ?? "");
    const config =
      kind === "email"
        ? {
            kind,
            host: text("host"),
            port: text("port"),
            tls: text("tls") as "starttls",
            user: text("user"),
            password: text("password"),
            from: text("from"),
            to: text("to"),
          }
        : kind === "webhook"
          ? { kind, url: text("url"), signingSecret: text("signingSecret") }
          : { kind, url: text("url") };
    const input = {
      id: existing?.id,
      name: text("name"),
      enabled: f.get("enabled") === "on",
      events: f.getAll("events").map(String) as AlertEvent[],
      allDatabases,
      databaseIds: allDatabases ? [] : f.getAll("databaseIds").map(String),
      config,
    };
    run(() => saveAlertChannelAction(input as never), {
      onSuccess: (d) =>
        onDone(
          `${existing ? "Saved" : "Added"} ${d.name}.` +
            (d.secretsDropped.length ? " The stored password was forgotten because the server changed." : "") +
            " Send a test to check it reaches you.",
        ),
    });
  }

  const err = (name: string) => {
    const message = fieldError(`config.${name}`) ?? fieldError(name);
    return message ? <span className="mt-1 block text-xs text-red-700">{message}</span> : null;
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit(e.currentTarget);
      }}
      noValidate
      className="space-y-4"
      aria-label={existing ? `Edit ${existing.name}` : "Add a channel"}
    >
      <Feedback feedback={feedback} testId="channel-form-result" />
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Name</span>
          <input name="name" defaultValue={existing?.name} className={inputClass} placeholder="on-call webhook" />
          {err("name")}
        </label>
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Kind</span>
          <select
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as ChannelKind)}
            className={inputClass}
          >
            {CHANNEL_KINDS.map((k) => (
              <option key={k} value={k}>
                {CHANNEL_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        {kind !== "email" ? (
          <>
            <label className="block text-sm sm:col-span-2">
              <span className="mb-1 block font-medium">
                {kind === "slack" ? "Slack incoming webhook URL" : "Receiver URL (https://…)"}
              </span>
              <input
                name="url"
                type="password"
                autoComplete="off"
                className={`${inputClass} font-mono`}
                placeholder={
                  stored.url
                    ? `${STORED} (${existing?.summary ?? ""})`
                    : kind === "slack"
                      ? "https://hooks.slack.com/services/…"
                      : "https://ops.example.com/hooks/lifeboat"
                }
              />
              <span className="mt-1 block text-xs text-slate-600">
                Kept secret like a password: its path usually is the receiver&apos;s token. Only its origin is shown
                again.
              </span>
              {err("url")}
            </label>
            {kind === "webhook" && (
              <label className="block text-sm sm:col-span-2">
                <span className="mb-1 block font-medium">Signing secret (HMAC-SHA256)</span>
                <span className="flex gap-2">
                  <input
                    name="signingSecret"
                    type="text"
                    autoComplete="off"
                    value={secret}
                    onChange={(e) => setSecret(e.target.value)}
                    className={`${inputClass} font-mono`}
                    placeholder={stored.signingSecret ? STORED : "at least 16 characters"}
                  />
                  <Button onClick={() => setSecret(randomSecret())}>Generate</Button>
                </span>
                <span className="mt-1 block text-xs text-slate-600">
                  Give it to the receiver to check the X-Lifeboat-Signature header (see the README). It is not shown
                  again after saving; a new URL origin needs it typed again.
                </span>
                {err("signingSecret")}
              </label>
            )}
          </>
        ) : (
          <>
            <label className="block text-sm">
              <span className="mb-1 block font-medium">SMTP host</span>
              <input name="host" defaultValue={email?.host} className={inputClass} placeholder="smtp.example.com" />
              {err("host")}
            </label>
            <div className="grid grid-cols-2 gap-3">
              <label className="block text-sm">
                <span className="mb-1 block font-medium">Port</span>
                <input name="port" inputMode="numeric" defaultValue={email?.port ?? 587} className={inputClass} />
                {err("port")}
              </label>
              <label className="block text-sm">
                <span className="mb-1 block font-medium">TLS</span>
                <select name="tls" defaultValue={email?.tls ?? "starttls"} className={inputClass}>
                  <option value="starttls">STARTTLS (587)</option>
                  <option value="tls">TLS (465)</option>
                  <option value="none">none (local relay only)</option>
                </select>
              </label>
            </div>
            <label className="block text-sm">
              <span className="mb-1 block font-medium">User (empty: no login)</span>
              <input name="user" defaultValue={email?.user ?? ""} className={inputClass} autoComplete="off" />
              {err("user")}
            </label>
            <label className="block text-sm">
              <span className="mb-1 block font-medium">Password</span>
              <input
                name="password"
                type="password"
                autoComplete="new-password"
                className={inputClass}
                placeholder={stored.password ? STORED : ""}
              />
              <span className="mt-1 block text-xs text-slate-600">
                Changing the host, port or user forgets the stored password unless you type it again.
              </span>
              {err("password")}
            </label>
            <label className="block text-sm">
              <span className="mb-1 block font-medium">From</span>
              <input name="from" defaultValue={email?.from} className={inputClass} placeholder="lifeboat@example.com" />
              {err("from")}
            </label>
            <label className="block text-sm">
              <span className="mb-1 block font-medium">To (comma-separated)</span>
              <input
                name="to"
                defaultValue={email?.to.join(", ")}
                className={inputClass}
                placeholder="oncall@example.com"
              />
              {err("to")}
            </label>
          </>
        )}
      </div>

      <fieldset className="text-sm">
        <legend className="mb-1 font-medium">Events</legend>
        <div className="grid gap-1 sm:grid-cols-2">
          {ALERT_EVENTS.map((e) => (
            <label key={e} className="flex items-start gap-2">
              <input
                type="checkbox"
                name="events"
                value={e}
                defaultChecked={existing ? existing.events.includes(e) : true}
                className="mt-1"
              />
              <span>
                {ALERT_EVENT_DISPLAY[e].label}
                <span className="block text-xs text-slate-600">{ALERT_EVENT_DISPLAY[e].meaning}</span>
              </span>
            </label>
          ))}
        </div>
        {err("events")}
      </fieldset>

      <fieldset className="text-sm">
        <legend className="mb-1 font-medium">Databases</legend>
        <label className="flex items-center gap-2">
          <input type="radio" checked={allDatabases} onChange={() => setAllDatabases(true)} /> Every database, also ones
          added later
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" checked={!allDatabases} onChange={() => setAllDatabases(false)} /> Only these:
        </label>
        {!allDatabases && (
          <div className="ml-6 mt-1 grid gap-1 sm:grid-cols-2">
            {databases.length === 0 && <p className="text-slate-600">No databases yet (Settings → Databases).</p>}
            {databases.map((d) => (
              <label key={d.id} className="flex items-center gap-2 break-all">
                <input
                  type="checkbox"
                  name="databaseIds"
                  value={d.id}
                  defaultChecked={existing?.databaseIds.includes(d.id)}
                />
                {d.name}
              </label>
            ))}
          </div>
        )}
        {err("databaseIds")}
      </fieldset>

      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="enabled" defaultChecked={existing?.enabled ?? true} /> Enabled (a disabled channel
        receives nothing, not even a &quot;resolved&quot;)
      </label>

      <Button type="submit" variant="primary" size="lg" loading={pending} loadingText="Saving…">
        {existing ? "Save changes" : "Add channel"}
      </Button>
    </form>
  );
}
