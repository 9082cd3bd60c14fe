"""How the reports write numbers: times, sizes, rates, ratios and Markdown
tables (report.py and headline.py, so that REPORT.md and the README agree
to the digit)."""


def size_text(n):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return "%d %s" % (n // scale, unit)
    return "%d B" % n


def secs(t):
    """Seconds to three significant digits in the largest unit that keeps
    them at least 1 (999.96 µs is 1 ms, not 1e+03 µs)."""
    if t is None:
        return "–"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if float("%.3g" % (t / scale)) >= 1:
            return "%.3g %s" % (t / scale, unit)
    return "%.3g ns" % (t / 1e-9)


def rate(size, t):
    if not t:
        return "–"
    r = size / t
    return "%.3g GB/s" % (r / 1e9) if float("%.3g" % (r / 1e9)) >= 1 else \
        "%.3g MB/s" % (r / 1e6)


def number(x):
    """Three significant digits, and no exponent: 19,800 rather than 1.98e+04."""
    return "%.3g" % x if x < 1000 else "{:,.0f}".format(x)


def ratio(x):
    """number(x) as a speed-up: 19,800x."""
    return "–" if x is None else number(x) + "x"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"
