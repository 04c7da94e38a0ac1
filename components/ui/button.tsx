import type { ButtonHTMLAttributes } from "react";

// One place for what a button looks like. No hooks, so server and client components both use it.

const VARIANTS = {
  /** The one obvious next step of a screen. */
  primary: "border border-sky-700 bg-sky-700 font-medium text-white hover:bg-sky-800",
  /** Everything else that is safe to click. */
  secondary: "border border-slate-300 bg-white text-slate-900 hover:bg-slate-50",
  /** Removes or overwrites something: always chosen explicitly, never the default. */
  danger: "border border-red-300 bg-white text-red-700 hover:bg-red-50",
  /** Low-emphasis actions inside text (Cancel, Close). */
  ghost: "border border-transparent text-sky-700 hover:bg-sky-50",
} as const;

const SIZES = {
  xs: "rounded px-1.5 py-0.5 text-xs",
  sm: "rounded px-2 py-1 text-sm",
  md: "rounded-md px-3 py-1.5 text-sm",
  lg: "rounded-md px-3 py-2 text-sm",
} as const;

export type ButtonVariant = keyof typeof VARIANTS;
export type ButtonSize = keyof typeof SIZES;

/** The classes of a button, for a link that looks like one. */
export function buttonClass(variant: ButtonVariant = "secondary", size: ButtonSize = "md", extra = ""): string {
  const base =
    "inline-flex items-center justify-center gap-1.5 whitespace-nowrap disabled:cursor-not-allowed disabled:opacity-60";
  return `${base} ${VARIANTS[variant]} ${SIZES[size]}${extra ? ` ${extra}` : ""}`;
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Disables the button and says the work is under way. */
  loading?: boolean;
  /** Shown instead of the label while loading ("Saving…"); the label stays otherwise. */
  loadingText?: React.ReactNode;
};

/**
 * Secondary and type="button" unless told otherwise, so a button added without thought neither
 * submits a form nor looks like the way forward; "danger" is always an explicit choice.
 */
export function Button({
  variant = "secondary",
  size = "md",
  loading = false,
  loadingText,
  type = "button",
  className = "",
  disabled,
  children,
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      className={buttonClass(variant, size, className)}
      {...rest}
    >
      {loading && (
        <span
          aria-hidden
          className="inline-block h-3 w-3 animate-spin rounded-full border-2 border-current border-r-transparent"
        />
      )}
      {loading && loadingText ? loadingText : children}
    </button>
  );
}
