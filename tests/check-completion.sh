#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/check-completion.sh: the bash completion (data/bash-completion/
# tscgate) offers every subcommand the built `tscgate --help` lists, every
# long option each subcommand's --help lists (nested commands such as
# `policy explain` too), file names for FILE values and URIs for URI values.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
tg=$top_builddir/src/cli/tscgate
. "$top_builddir/tests/test-lib.sh"
[ -x "$tg" ] || tg_skip_all "$tg not built"
set +e
ok() { tg_ok "$*"; }
bad() { tg_not_ok "$*"; }

# shellcheck source=data/bash-completion/tscgate
. "$top_srcdir/data/bash-completion/tscgate"
[ "$(complete -p tscgate 2>/dev/null)" = "complete -o filenames -F _tscgate tscgate" ] &&
    ok "registered for tscgate" || bad "complete -p tscgate: $(complete -p tscgate 2>&1)"

# comp WORD...: what completing the last WORD offers, one per line.
comp() {
    COMP_WORDS=("$tg" "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _tscgate
    printf '%s\n' "${COMPREPLY[@]}"
}
# expect DESC WANTED... -- WORD...: every WANTED is offered.
expect() {
    local desc=$1 want=() w got; shift
    while [ "$1" != -- ]; do want+=("$1"); shift; done; shift
    got=$(comp "$@")
    for w in "${want[@]}"; do
        if printf '%s\n' "$got" | grep -qx -F -- "$w"; then ok "$desc: $w"; else bad "$desc: $w not offered (got: $(echo $got))"; fi
    done
}

commands() { "$tg" "$@" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z0-9-]*\)  \{1,\}[^ -].*/\1/p'; }
options() {
    "$tg" "$@" --help 2>/dev/null |
        sed -n 's/^ \{1,\}\(-[A-Za-z0-9], \)\{0,1\}\(--[a-z0-9][a-z0-9-]*\)\(=\{0,1\}\).*/\2\3/p'
}

top=$(commands)
# What the help lists today, so a parser that finds nothing fails here.
for c in probe check policy; do
    printf '%s\n' "$top" | grep -qx "$c" || bad "tscgate --help does not list $c"
done
expect "tscgate" $top --help --version -- ""
for c in $top; do
    subs=$(commands "$c")
    if [ -n "$subs" ]; then
        expect "tscgate $c" $subs -- "$c" ""
        for s in $subs; do
            expect "tscgate $c $s" $(options "$c" "$s") -- "$c" "$s" --
        done
    else
        expect "tscgate $c" $(options "$c") -- "$c" --
    fi
done
expect "check options" --domain= --dest= --source= --policy= --json -- check --
expect "policy explain options" --domain= --dest= --source= -- policy explain --

# Values: file names for FILE-like values (given as --opt=V, which bash
# splits at "=", and as --opt V), URIs for --connect.
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
touch "$dir/guest-one.xml"
expect "check --domain FILE" "$dir/guest-one.xml" -- check --domain "$dir/guest-o"
expect "check --domain=FILE" "$dir/guest-one.xml" -- check --domain = "$dir/guest-o"
expect "policy validate FILE" "$dir/guest-one.xml" -- policy validate "$dir/guest-o"
if printf '%s\n' "$top" | grep -qx preflight; then
    expect "preflight --connect URI" qemu:///system -- preflight --connect q
    [ -z "$(comp preflight --json "$dir/gu")" ] && ok "preflight DOMAIN: no file names" ||
        bad "preflight DOMAIN offered file names"
fi
[ -z "$(comp frobnicate --)" ] && ok "unknown command: nothing" || bad "unknown command offered: $(comp frobnicate --)"

tg_done
