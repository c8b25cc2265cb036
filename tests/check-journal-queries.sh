#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every journalctl command line documented in doc/logging.md and the man
# pages, run by the journalctl of this system: against a journal file of
# tscgate's records (tests/fixtures/audit/journal.export, made into a
# journal with systemd-journal-remote) when that is installed, else against
# an empty journal directory, where journalctl still refuses a command
# line it does not accept (systemd 252 rejects `-F FIELD MATCH` as
# "Extraneous arguments").
. "${top_builddir:-.}/tests/test-lib.sh"
tg_workdir
command -v journalctl >/dev/null 2>&1 || tg_skip_all "no journalctl"
tg_diag "$(journalctl --version | head -1)"

EXPORT=$TG_FIXTURES/audit/journal.export
REMOTE=
for r in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
    [ -x "$r" ] && REMOTE=$r && break
done
if [ -n "$REMOTE" ] && "$REMOTE" -o "$WORK/tscgate.journal" "$EXPORT" 2>"$WORK/remote.err"; then
    SRC="--file=$WORK/tscgate.journal"
    tg_diag "queries run against a journal of $(grep -c '^MESSAGE=' "$EXPORT") records"
else
    mkdir -p "$WORK/empty"
    SRC="--directory=$WORK/empty"
    tg_diag "no systemd-journal-remote: only the command lines' syntax is checked"
fi

# The command lines: shell code blocks and inline code of logging.md, .nf
# blocks of the man pages; up to a pipe, groff's \- as -.
{
    sed -n 's/^\(journalctl [^|#]*\).*/\1/p' "$TG_SRCDIR/doc/logging.md"
    grep -o '`journalctl [^`]*`' "$TG_SRCDIR/doc/logging.md" | tr -d '`' | sed 's/ |.*//'
    for m in "$TG_SRCDIR"/doc/*.in; do
        sed -n 's/^\(journalctl .*\)/\1/p' "$m" | sed 's/\\-/-/g'
    done
} | sed 's/ *$//' | sort -u > "$WORK/queries"
tg_check "some queries are documented" [ "$(wc -l < "$WORK/queries")" -ge 10 ]

while IFS= read -r q; do
    args=${q#journalctl }
    rc=0
    # shellcheck disable=SC2086 # the documented words, split as a shell would
    eval "journalctl $SRC --no-pager $args" >"$WORK/q.out" 2>"$WORK/q.err" </dev/null || rc=$?
    if [ "$rc" -eq 0 ] && ! grep -q 'Extraneous\|Failed\|invalid\|Invalid' "$WORK/q.err"; then
        tg_ok "accepted: $q"
    else
        tg_not_ok "accepted: $q"
        tg_diag "exit $rc: $(cat "$WORK/q.err")"
    fi
done < "$WORK/queries"

# The catalog: journalctl compiles it and lists one entry per MESSAGE_ID of
# src/lib/tg-record.h.
mkdir -p "$WORK/root/usr/lib/systemd/catalog" "$WORK/root/var/lib/systemd/catalog"
cp "$TG_SRCDIR/data/tscgate.catalog" "$WORK/root/usr/lib/systemd/catalog/"
journalctl --root="$WORK/root" --update-catalog 2>"$WORK/cat.err" &&
    journalctl --root="$WORK/root" --list-catalog > "$WORK/cat.out" 2>>"$WORK/cat.err"
want=$(sed -n 's/^#define TG_MSGID_[A-Z_]* *"\([0-9a-f]\{32\}\)".*/\1/p' "$TG_SRCDIR/src/lib/tg-record.h" | sort)
got=$(sed -n 's/^\([0-9a-f]\{32\}\) tscgate: .*/\1/p' "$WORK/cat.out" | sort)
tg_check "journalctl compiles the catalog: one entry per MESSAGE_ID" test -n "$want" -a "$want" = "$got"
[ "$want" = "$got" ] || tg_diag "want: $want; got: $got; $(cat "$WORK/cat.err")"

if [ "${SRC#--file=}" != "$SRC" ]; then
    # the queries find what they say they find
    rc=0; journalctl "$SRC" -F TSCGATE_REASON > "$WORK/f.out" 2>&1 || rc=$?
    tg_check "-F TSCGATE_REASON lists the reason codes" grep -qx explicit-outside-tolerance "$WORK/f.out"
    n=$(journalctl "$SRC" -o cat MESSAGE_ID=68d55fc021f9494a9be5418d89fea2c4 | grep -c 'deny (audit: allowed)')
    tg_check "MESSAGE_ID of audit mode finds the would-be denials" [ "$n" -ge 1 ]
    n=$(journalctl "$SRC" -o cat SYSLOG_IDENTIFIER=tscgate TSCGATE_VERDICT=deny TSCGATE_MODE=audit | wc -l)
    tg_check "audit-mode denials by field, the same ones" [ "$n" -ge 1 ]
fi
tg_done
