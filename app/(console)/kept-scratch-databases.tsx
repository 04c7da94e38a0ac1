"use client";

import Link from "next/link";
import { Button } from "@/components/ui/button";
import { useServerAction } from "@/components/ui/use-server-action";
import type { KeptScratchDatabase } from "@/lib/restores/leftovers";
import { dropKeptScratchAction } from "./restores/actions";

/** Scratch databases operators kept for inspection when they cancelled a restore: each stays until dropped here. */
export function KeptScratchDatabases({ kept, canDrop }: { kept: KeptScratchDatabase[]; canDrop: boolean }) {
  return (
    <ul className="text-sm" data-testid="kept-scratch-databases">
      {kept.map((k) => (
        <KeptScratch key={k.runId} kept={k} canDrop={canDrop} />
      ))}
    </ul>
  );
}

function KeptScratch({ kept, canDrop }: { kept: KeptScratchDatabase; canDrop: boolean }) {
  const { pending, error, run } = useServerAction();
  return (
    <li className="flex flex-wrap items-center gap-2 py-1">
      <code className="[overflow-wrap:anywhere]">{kept.scratchDatabase}</code>
      <span className="text-slate-600">
        kept from a cancelled restore of {kept.databaseName} (
        <Link href={`/restores/${kept.runId}`} className="text-sky-700 hover:underline">
          run
        </Link>
        )
      </span>
      {canDrop && (
        <Button
          variant="danger"
          size="xs"
          loading={pending}
          loadingText="Dropping…"
          onClick={() => {
            if (
              window.confirm(
                `Drop ${kept.scratchDatabase}? It is a scratch copy of a backup, not ${kept.databaseName} itself.`,
              )
            )
              run(() => dropKeptScratchAction({ runId: kept.runId }), { refresh: true });
          }}
        >
          Drop
        </Button>
      )}
      {error && <span className="text-red-700">{error.text}</span>}
    </li>
  );
}
