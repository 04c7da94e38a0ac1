// The RPO rule of the dead-man switch: breached as soon as the newest good backup is older than
// the RPO (the promise itself; the dashboard's "warning" band starts at the same point).

export function rpoVerdict(
  newestGood: Date | null,
  rpoHours: number,
  now: Date,
): { breached: boolean; ageHours: number | null } {
  if (!newestGood) return { breached: true, ageHours: null };
  const ageHours = (now.getTime() - newestGood.getTime()) / 3_600_000;
  return { breached: ageHours > rpoHours, ageHours };
}

/** "26 h", "1.5 h", "45 min". */
export function formatHours(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  return `${Number.isInteger(hours) || hours >= 10 ? Math.round(hours) : hours.toFixed(1)} h`;
}
