#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# build-aux/add-spdx.sh: add the license identifier line to every tracked
# source file that tests/check-spdx.sh finds without it, in the file's own
# comment syntax (CONTRIBUTING.md, "License headers"): first line, or second
# after a "#!" line or an XML declaration. Idempotent; run from anywhere in
# a git checkout, then review `git diff` and commit.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
id='SPDX-License-Identifier: LGPL-2.1-or-later'
files=$(top_srcdir=$top sh tests/check-spdx.sh --list || :)
n=0
for f in $files; do
    case $f in
        *.c | *.h) line="/* $id */" ;;
        configure.ac) line="dnl $id" ;;
        *.rng | *.xml | *.xml.in) line="<!-- $id -->" ;;
        *.[1-8].in) line=".\\\" $id" ;;
        *) line="# $id" ;;
    esac
    tmp=$f.spdx-tmp
    case $(sed -n 1p "$f") in
        '#!'* | '<?xml'*) { sed -n 1p "$f"; printf '%s\n' "$line"; sed 1d "$f"; } > "$tmp" ;;
        *) { printf '%s\n' "$line"; cat "$f"; } > "$tmp" ;;
    esac
    # Keep the file's mode (scripts stay executable).
    chmod "$(stat -c %a "$f")" "$tmp"
    mv "$tmp" "$f"
    n=$((n + 1))
done
echo "add-spdx: added the identifier to $n files"
