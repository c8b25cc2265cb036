# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/e2e/helpers.sh: guest, configuration and assertion helpers for the
# scenarios in tests/e2e/scenarios/.  Sourced by run.sh after lib.sh.
# Scenarios run in a subshell with `set -e`; a failed assertion exits it.

LINEAGE_NS=urn:tscgate:lineage:1

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
note() { printf '  %s\n' "$*" >&2; }
# limitation TEXT: something this machine cannot do; shown in run.sh's summary.
limitation() { printf 'LIMITATION: %s\n' "$*" >&2; }
skip_scenario() { printf 'SKIP: %s\n' "$*" >&2; exit 77; }

# guest_xml TEMPLATE NAME [HZ]: write a guest definition, print its path.
guest_xml() {
    local t=$1 n=$2 hz=${3:-0} out
    out=$E2E_TMP/guest-$n.xml
    sed -e "s|@NAME@|$n|g" -e "s|@TYPE@|$E2E_DOMTYPE|g" -e "s|@HZ@|$hz|g" \
        -e "s|@EMULATOR@|$E2E_EMULATOR|g" "$E2E_DIR/guests/$t.xml.in" >"$out"
    printf '%s\n' "$out"
}

# guest_start HOST TEMPLATE NAME [HZ]: start a transient guest on HOST.
guest_start() {
    local h=$1 f
    f=$(guest_xml "$2" "$3" "${4:-0}")
    vsh "$h" create "$f" >/dev/null || fail "could not start guest $3 on $h"
}

dom_state() { vsh "$1" domstate "$2" 2>/dev/null | head -n1 || :; }

assert_running() {
    local s
    s=$(dom_state "$1" "$2")
    [ "$s" = running ] || fail "guest $2 on $1: state '${s:-absent}', expected running"
}

# assert_absent HOST NAME: not defined at all (neither running nor persistent).
assert_absent() {
    if vsh "$1" list --all --name | grep -qxF "$2"; then
        fail "guest $2 is defined on $1 ($(dom_state "$1" "$2")), expected nothing"
    fi
}

# assert_no_qemu HOST NAME: libvirt never started a QEMU process for NAME on
# HOST (it writes /var/log/libvirt/qemu/NAME.log before exec'ing QEMU): a
# refusal at `migrate begin` came before anything was transferred.
assert_no_qemu() {
    [ ! -e "$(e2e_hostdir "$1")/var-log/libvirt/qemu/$2.log" ] ||
        fail "a QEMU process was started on $1 for $2"
}

# run_virsh HOST ARGS...: run virsh, keep exit code in VRC and all output
# in VOUT (for asserting what a user sees).
run_virsh() {
    local h=$1; shift
    set +e
    VOUT=$(vsh "$h" "$@" 2>&1)
    VRC=$?
    set -e
}

# migrate SRC DST NAME: client-managed live migration between the two
# daemons' sockets (QEMU streams over the veth link).
migrate() {
    run_virsh "$1" migrate --live "$3" "$(e2e_uri "$2")"
}

# migrate_ok SRC DST NAME: a migration that must succeed, with the guest
# running on DST afterwards. Sets t0 and t1 (the caller's locals, bash's
# dynamic scope) to the UTC seconds before and after, for assert_hop.
migrate_ok() {
    t0=$(date -u +%s)
    migrate "$1" "$2" "$3"
    t1=$(date -u +%s)
    [ "$VRC" = 0 ] || fail "virsh migrate $3 $1 -> $2 failed: $VOUT"
    assert_running "$2" "$3"
}

host_conf() { printf '%s/tscgate-etc' "$(e2e_hostdir "$1")"; }
audit_file() { printf '%s/var-log/tscgate/audit.log' "$(e2e_hostdir "$1")"; }
audit_lines() { local f; f=$(audit_file "$1"); [ -f "$f" ] && wc -l <"$f" || echo 0; }

# caps_counter HOST ATTR: frequency|scaling of HOST's real <counter name='tsc'>.
caps_counter() {
    vsh "$1" capabilities | xmllint --xpath "string(/capabilities/host/cpu/counter[@name='tsc']/@$2)" - 2>/dev/null || :
}

# set_host_facts HOST HZ SCALING: make HOST look like another host to the
# gate: its host.xml is its real `virsh capabilities` with the TSC counter
# replaced (everything else stays real).
set_host_facts() {
    local h=$1 hz=$2 sc=$3 f
    f=$(host_conf "$h")/host.xml
    vsh "$h" capabilities |
        sed -e "s|<counter name='tsc'[^>]*/>|<counter name='tsc' frequency='$hz' scaling='$sc'/>|" >"$f.tmp"
    grep -q "frequency='$hz' scaling='$sc'" "$f.tmp" || fail "could not rewrite the TSC counter of $h"
    mv "$f.tmp" "$f"
}

# xp FILE XPATH: evaluate an XPath string expression (empty on no match).
xp() { xmllint --xpath "$2" "$1" 2>/dev/null || :; }

lin() { printf "/domain/metadata/*[local-name()='lineage' and namespace-uri()='%s']" "$LINEAGE_NS"; }
hops_xpath() { printf "%s/*[local-name()='hop' and namespace-uri()='%s']" "$(lin)" "$LINEAGE_NS"; }

# dumpxml HOST NAME: save `virsh dumpxml` to a file, print its path.
dumpxml() {
    local f=$E2E_TMP/dump-$1-$2-$RANDOM.xml
    vsh "$1" dumpxml "$2" >"$f" || fail "virsh dumpxml $2 on $1 failed"
    printf '%s\n' "$f"
}

hop_count() { xp "$1" "count($(hops_xpath))"; }
# hop_attr FILE INDEX ATTR (INDEX 1-based or "last()")
hop_attr() { xp "$1" "string(($(hops_xpath))[$2]/@$3)"; }
nominal_attr() { xp "$1" "string($(lin)/*[local-name()='nominal']/@$2)"; }
effective_attr() { xp "$1" "string($(lin)/*[local-name()='effective']/@$2)"; }

# assert_eq WHAT GOT WANT
assert_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }
assert_contains() { case $2 in *"$3"*) ;; *) fail "$1: '$3' not found in: $2" ;; esac; }

# assert_valid_domain FILE: libvirt's own schema accepts it.
assert_valid_domain() {
    xmllint --noout --relaxng "$E2E_SCHEMA_DIR/domain.rng" "$1" 2>"$1.rng.err" ||
        fail "$1 does not validate against domain.rng: $(head -n3 "$1.rng.err")"
}

# iso_to_epoch TIME
iso_to_epoch() { date -u -d "$1" +%s 2>/dev/null || echo -1; }

# assert_hop FILE INDEX OP HOST HZ SCALING VERDICT T0 T1: the hop's facts
# and a time inside [T0, T1].
assert_hop() {
    local f=$1 i=$2 t
    assert_eq "hop $i op" "$(hop_attr "$f" "$i" op)" "$3"
    assert_eq "hop $i host" "$(hop_attr "$f" "$i" host)" "$4"
    assert_eq "hop $i hz" "$(hop_attr "$f" "$i" hz)" "$5"
    assert_eq "hop $i scaling" "$(hop_attr "$f" "$i" scaling)" "$6"
    assert_eq "hop $i verdict" "$(hop_attr "$f" "$i" verdict)" "$7"
    [ -n "$(hop_attr "$f" "$i" reason)" ] || fail "hop $i has no reason code"
    t=$(iso_to_epoch "$(hop_attr "$f" "$i" time)")
    [ "$t" -ge "$8" ] && [ "$t" -le "$9" ] ||
        fail "hop $i time '$(hop_attr "$f" "$i" time)' not within the operation ($8..$9)"
}

# allow_verdict HOST: the verdict an in-tolerance hop onto HOST gets.
# "allow", except that the engine warns (rule 6) when HOST's clock is not
# NTP-synchronised, a real fact of the machine, which the gate reads at
# every run (never from its probe cache): read the same way, by the
# tscgate CLI's probe inside HOST; without the CLI, from the probe cache
# of a tscgate that kept the clock state there.
allow_verdict() {
    local f v
    if [ -n "${E2E_CLI:-}" ]; then
        f=$E2E_TMP/allow-verdict-$1.xml
        if e2e_in "$1" "$E2E_CLI" probe --no-kvm >"$f" 2>/dev/null; then
            v=$(xp "$f" "string(//*[local-name()='clock-synchronized']/@known)")/$(xp "$f" "normalize-space(//*[local-name()='clock-synchronized'])")
            [ "$v" = yes/no ] && echo allow-with-warning || echo allow
            return 0
        fi
    fi
    for f in "$(e2e_hostdir "$1")"/run/tscgate/hostfacts-*.xml; do
        [ -f "$f" ] || continue
        v=$(xp "$f" "string(//*[local-name()='clock-synchronized']/@known)")/$(xp "$f" "normalize-space(//*[local-name()='clock-synchronized'])")
        if [ "$v" = yes/no ]; then
            echo allow-with-warning
            return 0
        fi
    done
    echo allow
}

# assert_clean_hop FILE INDEX OP HOST T0 T1: hop INDEX is an in-tolerance
# hop onto HOST with HOST's real facts (`virsh capabilities` counter): the
# verdict is allow_verdict's, and a warning may only be the clock one.
assert_clean_hop() {
    local v
    v=$(allow_verdict "$4")
    assert_hop "$1" "$2" "$3" "$4" "$(caps_counter "$4" frequency)" "$(caps_counter "$4" scaling)" "$v" "$5" "$6"
    if [ "$v" != allow ]; then
        assert_eq "hop $2 reason" "$(hop_attr "$1" "$2" reason)" dest-clock-unsynchronized
        note "hop $2 onto $4 warns: that host's clock is not NTP-synchronised (real fact of this machine)"
    fi
}

# new_audit_lines HOST BEFORE: the audit lines appended since BEFORE lines.
new_audit_lines() {
    local f
    f=$(audit_file "$1")
    [ -f "$f" ] || return 0
    tail -n "+$(($2 + 1))" "$f"
}

# assert_one_audit HOST BEFORE GUEST: exactly one new audit line, naming
# GUEST; prints it.
assert_one_audit() {
    local n l
    n=$(new_audit_lines "$1" "$2" | wc -l)
    [ "$n" = 1 ] || fail "$n new audit lines on $1 (expected 1): $(new_audit_lines "$1" "$2")"
    l=$(new_audit_lines "$1" "$2")
    assert_contains "audit line on $1" "$l" "$3"
    printf '%s\n' "$l"
}

# hook_as_libvirt HOST NAME OP SUBOP FILE: run HOST's installed hook exactly
# as libvirtd does (clean environment, argv, domain XML on stdin) inside
# HOST's namespaces.  Sets HRC, HOUT (stdout file), HERR (stderr text).
hook_as_libvirt() {
    local h=$1
    HOUT=$E2E_TMP/hook-$RANDOM.out
    set +e
    HERR=$(e2e_in "$h" /etc/libvirt/hooks/qemu.d/50-tscgate "$2" "$3" "$4" - <"$5" 2>&1 >"$HOUT")
    HRC=$?
    set -e
}

# e2e_reset: between scenarios: no guests anywhere, default configuration
# (no host.xml, no policy.xml), hook.conf with the audit file.
e2e_reset() {
    local h d c
    for h in "${E2E_HOSTS[@]}"; do
        for d in $(vsh "$h" list --name 2>/dev/null); do vsh "$h" destroy "$d" >/dev/null 2>&1 || :; done
        for d in $(vsh "$h" list --all --name 2>/dev/null); do vsh "$h" undefine "$d" >/dev/null 2>&1 || :; done
        c=$(host_conf "$h")
        rm -f "$c/host.xml" "$c/policy.xml"
        printf '[hook]\naudit-file=/var/log/tscgate/audit.log\n' >"$c/hook.conf"
        chmod 0644 "$c/hook.conf"
    done
}
