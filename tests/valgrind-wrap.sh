#!/bin/sh
# LOG_COMPILER for `make check-valgrind`: run ELF test programs under
# valgrind memcheck (leaks and errors fail the test); run scripts as they are,
# with TSCGATE_VALGRIND set so they can wrap the binaries they start.
prog="$1"; shift
if head -c 4 "$prog" | grep -q 'ELF'; then
    exec valgrind --quiet --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --track-origins=yes "$prog" "$@"
fi
TSCGATE_VALGRIND=1; export TSCGATE_VALGRIND
case "$prog" in
    *.sh) exec ${SHELL:-/bin/sh} "$prog" "$@" ;;
    *) exec "$prog" "$@" ;;
esac
