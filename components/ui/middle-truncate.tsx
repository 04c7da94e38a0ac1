/**
 * One line of monospace text that, when it does not fit, keeps its start and its end and drops
 * the middle ("amani_backup_2026…_020000.sql.gz"): the end of a backup key (its time stamp and
 * format) is what tells two keys apart. Pure CSS (.mid-truncate in app/globals.css), so it
 * renders on the server; the full text is in the title. The two halves are flex items, which a
 * browser may read with a space between them: give the enclosing link or button the text as its
 * aria-label.
 */
export function MiddleTruncate({ text, tail = 16 }: { text: string; tail?: number }) {
  // By code point, never in the middle of a surrogate pair.
  const chars = Array.from(text);
  if (chars.length <= tail)
    return (
      <span title={text} className="mid-truncate">
        <span className="tail">{text}</span>
      </span>
    );
  return (
    <span title={text} className="mid-truncate">
      <span className="head">{chars.slice(0, chars.length - tail).join("")}</span>
      <span className="tail">{chars.slice(chars.length - tail).join("")}</span>
    </span>
  );
}
