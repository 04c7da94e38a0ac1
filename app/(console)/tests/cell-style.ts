import type { CellState } from "@/lib/monthly-tests/calendar";

// The colours of a calendar cell; every cell also carries its symbol and word (never colour alone).
export const CELL_CLASS: Record<CellState, string> = {
  signed: "border-emerald-700 bg-emerald-600 text-white",
  passed: "border-emerald-400 bg-emerald-50 text-emerald-900",
  unsigned: "border-amber-400 bg-amber-50 text-amber-900",
  failed: "border-red-500 bg-red-100 text-red-900",
  running: "border-sky-400 bg-sky-50 text-sky-900",
  due: "border-dashed border-sky-500 bg-white text-sky-900",
  overdue: "border-red-600 bg-red-600 text-white",
  not_done: "border-slate-200 bg-slate-50 text-slate-500",
};
