# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 31: `virsh migrate --offline --persistent` of a shut-off guest.
# libvirt runs B's migrate hook with the same arguments as for a live
# migration; the XML is captured (a wrapper around the staged gate) to show
# what tells them apart: only a started guest's definition carries
# <resource> (qemuInitCgroup). With <offline-migration>detect on B the
# offline migration is allowed with no lineage record although B looks like
# another host, and a live migration of the same definition is still
# refused.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    [ -z "${E2E_INSTALLED:-}" ] || skip_scenario "captures the XML through the staged gate"
    local g=s31-off l=s31-live gate real cap=$E2E_TMP/s31-capture b0 line x f off live
    gate=$STAGE/libexec/tscgate-gate
    real=$STAGE/libexec/tscgate-gate.s31
    mkdir -p "$cap"
    mv "$gate" "$real"
    # shellcheck disable=SC2064
    trap "mv -f '$real' '$gate'" EXIT
    cat >"$gate" <<W
#!/bin/sh
tee "$cap/\$1.xml" | exec "$real" "\$@"
W
    chmod 755 "$gate"

    set_host_facts hostb $((HOST_HZ + 2000000)) no
    cat >"$(host_conf hostb)/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<policy xmlns="urn:tscgate:policy:1" version="1">
  <offline-migration>detect</offline-migration>
</policy>
XML
    vsh hosta define "$(guest_xml explicit-tsc "$g" "$HOST_HZ")" >/dev/null || fail "define $g on hosta"
    b0=$(audit_lines hostb)
    run_virsh hosta migrate --offline --persistent "$g" "$(e2e_uri hostb)"
    [ "$VRC" = 0 ] || fail "offline migration of the shut-off guest failed: $VOUT"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit reason" "$line" "reason=offline-migration"
    assert_eq "state on hostb" "$(dom_state hostb "$g")" "shut off"
    assert_no_qemu hostb "$g"
    x=$E2E_TMP/s31-inactive.xml
    vsh hostb dumpxml --inactive "$g" >"$x" || fail "dumpxml --inactive $g on hostb"
    assert_eq "lineage records in the moved definition" "$(xp "$x" "count($(lin))")" 0

    guest_start hosta explicit-tsc "$l" "$HOST_HZ"
    b0=$(audit_lines hostb)
    migrate hosta hostb "$l"
    [ "$VRC" != 0 ] || fail "live migration to a host of another rate succeeded"
    line=$(assert_one_audit hostb "$b0" "$l")
    assert_contains "live: audit reason" "$line" "reason=explicit-outside-tolerance"
    assert_running hosta "$l"

    # What the hook saw: the live definition has <resource>, the offline one none.
    off=$cap/$g.xml live=$cap/$l.xml
    for f in "$off" "$live"; do [ -s "$f" ] || fail "nothing captured in $f"; done
    assert_eq "offline definition: <resource>" "$(xp "$off" 'count(/domain/resource)')" 0
    assert_eq "live definition: <resource>" "$(xp "$live" 'count(/domain/resource)')" 1
    assert_eq "offline definition: id" "$(xp "$off" 'string(/domain/@id)')" ""
    assert_eq "live definition: id" "$(xp "$live" 'string(/domain/@id)')" ""
    note "hook input, offline vs live (names aside): $(diff "$off" "$live" | grep '^[<>]' | grep -v -e '<name>' -e '<uuid>' | tr '\n' ' ')"
}
