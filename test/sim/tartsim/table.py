"""TextTable Style.plain as Tart uses it: left-aligned, one space apart, last line right-trimmed."""
import time


def render(rows: list) -> str:
    """rows[0] is the header. With no data rows the table is empty (Tart prints a blank line)."""
    if len(rows) <= 1:
        return ""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = [" ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines).rstrip()


def relative(ts: float) -> str:
    """RelativeDateTimeFormatter-style text, e.g. '2 minutes ago'."""
    delta = max(0, int(time.time() - ts))
    for unit, size in (("year", 31536000), ("month", 2592000), ("week", 604800), ("day", 86400),
                       ("hour", 3600), ("minute", 60), ("second", 1)):
        if delta >= size or unit == "second":
            n = delta // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "now"
