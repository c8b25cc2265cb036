# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 17: the agent survives a libvirtd restart on A: it notices the
# connection's end, reconnects with backoff, adopts what runs (a guest it
# stamped before keeps its record, nothing is written twice) and stamps a
# guest started after the restart.  Guests destroyed right after their
# start (before or while the agent writes) cost one record each, written
# or failed with libvirt's error, and the agent goes on.
. "$E2E_DIR/agent.sh"
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    [ "$E2E_DOMTYPE" = kvm ] || skip_scenario "no usable /dev/kvm: the boot rate is KVM's"
    local g1=s17-before g2=s17-after n0 i t0 t1 ms log line
    agent_start hosta
    guest_start hosta tsc-sensitive "$g1"
    wait_record hosta "$g1" "$(now_ms)"

    n0=$(agent_log_lines hosta)
    e2e_host_stop_daemon hosta
    e2e_host_start hosta
    for i in $(seq 1 300); do
        agent_new_log hosta "$n0" | grep -q 'outcome=reconnected' && break
        kill -0 "$AGENT_PID" 2>/dev/null || fail "the agent died with libvirtd"
        sleep 0.1
    done
    log=$(agent_new_log hosta "$n0")
    note "agent around the restart:"
    printf '%s\n' "$log" | sed 's/^/    /' >&2
    assert_contains "agent noticed" "$log" "outcome=disconnected"
    assert_contains "agent reconnected" "$log" "outcome=reconnected"
    kill -0 "$AGENT_PID" 2>/dev/null || fail "the agent is gone"
    # g1 has its boot record of this run: adopted without a write.
    assert_eq "writes for $g1 after the restart" "$(printf '%s\n' "$log" | grep -c "guest=$g1 " || :)" 0
    assert_eq "hops of $g1" "$(hop_count "$(dumpxml hosta "$g1")")" 1

    # Started and destroyed at once, in one virsh session: the agent finds
    # each gone (or writes first): one record per guest, never fatal.
    n0=$(agent_log_lines hosta)
    for i in 1 2 3; do
        vsh hosta "create $(guest_xml tsc-sensitive "s17-gone$i"); destroy s17-gone$i" >/dev/null
    done
    for i in $(seq 1 100); do
        [ "$(agent_new_log hosta "$n0" | grep -c 'guest=s17-gone' || :)" -ge 3 ] && break
        sleep 0.1
    done
    log=$(agent_new_log hosta "$n0")
    note "agent on guests destroyed at once:"
    printf '%s\n' "$log" | sed 's/^/    /' >&2
    for i in 1 2 3; do
        assert_eq "records for s17-gone$i" "$(printf '%s\n' "$log" | grep -c "guest=s17-gone$i " || :)" 1
        line=$(printf '%s\n' "$log" | grep "guest=s17-gone$i ")
        case $line in
            *outcome=recorded*) ;;
            *outcome=failed*)
                # libvirt's own error, not a stale or empty one
                assert_contains "failed write of s17-gone$i" "$line" "error="
                case $line in *'error="no error"'* | *'error= '*) fail "no libvirt error in: $line" ;; esac ;;
            *) fail "record for s17-gone$i is neither recorded nor failed: $line" ;;
        esac
    done
    kill -0 "$AGENT_PID" 2>/dev/null || fail "the agent died on a vanished guest"

    t0=$(date -u +%s)
    ms=$(now_ms)
    guest_start hosta tsc-sensitive "$g2"
    wait_record hosta "$g2" "$ms"
    t1=$(date -u +%s)
    echo "MEASURED: virsh create after the restart -> boot record visible: $WAIT_MS ms"
    assert_boot_record "$RECORD_XML" hosta "$HOST_HZ" "$t0" "$t1"
}
