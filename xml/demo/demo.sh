#!/bin/sh
# tscgate demo (`make demo`): probe this host, then check every bundled
# example guest against this host and against the example hosts, printing
# each verdict with its one-line reason.
set -eu
tscgate=${TSCGATE:-src/cli/tscgate}
demo=${DEMO_DIR:-$(dirname "$0")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== This host (tscgate probe --human)"
"$tscgate" probe --human || true
"$tscgate" probe > "$work/this-host.xml"
echo

for host in "$work/this-host.xml" "$demo"/hosts/*.xml; do
    label=$(basename "$host" .xml)
    echo "== Destination: $label"
    for guest in "$demo"/guests/*.xml; do
        g=$(basename "$guest" .xml)
        set +e
        line=$("$tscgate" check --domain "$guest" --dest "$host" 2>&1 | head -n 1)
        set -e
        printf '  %-28s %s\n' "$g" "$line"
    done
    echo
done
echo "Exit statuses of 'tscgate check': EXIT STATUS in tscgate(8)."
