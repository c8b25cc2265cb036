#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The gate in hostile surroundings, run as libvirt runs it: a held lock on
# the runtime directory, journald and syslog sockets nobody reads, a probe
# cache planted by another user, FIFOs and device links as config files, a
# failed probe, a full disk under the audit file, a closed stdout, C1 and
# bidi controls in a guest name, stdin that never ends. Each run must
# answer within its deadline (default 5 s) and fail closed, or pass where
# the operation is not gated. Every run is bounded by `timeout` (exit 124).
. "${top_srcdir:-.}/tests/hook/lib.sh"

HELPER=$top_builddir/tests/hook/hostile-helper
TSCGATE=$top_builddir/src/cli/tscgate
[ -x "$HELPER" ] && [ -x "$TSCGATE" ] || { echo "SKIP: helpers not built"; exit 77; }

GUEST=$FIX/domains/explicit-2100.xml
UUID=6f0f8a64-0c1e-4f4d-9d0b-2f6c1a7b8e01
PREFIX="tscgate: guest 'web1' migrate denied (fail-closed)"
PREFIX_UUID="tscgate: guest 'web1' ($UUID) migrate denied (fail-closed)"
# The test's own bound on one run, well above the gate's deadline.
LIMIT=${HOSTILE_LIMIT:-15}
SLOW=6     # default deadline (5 s) plus a second for the record
DEADLINE=1
FAST=3
if [ -n "${TSCGATE_VALGRIND:-}" ]; then
    # memcheck: everything some 50 times slower (new_config raises the
    # deadline); these bounds still catch a gate that waits forever.
    SLOW=60 DEADLINE=5 FAST=30
fi

# run_bounded CONFIG RUNTIME OUTPREFIX INPUT ARGS...: run_hook with $PRE
# (a command prefix) before the hook, JOURNAL/SYSLOG as the log sockets,
# INPUT "-" for this shell's stdin; status in $rc, seconds in $took.
run_bounded() {
    _conf=$1 _run=$2 _o=$3 _in=$4
    shift 4
    rc=0
    _t0=$(date +%s)
    if [ "$_in" = - ]; then
        # shellcheck disable=SC2086
        env -i LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
            TSCGATE_CONFIG_DIR="$_conf" TSCGATE_RUNTIME_DIR="$_run" TSCGATE_GATE="$GATE_CMD" \
            TSCGATE_TRUST_UID="$MY_UID" TSCGATE_FAKE_NOW="$FAKE_NOW" \
            TSCGATE_JOURNAL_SOCKET="${JOURNAL:-$WORK/no-journal}" \
            TSCGATE_SYSLOG_SOCKET="${SYSLOG:-$WORK/no-syslog}" \
            timeout "$LIMIT" ${PRE:-} "$HOOK" "$@" > "$_o.out" 2> "$_o.err" || rc=$?
    else
        # shellcheck disable=SC2086
        env -i LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
            TSCGATE_CONFIG_DIR="$_conf" TSCGATE_RUNTIME_DIR="$_run" TSCGATE_GATE="$GATE_CMD" \
            TSCGATE_TRUST_UID="$MY_UID" TSCGATE_FAKE_NOW="$FAKE_NOW" \
            TSCGATE_JOURNAL_SOCKET="${JOURNAL:-$WORK/no-journal}" \
            TSCGATE_SYSLOG_SOCKET="${SYSLOG:-$WORK/no-syslog}" \
            timeout "$LIMIT" ${PRE:-} "$HOOK" "$@" < "$_in" > "$_o.out" 2> "$_o.err" || rc=$?
    fi
    took=$(($(date +%s) - _t0))
}

# Assertions on the last run.
in_time() { [ "$rc" -ne 124 ] && [ "$took" -le "${1:-$SLOW}" ] || { echo "  rc=$rc took=${took}s"; false; }; }
denied_one_line() {
    [ "$rc" -eq 1 ] && [ ! -s "$1.out" ] && [ "$(wc -l < "$1.err")" -eq 1 ] ||
        { echo "  rc=$rc stdout=$(wc -c < "$1.out")B stderr: $(cat "$1.err")"; false; }
}
starts_with() { case "$(cat "$1")" in "$2"*) true ;; *) echo "  got: $(cat "$1")"; echo "  want: $2..."; false ;; esac; }
has() { grep -qF -- "$2" "$1" || { echo "  $1 lacks: $2"; head -c 600 "$1"; echo; false; }; }
lacks() { ! grep -qF -- "$2" "$1" || { echo "  $1 has: $2"; false; }; }

# This host's probed facts, for the cases that rely on the probe.
HOST_HZ=$("$TSCGATE" probe 2>/dev/null | sed -n "s/.*<counter name='tsc' frequency='\([0-9]*\)'.*/\1/p" | head -1)
HOST_SCALING=$("$TSCGATE" probe 2>/dev/null | sed -n "s/.*<counter name='tsc'.* scaling='\([a-z]*\)'.*/\1/p" | head -1)
can_probe() { [ -n "$HOST_HZ" ]; }
# A planted 2100 MHz-with-scaling cache changes the verdict for the
# explicit-2100 guest only on a host that is not that.
planted_differs() { can_probe && [ "$HOST_SCALING" = no ] && [ "$HOST_HZ" -ne 2100000000 ]; }
can_unshare() { unshare -m true 2>/dev/null; }
skip() { ok "# SKIP $*"; }

BOOT_ID=$(cat /proc/sys/kernel/random/boot_id)
PLANTED="<capabilities><host><cpu><counter name='tsc' frequency='2100000000' scaling='yes'/></cpu></host></capabilities>"

# --- 1: a held lock on the runtime directory, cold probe cache ---
if command -v flock > /dev/null 2>&1; then
    conf=$(new_config lock)
    run=$WORK/lock.run
    mkdir "$run"
    chmod 755 "$run"                 # as an earlier version created it
    # What `flock -s DIR sleep 60` does, as one process to kill afterwards.
    ( exec 9< "$run"; flock -s 9; exec sleep 60 ) &
    holder=$!
    sleep 0.2
    run_bounded "$conf" "$run" "$WORK/lock" "$FIX/domains/paravirt.xml" web2 migrate begin -
    kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null || true
    tg_check "held lock: answered in time" in_time
    tg_check "held lock: a verdict (exit 0 or 1)" [ "$rc" -eq 0 -o "$rc" -eq 1 ]
    tg_check "held lock: cache stored all the same" [ -f "$run/hostfacts-$BOOT_ID.xml" ]
else
    skip "held lock: needs flock(1)"
fi

# --- 2: journald and syslog sockets nobody reads ---
"$HELPER" stall-socket "$WORK/journal.sock" 60 > "$WORK/stall1.ready" &
stall1=$!
"$HELPER" stall-socket "$WORK/syslog.sock" 60 > "$WORK/stall2.ready" &
stall2=$!
i=0
while [ "$i" -lt 50 ] && ! { grep -qs ready "$WORK/stall1.ready" && grep -qs ready "$WORK/stall2.ready"; }; do
    sleep 0.1; i=$((i + 1))
done
conf=$(new_config stalled hostc-2596.xml)
JOURNAL=$WORK/journal.sock SYSLOG=$WORK/syslog.sock \
    run_bounded "$conf" "$WORK/stalled.run" "$WORK/stalled" "$GUEST" web1 migrate begin -
tg_check "stalled journald+syslog: answered in time" in_time
tg_check "stalled journald+syslog: denied, one line" denied_one_line "$WORK/stalled"
tg_check "stalled journald+syslog: the audit file has the record" \
    fields_are "$WORK/stalled.audit" reason=explicit-outside-tolerance
# No audit file either: the record is kept where an admin finds it, and
# the denial says so.
noaudit=$WORK/noaudit.conf
mkdir "$noaudit"; chmod 755 "$noaudit"
cp "$FIX/hosts/hostc-2596.xml" "$noaudit/host.xml"
[ -z "${TSCGATE_VALGRIND:-}" ] || printf '[hook]\ndeadline=600\n' > "$noaudit/hook.conf"
chmod 644 "$noaudit"/*
JOURNAL=$WORK/journal.sock SYSLOG=$WORK/syslog.sock \
    run_bounded "$noaudit" "$WORK/noaudit.run" "$WORK/noaudit" "$GUEST" web1 migrate begin -
tg_check "no sink works: answered in time" in_time
tg_check "no sink works: denied, one line" denied_one_line "$WORK/noaudit"
tg_check "no sink works: the line says where the record is" \
    has "$WORK/noaudit.err" "(log record not delivered to journald or syslog, kept in $WORK/noaudit.run/undelivered.log)"
tg_check "no sink works: kept in the runtime directory" \
    fields_are "$WORK/noaudit.run/undelivered.log" reason=explicit-outside-tolerance outcome=denied
tg_check "no sink works: the kept record says why" \
    has "$WORK/noaudit.run/undelivered.log" "log_error=\"journal $WORK/journal.sock: not accepting records (queue full); syslog $WORK/syslog.sock: not accepting records (queue full)\""
kill "$stall1" "$stall2" 2>/dev/null; wait "$stall1" "$stall2" 2>/dev/null || true

# --- 12: a record bigger than a journal datagram still reaches journald ---
# (a 300 KB guest name; journald's socket takes some 208 KB per datagram)
# line 2 of the fixture is its <name>
{ sed -n 1p "$GUEST"; printf '  <name>'; head -c 300000 /dev/zero | tr '\000' n
  printf '</name>\n'; sed 1,2d "$GUEST"; } > "$WORK/big.xml"
"$HELPER" recv-journal "$WORK/journal-big.sock" "$WORK/big.journal" 20 > "$WORK/recv.ready" &
recv=$!
i=0
while [ "$i" -lt 50 ] && ! grep -qs ready "$WORK/recv.ready"; do sleep 0.1; i=$((i + 1)); done
conf=$(new_config big hostc-2596.xml)
JOURNAL=$WORK/journal-big.sock \
    run_bounded "$conf" "$WORK/big.run" "$WORK/big" "$WORK/big.xml" web1 migrate begin -
got=0
wait "$recv" || got=$?
tg_check "big record: answered in time" in_time
tg_check "big record: denied" [ "$rc" -eq 1 ]
tg_check "big record: journald got it" [ "$got" -eq 0 ]
tg_check "big record: whole, the 300 KB name included" \
    awk '/^TSCGATE_GUEST=n+$/ && length($0) == 300014 { found = 1 } END { exit !found }' "$WORK/big.journal"
tg_check "big record: reason field present" grep -q '^TSCGATE_REASON=explicit-outside-tolerance$' "$WORK/big.journal"

# --- 3: a probe cache planted by another user ---
if planted_differs; then
    conf=$(new_config planted)
    run=$WORK/planted.run
    mkdir "$run"; chmod 1777 "$run"          # any user may write here
    echo "$PLANTED" > "$run/hostfacts-$BOOT_ID.xml"
    chmod 644 "$run/hostfacts-$BOOT_ID.xml"
    [ "$MY_UID" -eq 0 ] && chown 65534:65534 "$run/hostfacts-$BOOT_ID.xml"
    run_bounded "$conf" "$run" "$WORK/planted" "$GUEST" web1 migrate begin -
    tg_check "planted cache, open directory: answered in time" in_time
    tg_check "planted cache, open directory: this host's rate decides, not the planted one" \
        fields_are "$WORK/planted.audit" dest_hz="$HOST_HZ" scaling=no host_facts=probe-uncached
    tg_check "planted cache, open directory: noted" \
        has "$WORK/planted.audit" "note=\"probe cache not used: $run: writable by group and others"
    tg_check "planted cache, open directory: left alone" grep -qF "$PLANTED" "$run/hostfacts-$BOOT_ID.xml"

    if [ "$MY_UID" -eq 0 ]; then
        conf=$(new_config foreign)
        run=$WORK/foreign.run
        mkdir "$run"; chmod 700 "$run"
        echo "$PLANTED" > "$run/hostfacts-$BOOT_ID.xml"
        chmod 644 "$run/hostfacts-$BOOT_ID.xml"
        chown 65534:65534 "$run/hostfacts-$BOOT_ID.xml"
        run_bounded "$conf" "$run" "$WORK/foreign" "$GUEST" web1 migrate begin -
        tg_check "foreign cache file: this host's rate decides" \
            fields_are "$WORK/foreign.audit" dest_hz="$HOST_HZ" host_facts=probe
        tg_check "foreign cache file: noted" has "$WORK/foreign.audit" "owned by uid 65534"
        tg_check "foreign cache file: replaced by this host's facts" \
            grep -q "frequency='$HOST_HZ'" "$run/hostfacts-$BOOT_ID.xml"
    fi

    for kind in fifo dev-zero sparse; do
        conf=$(new_config "cache-$kind")
        run=$WORK/cache-$kind.run
        mkdir "$run"; chmod 700 "$run"
        case $kind in
        fifo) mkfifo "$run/hostfacts-$BOOT_ID.xml"; want="is a FIFO, not a regular file" ;;
        dev-zero) ln -s /dev/zero "$run/hostfacts-$BOOT_ID.xml"; want="is a character device, not a regular file" ;;
        sparse) dd if=/dev/null of="$run/hostfacts-$BOOT_ID.xml" bs=1 seek=2G 2>/dev/null
                want="file is larger than 65536 bytes" ;;
        esac
        run_bounded "$conf" "$run" "$WORK/cache-$kind" "$GUEST" web1 migrate begin -
        tg_check "cache is a $kind: answered in time" in_time
        tg_check "cache is a $kind: this host's rate decides" fields_are "$WORK/cache-$kind.audit" dest_hz="$HOST_HZ"
        tg_check "cache is a $kind: noted" has "$WORK/cache-$kind.audit" "$want"
    done
else
    skip "planted cache: this host's probe ($HOST_HZ Hz, scaling ${HOST_SCALING:-?}) would not tell"
fi

# --- 6: FIFOs and device links as config files ---
for what in hook.conf policy.xml host.xml; do
    for kind in fifo fifo-link kmsg-link; do
        name=cfg-$what-$kind
        conf=$(new_config "$name" hostc-2596.xml)
        rm -f "$conf/$what"
        case $kind in
        fifo) mkfifo "$conf/$what"; want="is a FIFO, not a regular file" ;;
        fifo-link) mkfifo "$WORK/$name.fifo"; ln -s "$WORK/$name.fifo" "$conf/$what"
                   want="is a FIFO, not a regular file" ;;
        kmsg-link) ln -s /dev/kmsg "$conf/$what"; want="is a character device, not a regular file" ;;
        esac
        case $what in
        hook.conf) code=hook-conf-error p=$PREFIX ;;
        policy.xml) code=policy-error p=$PREFIX ;;
        host.xml) code=host-facts-error p=$PREFIX_UUID ;;
        esac
        run_bounded "$conf" "$WORK/$name.run" "$WORK/$name" "$GUEST" web1 migrate begin -
        tg_check "$what is a $kind: answered in time" in_time
        tg_check "$what is a $kind: denied, one line" denied_one_line "$WORK/$name"
        tg_check "$what is a $kind: says why" starts_with "$WORK/$name.err" "$p: $conf/$what: $want"
    done
done

# --- 9: a failed probe is not cached; the next run probes again ---
if can_probe && can_unshare; then
    sed "s/frequency='2100000000'/frequency='$HOST_HZ'/" "$GUEST" > "$WORK/pinned.xml"
    : > "$WORK/not-kvm"
    cat > "$WORK/no-kvm.sh" <<EOS
#!/bin/sh
# /dev/kvm not the KVM device for a moment, in this mount namespace only.
mount --bind "$WORK/not-kvm" /dev/kvm || exit 99
exec "\$@"
EOS
    chmod +x "$WORK/no-kvm.sh"
    conf=$(new_config probe-fail)
    run=$WORK/probe-fail.run
    PRE="unshare -m $WORK/no-kvm.sh" \
        run_bounded "$conf" "$run" "$WORK/probe-fail" "$WORK/pinned.xml" web1 migrate begin -
    tg_check "failed probe: answered in time" in_time
    tg_check "failed probe: denied, one line" denied_one_line "$WORK/probe-fail"
    tg_check "failed probe: the reason is the probe's" has "$WORK/probe-fail.err" "KVM_CREATE_VM failed: Inappropriate ioctl for device"
    tg_check "failed probe: not cached" [ ! -e "$run/hostfacts-$BOOT_ID.xml" ]
    tg_check "failed probe: noted" has "$WORK/probe-fail.audit" "failed probe not stored: TSC rate unknown: KVM_CREATE_VM failed: Inappropriate ioctl for device"
    rm -f "$WORK/probe-fail.audit"
    run_bounded "$conf" "$run" "$WORK/probe-back" "$WORK/pinned.xml" web1 migrate begin -
    tg_check "probe back: a guest pinned at this host's rate is allowed" [ "$rc" -eq 0 ]
    tg_check "probe back: probed afresh and cached" fields_are "$WORK/probe-fail.audit" host_facts=probe
    tg_check "probe back: cached" [ -f "$run/hostfacts-$BOOT_ID.xml" ]
else
    skip "failed probe: needs /dev/kvm and unshare -m"
fi

# --- 10: the audit file on a full disk ---
if can_unshare; then
    conf=$WORK/full.conf
    mkdir "$conf" "$WORK/full"; chmod 755 "$conf"
    printf '[hook]\naudit-file=%s\n' "$WORK/full/audit.log" > "$conf/hook.conf"
    [ -z "${TSCGATE_VALGRIND:-}" ] || echo "deadline=600" >> "$conf/hook.conf"
    cp "$FIX/hosts/hostc-2596.xml" "$conf/host.xml"; chmod 644 "$conf"/*
    cat > "$WORK/full-disk.sh" <<EOS
#!/bin/sh
# An 8 KiB tmpfs under the audit file: one page taken by a filler, the
# audit file's page all but full, in this mount namespace only.
mount -t tmpfs -o size=8k,mode=0755 tscgate-test "$WORK/full" || exit 99
head -c 4096 /dev/zero > "$WORK/full/filler"
{ head -c 3990 /dev/zero | tr '\\000' x; echo; } > "$WORK/full/audit.log"
cp "$WORK/full/audit.log" "$WORK/full-before.log"
rc=0
"\$@" || rc=\$?
cp "$WORK/full/audit.log" "$WORK/full-after.log"
exit \$rc
EOS
    chmod +x "$WORK/full-disk.sh"
    PRE="unshare -m $WORK/full-disk.sh" \
        run_bounded "$conf" "$WORK/full.run" "$WORK/full" "$GUEST" web1 migrate begin -
    tg_check "full disk: answered in time" in_time
    tg_check "full disk: denied, one line" denied_one_line "$WORK/full"
    tg_check "full disk: the audit file was all but full" grep -q '^x\{3990\}$' "$WORK/full-before.log"
tg_check "full disk: no partial line left in the audit file" cmp -s "$WORK/full-before.log" "$WORK/full-after.log"
    tg_check "full disk: the record kept elsewhere, with the audit error" \
        has "$WORK/full.run/undelivered.log" "audit_error=\"$WORK/full/audit.log: cannot append audit line"
    tg_check "full disk: the line says where the record is" \
        has "$WORK/full.err" "kept in $WORK/full.run/undelivered.log)"
else
    skip "full disk: needs unshare -m"
fi

# --- 11: the reader of stdout is gone ---
conf=$(new_config closed hostb-2100.xml)
PRE="$HELPER closed-stdout" \
    run_bounded "$conf" "$WORK/closed.run" "$WORK/closed" "$GUEST" web1 migrate begin -
tg_check "closed stdout: answered in time" in_time
tg_check "closed stdout: not killed by SIGPIPE, denied (fail-closed)" [ "$rc" -eq 1 ]
tg_check "closed stdout: says why" one_line_equals "$WORK/closed.err" \
    "$PREFIX_UUID: cannot write the domain XML to stdout: Broken pipe"
tg_check "closed stdout: the record is logged" fields_are "$WORK/closed.audit" reason=output-error outcome=denied

# --- 13: C1 and bidi controls in the guest name ---
csi=$(printf '\302\233')
rlo=$(printf '\342\200\256')
nel=$(printf '\302\205')
sed "s|<name>web1</name>|<name>web${csi}31m${rlo}1${nel}x</name>|" "$GUEST" > "$WORK/bidi.xml"
conf=$(new_config bidi hostc-2596.xml)
run_bounded "$conf" "$WORK/bidi.run" "$WORK/bidi" "$WORK/bidi.xml" web1 migrate begin -
tg_check "C1/bidi name: denied, one line" denied_one_line "$WORK/bidi"
tg_check "C1/bidi name: escaped on stderr" has "$WORK/bidi.err" "guest 'web\\u009b31m\\u202e1\\u0085x' ($UUID)"
for f in "$WORK/bidi.err" "$WORK/bidi.audit"; do
    tg_check "C1/bidi name: no raw CSI in ${f##*/}" lacks "$f" "$csi"
    tg_check "C1/bidi name: no raw RLO in ${f##*/}" lacks "$f" "$rlo"
    tg_check "C1/bidi name: no raw NEL in ${f##*/}" lacks "$f" "$nel"
done

# --- deadline: stdin that never ends ---
conf=$(new_config deadline)
printf '[hook]\naudit-file=%s\ndeadline=%s\n' "$WORK/deadline.audit" "$DEADLINE" > "$conf/hook.conf"
mkfifo "$WORK/stdin.fifo"
exec 3<> "$WORK/stdin.fifo"      # a writer that never writes nor closes
run_bounded "$conf" "$WORK/deadline.run" "$WORK/deadline" "$WORK/stdin.fifo" web1 migrate begin -
tg_check "deadline: answered in time" in_time "$FAST"
tg_check "deadline: denied, one line" denied_one_line "$WORK/deadline"
tg_check "deadline: names what it waited for" one_line_equals "$WORK/deadline.err" \
    "$PREFIX: no answer within $DEADLINE s: still reading the domain XML from stdin"
tg_check "deadline: the record is logged" fields_are "$WORK/deadline.audit" reason=deadline outcome=denied
tg_check "deadline: the record names the phase" has "$WORK/deadline.audit" 'phase="reading the domain XML from stdin"'

printf '<policy xmlns="urn:tscgate:policy:1" version="1">\n  <failure>fail-open</failure>\n</policy>\n' > "$conf/policy.xml"
chmod 644 "$conf/policy.xml"
rm -f "$WORK/deadline.audit"
run_bounded "$conf" "$WORK/deadline.run" "$WORK/deadline-open" "$WORK/stdin.fifo" web1 migrate begin -
# What the guest's side sends (or fails to send) never selects fail-open.
tg_check "deadline reading stdin, fail-open policy: answered in time" in_time "$FAST"
tg_check "deadline reading stdin, fail-open policy: denied all the same, one line" \
    denied_one_line "$WORK/deadline-open"
tg_check "deadline reading stdin, fail-open policy: says why" one_line_equals "$WORK/deadline-open.err" \
    "$PREFIX: no answer within $DEADLINE s: still reading the domain XML from stdin"
tg_check "deadline reading stdin, fail-open policy: logged as denied" \
    fields_are "$WORK/deadline.audit" reason=deadline outcome=denied fail_open=no
tg_check "deadline reading stdin, fail-open policy: the record says why fail-open did not apply" \
    has "$WORK/deadline.audit" 'note="fail-open not applied: the deadline expired on the input libvirt passed (the guest'"'"'s domain XML)"'

run_bounded "$conf" "$WORK/deadline.run" "$WORK/not-gated" "$WORK/stdin.fifo" web1 started begin -
tg_check "not gated (started): passes at once without reading stdin" silent "$rc" "$WORK/not-gated"
tg_check "not gated (started): at once" in_time 1
exec 3>&-

tg_done
