# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 15: `tscgate agent --once` adopts what was started while no
# agent ran.  On A: a guest booted there (libvirt: "running (booted)"), one
# booted with a boot record of an earlier run (stale: replaced), and
# one booted there, then paused and resumed ("running (unpaused)": the
# state reason no longer tells, the QEMU command line in /proc does) get a
# boot record; a guest that came in by migration keeps the hook's record
# untouched; one that came in and lost its record stays unknown, which the
# agent says.  A second --once changes nothing.
. "$E2E_DIR/agent.sh"
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    [ "$E2E_DOMTYPE" = kvm ] || skip_scenario "no usable /dev/kvm: the boot rate is KVM's"
    local gb=s15-booted gstale=s15-stale f gu=s15-unpaused gm=s15-migrated gs=s15-stripped n0 t0 t1 x before log
    t0=$(date -u +%s)
    guest_start hosta tsc-sensitive "$gb"
    # A guest started with a boot record of an earlier run on A (as a
    # definition copied from a live dump carries one): stale.
    f=$(guest_xml tsc-sensitive "$gstale")
    sed -i "s|</name>|</name>\\
  <metadata>\\
    <tscgate:lineage xmlns:tscgate=\"$LINEAGE_NS\" version=\"1.1\">\\
      <tscgate:nominal hz=\"$((HOST_HZ + 2000000))\" origin=\"boot\"/>\\
      <tscgate:hop op=\"boot\" host=\"hosta\" hz=\"$((HOST_HZ + 2000000))\" time=\"2026-01-01T00:00:00Z\"/>\\
    </tscgate:lineage>\\
  </metadata>|" "$f"
    vsh hosta create "$f" >/dev/null || fail "could not start $gstale"
    assert_eq "stale record before --once" "$(nominal_attr "$(dumpxml hosta "$gstale")" hz)" \
        "$((HOST_HZ + 2000000))"
    guest_start hosta tsc-sensitive "$gu"
    vsh hosta suspend "$gu" >/dev/null
    vsh hosta resume "$gu" >/dev/null
    assert_eq "state of $gu" "$(vsh hosta domstate "$gu" --reason | head -n1)" "running (unpaused)"
    # Two kvm-clock guests come in from B (allowed with an unknown rate:
    # kvm-clock survives); the hook on A records each hop.
    guest_start hostb kvmclock "$gm"
    guest_start hostb kvmclock "$gs"
    migrate_ok hostb hosta "$gm"
    migrate_ok hostb hosta "$gs"
    vsh hosta metadata "$gs" "$LINEAGE_NS" --remove --live >/dev/null
    before=$(dumpxml hosta "$gm")
    t1=$(date -u +%s)

    n0=$(agent_log_lines hosta)
    agent_once hosta
    assert_eq "agent --once exit status" "$ONCE_RC" 0
    log=$(agent_new_log hosta "$n0")
    note "agent --once said:"
    printf '%s\n' "$log" | sed 's/^/    /' >&2

    x=$(dumpxml hosta "$gb")
    assert_boot_record "$x" hosta "$HOST_HZ" "$t0" "$(date -u +%s)"
    assert_contains "record for $gb" "$(printf '%s\n' "$log" | grep "guest=$gb ")" "op=agent-adopt"
    x=$(dumpxml hosta "$gu")
    assert_boot_record "$x" hosta "$HOST_HZ" "$t0" "$(date -u +%s)"
    x=$(dumpxml hosta "$gstale")
    assert_boot_record "$x" hosta "$HOST_HZ" "$t0" "$(date -u +%s)"
    assert_contains "why $gstale was stamped" "$(printf '%s\n' "$log" | grep "guest=$gstale ")" "stale"

    x=$(dumpxml hosta "$gm")
    assert_eq "hops of $gm" "$(hop_count "$x")" 1
    assert_eq "hop of $gm" "$(hop_attr "$x" 1 op)/$(hop_attr "$x" 1 host)" migrate/hosta
    assert_eq "record of $gm untouched" "$(xp "$x" "string($(lin)/*[local-name()='hop'][1]/@time)")" \
        "$(xp "$before" "string($(lin)/*[local-name()='hop'][1]/@time)")"
    assert_eq "agent records for $gm" "$(printf '%s\n' "$log" | grep -c "guest=$gm " || :)" 0

    x=$(dumpxml hosta "$gs")
    assert_eq "record of $gs" "$(xp "$x" "count($(lin))")" 0
    assert_contains "the agent says $gs stays unknown" \
        "$(printf '%s\n' "$log" | grep "guest=$gs ")" "outcome=unknown"

    # Nothing left to do: a second run writes nothing.
    n0=$(agent_log_lines hosta)
    agent_once hosta
    assert_eq "second agent --once exit status" "$ONCE_RC" 0
    assert_eq "records of a second --once" "$(agent_new_log hosta "$n0" | grep -c 'outcome=recorded' || :)" 0
    assert_eq "hops of $gb after a second --once" "$(hop_count "$(dumpxml hosta "$gb")")" 1
}
