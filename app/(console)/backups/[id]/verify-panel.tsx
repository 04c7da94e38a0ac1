"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { VerificationResponse } from "@/app/api/verifications/[id]/route";
import { RunStatusBadge } from "@/components/ui/badges";
import { Button } from "@/components/ui/button";
import { useServerAction } from "@/components/ui/use-server-action";
import { formatBytes } from "@/lib/format/bytes";
import { verifyBackupAction } from "../actions";

export function VerifyPanel({ backupId, canVerify }: { backupId: string; canVerify: boolean }) {
  const router = useRouter();
  const [verificationId, setVerificationId] = useState<string | null>(null);
  const { pending, error, run } = useServerAction();
  const { data: v } = useQuery({
    queryKey: ["verification", verificationId],
    enabled: Boolean(verificationId),
    queryFn: async (): Promise<VerificationResponse> => {
      const res = await fetch(`/api/verifications/${verificationId}`, { cache: "no-store" });
      if (!res.ok) throw new Error((await res.json()).error);
      return res.json();
    },
    refetchInterval: (q) => (q.state.data && q.state.data.status !== "running" ? false : 500),
  });
  const finished = v && v.status !== "running";
  useEffect(() => {
    if (finished) router.refresh();
  }, [finished, router]);

  const pct = v && v.bytesTotal > 0 ? Math.min(100, Math.round((v.bytesDone / v.bytesTotal) * 100)) : 0;
  return (
    <div className="text-sm">
      <p className="mb-3 text-slate-600">
        Reads the whole backup once, streaming: size not 0, sha256 (against the manifest; only one this console signed
        vouches for it), gzip to the end, custom format through pg_restore, plain SQL ending with pg_dump&apos;s
        completion line.
      </p>
      {canVerify ? (
        <Button
          variant="primary"
          disabled={v?.status === "running"}
          loading={pending}
          onClick={() =>
            run(() => verifyBackupAction({ id: backupId }), { onSuccess: (d) => setVerificationId(d.verificationId) })
          }
        >
          {v?.status === "running" ? "Verifying…" : "Verify now"}
        </Button>
      ) : (
        <p className="text-slate-500">Operators and above can verify.</p>
      )}
      {error && (
        <p role="alert" data-testid="verify-error" className="mt-2 text-red-700">
          {error.text}
        </p>
      )}
      {v && (
        <div className="mt-3" data-testid="verify-result">
          <div className="flex items-center gap-2">
            <RunStatusBadge status={v.status} />
            <span className="tabular text-slate-600">
              {formatBytes(v.bytesDone)} of {formatBytes(v.bytesTotal)}
            </span>
          </div>
          <div
            className="mt-2 h-2 w-full overflow-hidden rounded bg-slate-200"
            role="progressbar"
            aria-valuenow={pct}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-label="Verification progress"
          >
            <div
              className={`h-full ${v.status === "failed" ? "bg-red-600" : "bg-sky-600"}`}
              style={{ width: `${finished ? 100 : pct}%` }}
            />
          </div>
          {v.summary && (
            <p
              className={`mt-2 font-medium ${v.status === "passed" ? "text-emerald-800" : "text-red-800"}`}
              data-testid="verify-summary"
            >
              {v.summary}
            </p>
          )}
          {v.checks.length > 0 && (
            <ul className="mt-2 space-y-1">
              {v.checks.map((c) => (
                <li key={c.name} className={c.ok ? "text-emerald-800" : "text-red-800"}>
                  {c.ok ? "✓" : "✗"} <strong>{c.name}</strong>: {c.detail}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
