# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 8: a guest with Hyper-V re-enlightenment and no explicit TSC
# frequency is refused by the destination's hook at `migrate begin`, i.e.
# before the destination QEMU exists and before any memory is sent (QEMU
# itself would fail it only after the full transfer).
#
# Where QEMU/KVM here cannot run such a guest (nested KVM without the
# Hyper-V re-enlightenment MSRs: "failed to set MSR 0x40000106"), the guest
# is defined on A and its migratable XML, as libvirt formats it, is fed to
# B's installed hook exactly as libvirtd runs it; the limitation is
# reported.
scenario() {
    local g=s8-hyperv x mig b0 line first
    x=$(guest_xml hyperv-reenlightenment "$g")
    b0=$(audit_lines hostb)
    run_virsh hosta create "$x"
    if [ "$VRC" = 0 ]; then
        migrate hosta hostb "$g"
        [ "$VRC" != 0 ] || fail "virsh migrate succeeded; expected the hook to refuse it"
        note "virsh said: $VOUT"
        assert_contains "virsh error" "$VOUT" "migrate begin"
        assert_contains "virsh error" "$VOUT" "tscgate:"
        assert_contains "virsh error names the guest" "$VOUT" "$g"
        assert_contains "virsh error names the fix" "$VOUT" "<timer name='tsc' frequency="
        assert_running hosta "$g"
        assert_absent hostb "$g"
        # No QEMU was ever started for it on B: nothing was transferred.
        assert_no_qemu hostb "$g"
    else
        first=$(printf '%s\n' "$VOUT" | grep -m1 -o 'qemu-system-x86_64: error: .*\|kernel doesn.t allow.*\|failed to set MSR.*' || printf '%s' "$VOUT" | head -n1)
        limitation "QEMU here (domain type $E2E_DOMTYPE) cannot start a re-enlightenment guest ($first); covered at hook level with libvirt's migratable XML"
        run_virsh hosta define "$x"
        [ "$VRC" = 0 ] || fail "virsh define failed: $VOUT"
        mig=$E2E_TMP/$g.migratable.xml
        vsh hosta dumpxml --migratable "$g" >"$mig"
        vsh hosta undefine "$g" >/dev/null
        hook_as_libvirt hostb "$g" migrate begin "$mig"
        assert_eq "hook exit status" "$HRC" 1
        assert_eq "hook stdout bytes" "$(wc -c <"$HOUT")" 0
        assert_eq "hook stderr lines" "$(printf '%s\n' "$HERR" | wc -l)" 1
        assert_contains "hook reason" "$HERR" "tscgate:"
        assert_contains "hook reason names the guest" "$HERR" "$g"
        note "hook said: $HERR"
    fi
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit verdict" "$line " "verdict=deny "
    # The one-line reason names the fix: an explicit TSC frequency.
    assert_contains "reason names the fix" "$line" "<timer name='tsc' frequency="
}
