#!/bin/sh
# The head of every conformance report under DIR (the statement and the
# table of causes that open each report.md), as Markdown for a CI job's
# summary page.
#   usage: job_summary.sh DIR >> "$GITHUB_STEP_SUMMARY"
dir=${1:?usage: job_summary.sh DIR}
found=0
for report in $(find "$dir" -name report.md 2>/dev/null | sort); do
    found=1
    echo "### $(dirname "$report" | sed "s|^$dir/*||")"
    echo
    # The opening section: everything before the second level-2 heading.
    awk '/^## / { if (++h == 2) exit } { print }' "$report" | head -n 60
    echo
done
[ "$found" = 1 ] || echo "No conformance report was written under $dir."
