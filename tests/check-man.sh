#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/check-man.sh: the man pages as installed. Each generated page is
# clean for `mandoc -T lint` (else `man --warnings`), has no path or version
# left unsubstituted, and every subcommand of the built `tscgate` (nested
# ones such as `policy explain` too) has its SYNOPSIS entry and COMMANDS
# entry in tscgate(8), or its own page tscgate-COMMAND(8), naming every long
# option its --help lists.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
tg=$top_builddir/src/cli/tscgate
. "$top_builddir/tests/test-lib.sh"
set +e
ok() { tg_ok "$*"; }
bad() { tg_not_ok "$*"; }

pages=$(ls "$top_builddir"/doc/*.[1-8] 2>/dev/null)
[ -n "$pages" ] || { tg_not_ok "no generated man pages in $top_builddir/doc"; tg_done; }
[ -x "$tg" ] || tg_skip_all "$tg not built"

# --- lint ---------------------------------------------------------------
if command -v mandoc >/dev/null 2>&1; then
    lint() { mandoc -T lint -W warning "$1" 2>&1; }
elif command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
    lint() { LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$1" 2>&1 >/dev/null; }
else
    tg_skip_all "neither mandoc nor man with groff installed"
fi
for p in $pages; do
    name=$(basename "$p")
    out=$(lint "$p")
    if [ -z "$out" ]; then ok "lint $name"; else bad "lint $name"; printf '%s\n' "$out" | sed 's/^/     /'; fi
    # Left-overs of configure-time names: @name@, $(name), or the bare
    # macro names of the C sources.
    left=$(grep -n -e '@[A-Za-z_]*@' -e '\$([a-z]*dir)' -e 'SYSCONFDIR' -e 'LIBEXECDIR' \
        -e 'RUNSTATEDIR' -e 'LOCALSTATEDIR' -e 'PKGDATADIR' "$p")
    if [ -z "$left" ]; then ok "substituted $name"; else bad "substituted $name"; printf '%s\n' "$left" | sed 's/^/     /'; fi
    th=$(sed -n 's/^\.TH [^ ]* [0-9] "\([^"]*\)" "\([^"]*\)" "\([^"]*\)".*/\1|\2|\3/p' "$p")
    want="$(sed -n 's/^\.TH [^ ]* [0-9] "\([^"]*\)" "\([^"]*\)" "\([^"]*\)".*/\1|\2|\3/p' "$top_builddir/doc/tscgate.8")"
    if [ -n "$th" ] && [ "$th" = "$want" ]; then ok "title line $name ($th)"; else bad "title line $name: '$th', tscgate.8 has '$want'"; fi
done
version=$("$tg" --version | sed 's/^tscgate //')
case $(grep -m1 "^\.TH " "$top_builddir/doc/tscgate.8") in
    *"\"tscgate $version\""*) ok "tscgate.8 names version $version" ;;
    *) bad "tscgate.8 does not name version $version" ;;
esac

# --- every subcommand and option ----------------------------------------
# commands WORDS...: the commands `tscgate WORDS... --help` lists.
commands() { "$tg" "$@" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z0-9-]*\)  \{1,\}[^ -].*/\1/p'; }
# options WORDS...: the long options `tscgate WORDS... --help` lists.
options() {
    "$tg" "$@" --help 2>/dev/null |
        sed -n 's/^ \{1,\}\(-[A-Za-z0-9], \)\{0,1\}--\([a-z0-9][a-z0-9-]*\).*/\2/p' | grep -vx help
}
# roff PAGE: the page's source with \- as - and font escapes dropped.
roff() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$1"; }

check_command() {
    cmd="$*" page=$top_builddir/doc/tscgate.8
    [ -e "$top_builddir/doc/tscgate-$1.8" ] && page=$top_builddir/doc/tscgate-$1.8
    # SYNOPSIS: every ".B tscgate CMD[ ...]" form up to the next .br or section.
    syn=$(roff "$page" | awk -v c=".B tscgate $cmd" '
        $0 == c || index($0, c " ") == 1 { on = 1; print; next }
        on && (/^\.br/ || /^\.SH/) { on = 0 } on { print }')
    if [ -z "$(roff "$page" | grep -x -F ".B tscgate $cmd")" ]; then
        bad "$(basename "$page"): no SYNOPSIS entry '.B tscgate $cmd'"
        return
    fi
    if [ "$(basename "$page")" = tscgate.8 ]; then
        if roff "$page" | awk '/^\.SH COMMANDS/ { on = 1; next } /^\.SH/ { on = 0 } on' |
            grep -q -x -F ".B $cmd"; then
            ok "tscgate.8: COMMANDS entry for $cmd"
        else
            bad "tscgate.8: no COMMANDS entry '.B $cmd'"
        fi
    fi
    for o in $(options "$@"); do
        if printf '%s\n' "$syn" | grep -q -e "--$o\([^a-z0-9-]\|\$\)"; then
            ok "$(basename "$page"): $cmd --$o"
        else
            bad "$(basename "$page"): SYNOPSIS of '$cmd' lacks --$o"
        fi
    done
}

top=$(commands)
[ -n "$top" ] || bad "tscgate --help lists no commands"
for c in $top; do
    subs=$(commands "$c")
    if [ -n "$subs" ]; then
        for s in $subs; do check_command "$c" "$s"; done
    else
        check_command "$c"
    fi
done

tg_done
