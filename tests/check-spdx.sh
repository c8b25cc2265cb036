#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/check-spdx.sh [--list]: every tracked source file carries the
# license identifier "SPDX-License-Identifier: LGPL-2.1-or-later" on its
# first line, or on its second after a "#!" line or an XML declaration
# (CONTRIBUTING.md, "License headers"). Test data (fixtures, golden outputs,
# fuzz corpora, example and demo XML) and prose are exempt: their bytes are
# what tests and users read. Prints each file without it (--list: only
# their names) and fails when there is one. Needs a git checkout.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
cd "$top_srcdir" || exit 1
list=
[ "${1:-}" = --list ] && list=1
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # TAP (automake's TAP driver runs it in `make check`).
    [ -n "$list" ] || echo "1..0 # SKIP not a git checkout (the license identifiers are checked in git trees)"
    exit 0
fi
id='SPDX-License-Identifier: LGPL-2.1-or-later'

# The source files: code, build files, scripts, schemas, man page sources.
git ls-files | grep -E \
    -e '\.(c|h|sh|am|ac|rng|in)$' -e '^\.ci/' -e '^data/bash-completion/' \
    -e '^debian/rules$' -e '^debian/[a-z0-9.-]*\.(postinst|postrm|preinst|prerm)$' |
    grep -v -E \
        -e '(^|/)fixtures/' -e '^tests/fuzz/(corpus|regressions)/' \
        -e '^xml/(demo|examples)/' -e '^tests/e2e/guests/' -e '\.md$' > "${TMPDIR:-/tmp}/spdx.$$"
missing=0 total=0
while IFS= read -r f; do
    [ -f "$f" ] || continue
    total=$((total + 1))
    first=$(sed -n 1p "$f")
    case $first in
        '#!'* | '<?xml'*) head=$(sed -n 2p "$f") ;;
        *) head=$first ;;
    esac
    case $head in
        *"$id"*) ;;
        *) missing=$((missing + 1))
           if [ -n "$list" ]; then echo "$f"; else echo "# $f: no '$id' on its first line"; fi ;;
    esac
done < "${TMPDIR:-/tmp}/spdx.$$"
rm -f "${TMPDIR:-/tmp}/spdx.$$"
if [ -z "$list" ]; then
    if [ "$missing" -eq 0 ]; then ok=ok; else ok="not ok"; fi
    echo "$ok 1 - $((total - missing)) of $total source files carry the license identifier"
    echo "1..1"
fi
[ "$missing" -eq 0 ]
