"use client";

import { useState } from "react";
import { buttonClass } from "@/components/ui/button";

/**
 * On a phone the filters would fill the whole first screen, so they fold behind one button that
 * says how many are active; from md up they are always open. The form itself is rendered on the
 * server and passed in: this island only toggles it.
 */
export function FiltersPanel({ active, children }: { active: number; children: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="mb-4">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="backup-filters"
        onClick={() => setOpen(!open)}
        className={buttonClass("secondary", "md", "md:hidden")}
      >
        <span aria-hidden>{open ? "▾" : "▸"}</span> Filters
        {active > 0 && (
          <span
            className="rounded-full bg-sky-700 px-1.5 text-xs font-medium text-white tabular"
            data-testid="active-filters"
          >
            {active} active
          </span>
        )}
      </button>
      <div id="backup-filters" className={open ? "mt-2" : "hidden md:block"}>
        {children}
      </div>
    </div>
  );
}
