#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# LOG_COMPILER for `make check-valgrind`: run ELF test programs under the
# test suite's valgrind command (tests/test-lib.sh: memcheck errors and
# definite leaks fail the test); run scripts as they are, with
# TSCGATE_VALGRIND set so they wrap the binaries they start (tg_wrap).
. "${top_builddir:-.}/tests/test-lib.sh"
prog="$1"; shift
if head -c 4 "$prog" | grep -q 'ELF'; then
    [ -n "$TG_HAVE_VALGRIND" ] || { echo "valgrind not found by configure" >&2; exit 1; }
    eval "exec $TG_VALGRIND \"\$prog\" \"\$@\""
fi
TSCGATE_VALGRIND=1; export TSCGATE_VALGRIND
case "$prog" in
    *.sh) exec ${SHELL:-/bin/sh} "$prog" "$@" ;;
    *) exec "$prog" "$@" ;;
esac
