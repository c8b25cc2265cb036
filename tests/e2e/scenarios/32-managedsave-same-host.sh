# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 32: `virsh managedsave` then `virsh start` on the same host under
# a "stay on your host" rule (and a policy that denies an unsynchronised
# clock): libvirt runs the restore hook while the managed save image is
# there; the gate recognises a restore on the host that saved it, in this
# boot, and allows it (restore-same-host). The same rule still refuses a
# move of the guest.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s32-db b0 a0 line x
    cat >"$(host_conf hosta)/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<policy xmlns="urn:tscgate:policy:1" version="1">
  <unsynchronized-clock>deny</unsynchronized-clock>
  <rule name="stay-home">
    <match name="s32-*"/>
    <deny>databases stay on their host</deny>
  </rule>
</policy>
XML
    cp "$(host_conf hosta)/policy.xml" "$(host_conf hostb)/policy.xml"
    vsh hosta define "$(guest_xml explicit-tsc "$g" "$HOST_HZ")" >/dev/null || fail "define $g"
    run_virsh hosta start "$g"
    [ "$VRC" = 0 ] || fail "start $g: $VOUT"
    run_virsh hosta managedsave "$g"
    [ "$VRC" = 0 ] || fail "managedsave $g: $VOUT"
    [ -f "$(e2e_hostdir hosta)/var-lib/libvirt/qemu/save/$g.save" ] ||
        fail "no managed save image in hosta's /var/lib/libvirt/qemu/save"
    a0=$(audit_lines hosta)
    run_virsh hosta start "$g"
    [ "$VRC" = 0 ] || fail "start after managedsave was refused: $VOUT"
    assert_running hosta "$g"
    line=$(assert_one_audit hosta "$a0" "$g")
    assert_contains "audit op" "$line" "op=restore"
    assert_contains "audit reason" "$line" "reason=restore-same-host"
    x=$(dumpxml hosta "$g")
    assert_eq "restore hop" "$(hop_attr "$x" 'last()' op)" restore
    assert_eq "restore hop host" "$(hop_attr "$x" 'last()' host)" hosta

    # A move is still refused by the rule.
    b0=$(audit_lines hostb)
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "the stay-on-host rule let the guest move"
    assert_contains "virsh error names the rule" "$VOUT" "stay-home"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "move: audit reason" "$line" "reason=policy-force-deny"
    assert_running hosta "$g"
}
