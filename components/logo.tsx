/** A lifebuoy, drawn inline: no image or font to fetch. */
export function Logo({ className = "h-5 w-5" }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden className={className}>
      <circle
        cx="12"
        cy="12"
        r="9"
        fill="none"
        stroke="currentColor"
        strokeWidth="4"
        strokeDasharray="7.07 7.07"
        strokeDashoffset="3.5"
        className="text-red-500"
      />
      <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeWidth="1" className="text-slate-300" />
      <circle cx="12" cy="12" r="4.5" fill="none" stroke="currentColor" strokeWidth="1" className="text-slate-300" />
    </svg>
  );
}
