# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 16: a stale record in a persistent definition.  A live dump of a
# guest booted on A (boot record included) is defined as a persistent guest
# after its record was made to look like one from a host at another rate;
# the cold boot `virsh start` with the agent running replaces the record in
# the live definition, and the persistent definition keeps what it had
# (the agent writes live only).
. "$E2E_DIR/agent.sh"
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    [ "$E2E_DOMTYPE" = kvm ] || skip_scenario "no usable /dev/kvm: the boot rate is KVM's"
    local g=s16-stale stale dump x t0 t1 ms first
    agent_start hosta
    guest_start hosta tsc-sensitive "$g"
    wait_record hosta "$g" "$(now_ms)"
    first=$(iso_to_epoch "$(hop_attr "$RECORD_XML" 1 time)")
    stale=$((HOST_HZ + 2000000))
    dump=$E2E_TMP/s16-live.xml
    sed -e "s|hz=\"$HOST_HZ\"|hz=\"$stale\"|g" "$RECORD_XML" >"$dump"
    assert_eq "stale nominal in the dump" "$(nominal_attr "$dump" hz)" "$stale"
    vsh hosta destroy "$g" >/dev/null
    run_virsh hosta define "$dump"
    [ "$VRC" = 0 ] || fail "virsh define of the live dump failed: $VOUT"
    x=$E2E_TMP/s16-inactive.xml
    vsh hosta dumpxml --inactive "$g" >"$x"
    assert_eq "stale nominal in the persistent definition" "$(nominal_attr "$x" hz)" "$stale"

    # Hop times are whole seconds: the new boot is in a later second.
    while [ "$(date -u +%s)" -le "$first" ]; do sleep 0.1; done
    t0=$(date -u +%s)
    ms=$(now_ms)
    run_virsh hosta start "$g"
    [ "$VRC" = 0 ] || fail "virsh start failed: $VOUT"
    wait_record hosta "$g" "$ms" "$t0"
    t1=$(date -u +%s)
    echo "MEASURED: virsh start -> stale record replaced: $WAIT_MS ms"
    assert_boot_record "$RECORD_XML" hosta "$HOST_HZ" "$t0" "$t1"
    vsh hosta dumpxml --inactive "$g" >"$x"
    assert_eq "persistent definition untouched" "$(nominal_attr "$x" hz)" "$stale"
    vsh hosta destroy "$g" >/dev/null
    vsh hosta undefine "$g" >/dev/null
}
