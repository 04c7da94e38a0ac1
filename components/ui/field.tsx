import { cloneElement, isValidElement, useId } from "react";

/** The look of text inputs, selects and text areas. */
export const inputClass =
  "w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm focus:border-sky-600 focus:outline-none focus:ring-2 focus:ring-sky-200 aria-[invalid=true]:border-red-400";

type ControlProps = { id?: string; "aria-describedby"?: string };

/**
 * A label, its one control, a hint and an error message. The hint and the error are tied to the
 * control with aria-describedby (and the error sets aria-invalid), so a screen reader reads them
 * with the field instead of somewhere else on the page.
 */
export function Field({
  label,
  hint,
  error,
  id,
  className = "",
  children,
}: {
  label: React.ReactNode;
  hint?: React.ReactNode;
  error?: string | null;
  /** The control's id; generated when absent. */
  id?: string;
  className?: string;
  children: React.ReactElement<ControlProps>;
}) {
  const generated = useId();
  const controlId = id ?? children.props.id ?? generated;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const describedBy = [children.props["aria-describedby"], hintId, errorId].filter(Boolean).join(" ") || undefined;
  const control = isValidElement(children)
    ? cloneElement(children as React.ReactElement<Record<string, unknown>>, {
        id: controlId,
        "aria-describedby": describedBy,
        "aria-invalid": error ? true : undefined,
      })
    : children;
  return (
    <div className={`block text-sm ${className}`}>
      <label htmlFor={controlId} className="mb-1 block font-medium">
        {label}
      </label>
      {control}
      {hint && (
        <span id={hintId} className="mt-1 block text-xs text-slate-600">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} className="mt-1 block text-xs text-red-700">
          {error}
        </span>
      )}
    </div>
  );
}
