# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 13: `tscgate preflight` asks both real daemons over the libvirt
# API (read-only connections: the guest's migratable XML, both hosts'
# capabilities) and gives the verdict before anything moves; a policy rule
# refuses with its name; an unknown guest is a usage error (exit 2).
preflight() {
    local src=$1 dst=$2; shift 2
    timeout -k 5 60 env -i PATH="$E2E_PATH" LC_ALL=C HOME="$E2E_TMP" \
        "$E2E_CLI" preflight --connect "$(e2e_uri "$src")" --dest-connect "$(e2e_uri "$dst")" "$@"
}

scenario() {
    [ -n "$E2E_CLI" ] || skip_scenario "tscgate CLI not built"
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    "$E2E_CLI" --help | grep -q preflight || skip_scenario "tscgate built without libvirt (no preflight)"
    local g=s13-pinned k=s13-kvmclock out rc policy=$E2E_TMP/s13-policy.xml

    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    guest_start hosta kvmclock "$k"

    # Pinned guest, same real host class: allowed, numbers from libvirt.
    rc=0; out=$(preflight hosta hostb --json "$g" 2>&1) || rc=$?
    note "preflight $g: $out"
    assert_eq "preflight exit for $g" "$rc" 0
    assert_contains "verdict" "$out" '"verdict":"allow"'
    assert_contains "guest Hz from the timer" "$out" "\"guest_hz\":$HOST_HZ,\"guest_hz_origin\":\"explicit\""
    assert_contains "dest Hz from B's capabilities" "$out" "\"dest_hz\":$(caps_counter hostb frequency)"
    # the source host as its daemon names it, the destination as B's does
    assert_contains "source host named" "$out" '"source":"hosta"'
    assert_contains "destination named" "$out" '"destination":"hostb"'

    # kvm-clock guest without a pinned rate or a boot record: the source
    # host's rate is not the guest's (doc/tsc-model.md), so its rate is
    # unknown; kvm-clock copes, with a warning that names the destination.
    rc=0; out=$(preflight hosta hostb "$k" 2>&1) || rc=$?
    assert_eq "preflight exit for $k" "$rc" 0
    assert_contains "text verdict" "$out" "allow-with-warning: guest TSC unknown, destination hostb "

    # A policy rule refuses it, and says so by name.
    cat >"$policy" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<policy xmlns="urn:tscgate:policy:1" version="1">
  <rule name="frozen-s13">
    <match name="s13-*"/>
    <deny>change freeze</deny>
  </rule>
</policy>
XML
    rc=0; out=$(preflight hosta hostb --policy "$policy" "$g" 2>&1) || rc=$?
    assert_eq "preflight exit under a denying policy" "$rc" 1
    assert_contains "rule named" "$out" "policy rule 'frozen-s13'"
    assert_contains "message" "$out" "change freeze"

    # No such guest: exit 2 and libvirt's reason.
    rc=0; out=$(preflight hosta hostb s13-nonexistent 2>&1) || rc=$?
    assert_eq "preflight exit for a missing guest" "$rc" 2
    assert_contains "missing guest message" "$out" "no such domain on the source: s13-nonexistent"

    # Preflight moved nothing.
    assert_running hosta "$g"
    assert_running hosta "$k"
    assert_absent hostb "$g"
    assert_absent hostb "$k"
}
