"use client";

import { useState } from "react";
import type { LocationDto } from "@/lib/locations/queries";
import type { LocationKind } from "@/lib/locations/schemas";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { inputClass as inputCls } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { saveLocationAction, testUnsavedLocationAction } from "./actions";

type Field = {
  name: string;
  label: string;
  secret?: boolean;
  type?: "text" | "checkbox" | "textarea";
  placeholder?: string;
  help?: string;
};

const FIELDS: Record<LocationKind, Field[]> = {
  local: [
    { name: "path", label: "Folder (absolute path on the console's server)", placeholder: "/var/backups/postgres" },
  ],
  s3: [
    { name: "bucket", label: "Bucket", placeholder: "my-backups" },
    { name: "region", label: "Region", placeholder: "us-east-1" },
    {
      name: "endpoint",
      label: "Endpoint (S3-compatible only; empty for AWS)",
      placeholder: "https://minio.example.com:9000",
    },
    {
      name: "forcePathStyle",
      label: "Path-style addressing (MinIO, Ceph and most S3-compatible servers)",
      type: "checkbox",
    },
    { name: "accessKeyId", label: "Access key id (empty: the server's default AWS credentials)" },
    { name: "secretAccessKey", label: "Secret access key", secret: true },
  ],
  azure: [
    { name: "container", label: "Container", placeholder: "backups" },
    { name: "connectionString", label: "Connection string (or fill the account fields below)", secret: true },
    { name: "accountName", label: "Account name" },
    { name: "accountKey", label: "Account key", secret: true },
    { name: "sasToken", label: "SAS token (instead of the key)", secret: true },
    {
      name: "endpoint",
      label: "Blob endpoint (optional, e.g. Azurite or a sovereign cloud)",
      placeholder: "https://account.blob.core.windows.net",
    },
  ],
  gcs: [
    { name: "bucket", label: "Bucket", placeholder: "my-backups" },
    { name: "projectId", label: "Project id (optional)" },
    {
      name: "credentialsJson",
      label: "Service-account key JSON (empty: application default credentials)",
      secret: true,
      type: "textarea",
    },
    {
      name: "apiEndpoint",
      label: "API endpoint (optional; an emulator)",
      placeholder: "https://storage.googleapis.com",
    },
  ],
};

const KINDS: [LocationKind, string][] = [
  ["s3", "Amazon S3 or S3-compatible"],
  ["azure", "Azure Blob Storage"],
  ["gcs", "Google Cloud Storage"],
  ["local", "Local folder"],
];

export function LocationForm({ existing, onDone }: { existing?: LocationDto; onDone: (message: string) => void }) {
  const [kind, setKind] = useState<LocationKind>(existing?.kind ?? "s3");
  const { pending, feedback, fieldError, run, showError, showOk } = useServerAction();

  function read(form: HTMLFormElement) {
    const f = new FormData(form);
    const config: Record<string, unknown> = { kind, prefix: String(f.get("prefix") ?? "") };
    for (const field of FIELDS[kind])
      config[field.name] = field.type === "checkbox" ? f.get(field.name) === "on" : String(f.get(field.name) ?? "");
    const clearSecrets = FIELDS[kind].filter((x) => x.secret && f.get(`clear:${x.name}`) === "on").map((x) => x.name);
    return { name: String(f.get("name") ?? ""), config, clearSecrets };
  }

  function submit(form: HTMLFormElement, mode: "save" | "test") {
    const input = read(form);
    if (mode === "test") {
      run(() => testUnsavedLocationAction({ id: existing?.id, config: input.config as never }), {
        onSuccess: (d) =>
          d.ok ? showOk(`Connected to ${d.description} in ${Math.round(d.latencyMs)} ms.`) : showError(d.error),
      });
      return;
    }
    run(() => saveLocationAction({ id: existing?.id, ...input, config: input.config as never }), {
      onSuccess: () => onDone(existing ? `Saved ${input.name}.` : `Added ${input.name}. Test it, then sync it.`),
    });
  }

  // The config's fields are nested under "config." in the action's input.
  const err = (name: string) => {
    const message = fieldError(`config.${name}`) ?? fieldError(name);
    return message ? <span className="mt-1 block text-xs text-red-700">{message}</span> : null;
  };
  const cfg = existing?.config ?? {};

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit(e.currentTarget, "save");
      }}
      noValidate
      className="space-y-3"
      aria-label={existing ? `Edit ${existing.name}` : "Add a location"}
    >
      <Feedback feedback={feedback} testId="location-form-result" />
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Name</span>
          <input name="name" defaultValue={existing?.name} className={inputCls} placeholder="prod-s3" />
          {err("name")}
        </label>
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Kind</span>
          <select
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as LocationKind)}
            className={inputCls}
            disabled={Boolean(existing)}
          >
            {KINDS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {FIELDS[kind].map((f) =>
          f.type === "checkbox" ? (
            <label key={f.name} className="flex items-center gap-2 text-sm sm:col-span-2">
              <input type="checkbox" name={f.name} defaultChecked={Boolean(cfg[f.name])} />
              <span>{f.label}</span>
            </label>
          ) : (
            <label key={f.name} className={`block text-sm ${f.type === "textarea" ? "sm:col-span-2" : ""}`}>
              <span className="mb-1 block font-medium">{f.label}</span>
              {f.type === "textarea" ? (
                <textarea
                  name={f.name}
                  rows={3}
                  className={`${inputCls} font-mono`}
                  autoComplete="off"
                  placeholder={
                    f.secret && existing?.secretsSet[f.name] ? "•••••• stored — leave empty to keep" : f.placeholder
                  }
                />
              ) : (
                <input
                  name={f.name}
                  type={f.secret ? "password" : "text"}
                  autoComplete={f.secret ? "new-password" : "off"}
                  className={inputCls}
                  defaultValue={f.secret ? undefined : String(cfg[f.name] ?? "")}
                  placeholder={
                    f.secret && existing?.secretsSet[f.name] ? "•••••• stored — leave empty to keep" : f.placeholder
                  }
                />
              )}
              {f.secret && existing?.secretsSet[f.name] && (
                <span className="mt-1 flex items-center gap-1 text-xs text-slate-600">
                  <input type="checkbox" name={`clear:${f.name}`} /> erase the stored value · changing the address
                  forgets the stored secret
                </span>
              )}
              {err(f.name)}
            </label>
          ),
        )}
        <label className="block text-sm sm:col-span-2">
          <span className="mb-1 block font-medium">Prefix (optional: only keys under it are listed)</span>
          <input
            name="prefix"
            defaultValue={String(cfg.prefix ?? "")}
            className={`${inputCls} font-mono`}
            placeholder="backups/postgres/"
          />
          {err("prefix")}
        </label>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" size="lg" loading={pending} loadingText="Working…">
          {existing ? "Save changes" : "Add location"}
        </Button>
        <Button
          size="lg"
          disabled={pending}
          onClick={(e) => e.currentTarget.form && submit(e.currentTarget.form, "test")}
        >
          Test connection
        </Button>
      </div>
    </form>
  );
}
