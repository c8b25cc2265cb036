# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 9: `tscgate probe` on a host reports the same TSC frequency and
# scaling as `virsh capabilities` of that host's real libvirtd.
scenario() {
    [ -n "$E2E_CLI" ] || skip_scenario "tscgate CLI not built"
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local h out
    for h in hosta hostb; do
        out=$E2E_TMP/probe-$h.xml
        e2e_in "$h" "$E2E_CLI" probe >"$out" || fail "tscgate probe failed on $h"
        assert_eq "$h probe frequency" \
            "$(xp "$out" "string(/capabilities/host/cpu/counter[@name='tsc']/@frequency)")" \
            "$(caps_counter "$h" frequency)"
        assert_eq "$h probe scaling" \
            "$(xp "$out" "string(/capabilities/host/cpu/counter[@name='tsc']/@scaling)")" \
            "$(caps_counter "$h" scaling)"
        note "$h: $(caps_counter "$h" frequency) Hz, scaling $(caps_counter "$h" scaling)"
    done
}
