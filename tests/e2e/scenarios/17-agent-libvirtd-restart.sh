# Scenario 17: the agent survives a libvirtd restart on A: it notices the
# connection's end, reconnects with backoff, adopts what runs (a guest it
# stamped before keeps its record, nothing is written twice) and stamps a
# guest started after the restart.
. "$E2E_DIR/agent.sh"
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    [ "$E2E_DOMTYPE" = kvm ] || skip_scenario "no usable /dev/kvm: the boot rate is KVM's"
    local g1=s17-before g2=s17-after n0 i t0 t1 ms log
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

    t0=$(date -u +%s)
    ms=$(now_ms)
    guest_start hosta tsc-sensitive "$g2"
    wait_record hosta "$g2" "$ms"
    t1=$(date -u +%s)
    echo "MEASURED: virsh create after the restart -> boot record visible: $WAIT_MS ms"
    assert_boot_record "$RECORD_XML" hosta "$HOST_HZ" "$t0" "$t1"
}
