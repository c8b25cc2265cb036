# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 14: `tscgate agent` on A.  A guest with kvm-clock disabled and no
# pinned rate reads the TSC directly: without a known nominal rate the hook
# on B refuses it even though B runs at A's rate.  With the agent running,
# the same kind of guest booted on A gets a boot record with A's real
# KVM_GET_TSC_KHZ rate within seconds (the time from `virsh create` to the
# record being visible through `virsh metadata` is printed), migrates to B
# (B's facts = A's real rate) allowed, the record keeping origin boot; to a
# B declared at another rate without scaling it is refused, both rates in
# the line.  Migrated back and restored on A, it gets no boot record (the
# hook records those hops).  SIGTERM ends the agent with status 0.
. "$E2E_DIR/agent.sh"
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    [ "$E2E_DOMTYPE" = kvm ] || skip_scenario "no usable /dev/kvm: the boot rate is KVM's"
    local g0=s14-noagent g=s14-agent g2=s14-other t0 t1 ms created x line b0 n0 other
    set_host_facts hostb "$HOST_HZ" "${HOST_SCALING:-no}"

    # Without the agent: the rate is unknown, the guest stays on A.
    guest_start hosta tsc-sensitive "$g0"
    x=$(dumpxml hosta "$g0")
    assert_eq "record without the agent" "$(xp "$x" "count($(lin))")" 0
    migrate hosta hostb "$g0"
    [ "$VRC" != 0 ] || fail "migration of $g0 without a known rate succeeded"
    note "without the agent virsh said: $VOUT"
    assert_contains "virsh error" "$VOUT" "tscgate:"
    assert_contains "virsh error says the rate is unknown" "$VOUT" "unknown"
    assert_running hosta "$g0"
    vsh hosta destroy "$g0" >/dev/null

    # With the agent: a boot record within seconds.
    agent_start hosta
    n0=$(agent_log_lines hosta)
    t0=$(date -u +%s)
    ms=$(now_ms)
    guest_start hosta tsc-sensitive "$g"
    created=$(($(now_ms) - ms))
    wait_record hosta "$g" "$ms"
    t1=$(date -u +%s)
    echo "MEASURED: virsh create -> boot record visible (virsh metadata): $WAIT_MS ms (virsh create itself: $created ms)"
    [ "$WAIT_MS" -le 5000 ] || fail "the boot record took $WAIT_MS ms (more than 5 s)"
    assert_boot_record "$RECORD_XML" hosta "$HOST_HZ" "$t0" "$t1"
    # A's real KVM_GET_TSC_KHZ, as tscgate probe reads it on A.
    assert_eq "nominal = A's probed rate" "$(nominal_attr "$RECORD_XML" hz)" \
        "$(e2e_in hosta "$E2E_CLI" probe | xmllint --xpath "string(//*[local-name()='tsc-frequency'])" -)"
    line=$(agent_new_log hosta "$n0" | grep "guest=$g " | grep 'op=agent-boot')
    note "agent: $line"
    assert_contains "agent record" "$line" "outcome=recorded"
    assert_contains "agent record" "$line" "guest_hz=$HOST_HZ"
    assert_contains "agent record" "$line" "nominal_origin=boot"
    assert_contains "agent record" "$line" "host=hosta"
    assert_eq "agent records for $g" "$(agent_new_log hosta "$n0" | grep -c "guest=$g ")" 1

    # Migrate to B at A's rate: allowed, origin boot kept.
    b0=$(audit_lines hostb)
    migrate_ok hosta hostb "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    note "audit on hostb: $line"
    assert_contains "audit verdict" "$line" "verdict=allow"
    assert_contains "audit nominal rate" "$line" "guest_hz=$HOST_HZ"
    x=$(dumpxml hostb "$g")
    assert_eq "nominal hz on B" "$(nominal_attr "$x" hz)" "$HOST_HZ"
    assert_eq "nominal origin on B" "$(nominal_attr "$x" origin)" boot
    assert_eq "hops on B" "$(hop_count "$x")" 2
    assert_eq "hop 1" "$(hop_attr "$x" 1 op)/$(hop_attr "$x" 1 host)" boot/hosta
    assert_eq "hop 2" "$(hop_attr "$x" 2 op)/$(hop_attr "$x" 2 host)" migrate/hostb
    assert_valid_domain "$x"

    # Back onto A, and saved and restored there, with the agent running:
    # libvirt reports "started migrated" and "started restored", the hook
    # records each hop, the agent writes nothing.
    n0=$(agent_log_lines hosta)
    migrate_ok hostb hosta "$g"
    run_virsh hosta save "$g" "$E2E_TMP/s14.save"
    [ "$VRC" = 0 ] || fail "virsh save failed: $VOUT"
    run_virsh hosta restore "$E2E_TMP/s14.save"
    [ "$VRC" = 0 ] || fail "virsh restore failed: $VOUT"
    rm -f "$E2E_TMP/s14.save"
    sleep 1   # time for an event the agent should not act on
    x=$(dumpxml hosta "$g")
    assert_eq "hops after migrate back and restore" \
        "$(hop_attr "$x" 1 op) $(hop_attr "$x" 2 op) $(hop_attr "$x" 3 op) $(hop_attr "$x" 4 op)" \
        "boot migrate migrate restore"
    assert_eq "nominal origin after migrate back and restore" "$(nominal_attr "$x" origin)" boot
    assert_eq "agent records for an incoming migration and a restore" \
        "$(agent_new_log hosta "$n0" | grep -c "guest=$g " || :)" 0

    # The same kind of guest to a B at another rate without scaling: refused,
    # both rates in the line.
    other=$((HOST_HZ + 2000000))
    set_host_facts hostb "$other" no
    ms=$(now_ms)
    guest_start hosta tsc-sensitive "$g2"
    wait_record hosta "$g2" "$ms"
    echo "MEASURED: virsh create -> boot record visible (second guest): $WAIT_MS ms"
    migrate hosta hostb "$g2"
    [ "$VRC" != 0 ] || fail "migration of $g2 to a host at another rate without scaling succeeded"
    note "virsh said: $VOUT"
    assert_contains "virsh error" "$VOUT" "tscgate:"
    assert_contains "virsh error names the guest's rate" "$VOUT" "$HOST_HZ"
    assert_contains "virsh error names B's rate" "$VOUT" "$other"
    assert_running hosta "$g2"
    assert_absent hostb "$g2"

    n0=$(agent_log_lines hosta)
    agent_stop
    assert_contains "agent's last record" "$(agent_new_log hosta "$n0")" "outcome=stopped"
}
