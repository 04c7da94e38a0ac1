import Link from "next/link";

// A dense operations table: small padding, tabular numbers, numbers right-aligned. No hooks, so
// it renders on the server and ships no JavaScript. Cells are styled by .ops-table in
// app/globals.css, once, rather than by classes on every cell of every row.

/** Only the props that are set: an undefined one still costs bytes in the RSC payload. */
function defined<T extends Record<string, unknown>>(props: T): Partial<T> {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

export function Table({
  children,
  label,
  testId,
  className = "",
  tableClassName = "",
}: {
  children: React.ReactNode;
  /** The table's accessible name when no heading names it. */
  label?: string;
  testId?: string;
  /** Classes of the scrolling frame. */
  className?: string;
  tableClassName?: string;
}) {
  return (
    <div className={`overflow-x-auto rounded-lg border border-slate-200 bg-white ${className}`}>
      <table
        {...defined({ "aria-label": label, "data-testid": testId })}
        className={`ops-table tabular w-full text-left text-sm ${tableClassName}`}
      >
        {children}
      </table>
    </div>
  );
}

export function THead({ children, className = "" }: { children: React.ReactNode; className?: string }) {
  return (
    <thead className={`bg-slate-50 text-xs uppercase tracking-wide text-slate-500 ${className}`}>
      <tr>{children}</tr>
    </thead>
  );
}

export type SortState = { href: string; direction: "ascending" | "descending" | null };

/**
 * A column header. With `sort`, the header is a link to the same list sorted by this column and
 * carries aria-sort while it is the active sort.
 */
export function Th({
  children,
  numeric = false,
  sort,
  className = "",
}: {
  children?: React.ReactNode;
  numeric?: boolean;
  sort?: SortState;
  className?: string;
}) {
  const arrow = sort?.direction === "ascending" ? " ▲" : sort?.direction === "descending" ? " ▼" : "";
  return (
    <th
      scope="col"
      {...defined({
        "aria-sort": sort?.direction ?? undefined,
        className: `${numeric ? "num " : ""}${className}`.trim(),
      })}
    >
      {sort ? (
        <Link href={sort.href} className="hover:underline">
          {children}
          {arrow}
        </Link>
      ) : (
        children
      )}
    </th>
  );
}

export function Tr({
  children,
  className,
  testId,
}: {
  children: React.ReactNode;
  className?: string;
  testId?: string;
}) {
  return <tr {...defined({ className, "data-testid": testId })}>{children}</tr>;
}

export function Td({
  children,
  numeric = false,
  className = "",
  colSpan,
}: {
  children?: React.ReactNode;
  numeric?: boolean;
  className?: string;
  colSpan?: number;
}) {
  return <td {...defined({ colSpan, className: `${numeric ? "num " : ""}${className}`.trim() })}>{children}</td>;
}
