# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers of the hook's shell tests (sourced). Runs the built hook
# exactly as libvirt does: clean environment, argv GUEST OP SUBOP EXTRA,
# domain XML on stdin (libvirt src/util/virhook.c virHookCall).
. "${top_builddir:-.}/tests/test-lib.sh"

HOOK=$TG_BUILDDIR/hooks/tscgate-hook
GATE=$TG_BUILDDIR/hooks/tscgate-gate
C14N=$TG_BUILDDIR/tests/hook/xml-c14n-nometa
FIX=$TG_FIXTURES
GOLDEN=$TG_FIXTURES/golden/hook
SCHEMA=$LIBVIRT_SCHEMA_DIR/domain.rng
# 2026-11-25T08:00:00Z: stamped into lineage records so goldens are stable.
FAKE_NOW=1795593600
MY_UID=$(id -u)

for f in "$HOOK" "$GATE" "$C14N"; do
    [ -x "$f" ] || tg_skip_all "$f not built"
done

tg_workdir
# Under `make check-valgrind` the gate runs under memcheck (tg_wrap); a
# memcheck error shows as exit status 99.
GATE_CMD=$(tg_wrap gate "$GATE")

# new_config NAME [HOST_FIXTURE]: a trusted config dir with hook.conf
# pointing the audit file at NAME.audit; host.xml copied when given.
new_config() {
    _c=$WORK/$1.conf
    mkdir -p "$_c"
    chmod 755 "$_c"
    printf '[hook]\naudit-file=%s\n' "$WORK/$1.audit" > "$_c/hook.conf"
    # Under memcheck the gate runs some 50 times slower: 50 of them at once
    # would outlast the default deadline.
    [ -z "${TSCGATE_VALGRIND:-}" ] || echo "deadline=600" >> "$_c/hook.conf"
    if [ $# -ge 2 ] && [ -n "$2" ]; then
        cp "$FIX/hosts/$2" "$_c/host.xml"
    fi
    chmod 644 "$_c"/*
    echo "$_c"
}

# run_hook CONFIG RUNTIME OUTPREFIX INPUT ARGS...: run the hook as libvirt
# does; stdout/stderr to OUTPREFIX.out/.err; status in $rc. libvirt's
# managed save images are looked for in $SAVE_DIR (default: a directory
# that does not exist).
run_hook() {
    _conf=$1 _run=$2 _o=$3 _in=$4
    shift 4
    rc=0
    env -i LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root USER=root LOGNAME=root \
        TSCGATE_CONFIG_DIR="$_conf" TSCGATE_RUNTIME_DIR="$_run" TSCGATE_GATE="$GATE_CMD" \
        TSCGATE_TRUST_UID="$MY_UID" TSCGATE_FAKE_NOW="$FAKE_NOW" \
        TSCGATE_JOURNAL_SOCKET="$WORK/no-journal" TSCGATE_SYSLOG_SOCKET="$WORK/no-syslog" \
        TSCGATE_LIBVIRT_SAVE_DIR="${SAVE_DIR:-$WORK/no-save-dir}" \
        timeout 60 "$HOOK" "$@" < "$_in" > "$_o.out" 2> "$_o.err" || rc=$?
}

# Assertions (return status; pair with `check`).
is_empty() { [ ! -s "$1" ]; }
same_file() { cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -40; false; }; }
one_line_equals() {
    # $1 file, $2 expected line: exactly that one line.
    [ "$(wc -l < "$1")" -eq 1 ] && [ "$(cat "$1")" = "$2" ] ||
        { echo "  got: $(cat "$1")"; echo "  want: $2"; false; }
}
validates() { "$XMLLINT" --noout --relaxng "$SCHEMA" "$1" 2>/dev/null; }
only_metadata_differs() {
    "$C14N" "$1" > "$WORK/c14n.a" && "$C14N" "$2" > "$WORK/c14n.b" &&
        same_file "$WORK/c14n.a" "$WORK/c14n.b" &&
        [ "$("$C14N" --metadata-count "$2")" = 1 ]
}
# audit_field FILE LINENO KEY: value of KEY= in that logfmt line (unquoted
# values only, which is what reason codes and numbers are).
audit_field() {
    sed -n "$2p" "$1" | tr ' ' '\n' | sed -n "s/^$3=//p" | head -1
}
# silent RC PREFIX: exit status 0, PREFIX.out and PREFIX.err empty.
silent() { [ "$1" -eq 0 ] && [ ! -s "$2.out" ] && [ ! -s "$2.err" ]; }
# fields_are FILE KEY=VALUE...: FILE has exactly one line and it carries
# each KEY=VALUE.
fields_are() {
    _f=$1; shift
    [ "$(wc -l < "$_f")" -eq 1 ] || { echo "  $_f: $(wc -l < "$_f") lines"; return 1; }
    for _kv in "$@"; do
        _v=$(audit_field "$_f" 1 "${_kv%%=*}")
        [ "$_v" = "${_kv#*=}" ] || { echo "  ${_kv%%=*}: got '$_v', want '${_kv#*=}'"; return 1; }
    done
}
# golden NAME FILE: compare with tests/fixtures/golden/hook/NAME; TSCGATE_UPDATE_GOLDEN=1
# rewrites the golden instead (review the diff before committing).
golden() {
    if [ -n "${TSCGATE_UPDATE_GOLDEN:-}" ]; then
        cp "$2" "$GOLDEN/$1"
        return 0
    fi
    same_file "$GOLDEN/$1" "$2"
}
