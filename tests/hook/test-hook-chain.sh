#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook among other qemu.d scripts, run the way libvirt >= 6.5 runs them
# (src/util/virhook.c): every executable of hooks/qemu.d in byte order, each
# fed the previous script's output when that was non-empty, stopping at the
# first non-zero exit.
. "${top_srcdir:-.}/tests/hook/lib.sh"

D=$WORK/qemu.d
mkdir -p "$D"
conf=$(new_config chain hostb-2100.xml)

# 10-before: a filter of another tool: adds a <description> on migrate.
cat > "$D/10-before" <<'EOS'
#!/bin/sh
case "$2" in
migrate|restore) sed 's|</uuid>|&\n  <description>touched by 10-before</description>|' ;;
*) exit 0 ;;
esac
EOS
# 50-tscgate: the built hook, as `make install` names it.
ln -s "$HOOK" "$D/50-tscgate"
# 90-after: records what it was given, changes nothing.
cat > "$D/90-after" <<EOS
#!/bin/sh
cat > "$WORK/after-saw.\$2"
echo ran >> "$WORK/after-ran"
EOS
chmod 755 "$D/10-before" "$D/90-after"

# run_chain OP SUBOP INPUT: final XML to $WORK/chain.xml, status in $rc,
# stderr of the failing script in $WORK/chain.err.
run_chain() {
    cp "$3" "$WORK/chain.xml"
    rc=0
    for s in $(LC_ALL=C ls "$D"); do
        env -i LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            TSCGATE_CONFIG_DIR="$conf" TSCGATE_RUNTIME_DIR="$WORK/chain.run" \
            TSCGATE_GATE="$GATE_CMD" TSCGATE_TRUST_UID="$MY_UID" TSCGATE_FAKE_NOW="$FAKE_NOW" \
            TSCGATE_JOURNAL_SOCKET="$WORK/no-journal" \
            "$D/$s" web1 "$1" "$2" - < "$WORK/chain.xml" > "$WORK/step.out" 2> "$WORK/chain.err" || rc=$?
        [ "$rc" -eq 0 ] || return 0
        if [ -s "$WORK/step.out" ]; then
            cp "$WORK/step.out" "$WORK/chain.xml"
        fi
    done
}

GUEST=$FIX/domains/explicit-2100.xml

# Allowed migration: both filters' changes arrive, 90-after sees the record.
run_chain migrate begin "$GUEST"
tg_check "chain allow: exit 0" [ "$rc" -eq 0 ]
tg_check "chain allow: 10-before's edit kept" grep -q '<description>touched by 10-before</description>' "$WORK/chain.xml"
tg_check "chain allow: record added" grep -q '<tscgate:hop op="migrate" host="hostb"' "$WORK/chain.xml"
tg_check "chain allow: 90-after saw the record" grep -q '<tscgate:lineage ' "$WORK/after-saw.migrate"
tg_check "chain allow: final XML validates" validates "$WORK/chain.xml"
tg_check "chain allow: one <metadata>" [ "$("$C14N" --metadata-count "$WORK/chain.xml")" = 1 ]

# Restore, twice through the chain (a second hop on the chain's own output).
cp "$WORK/chain.xml" "$WORK/hop1.xml"
run_chain restore begin "$WORK/hop1.xml"
tg_check "chain second hop: exit 0" [ "$rc" -eq 0 ]
tg_check "chain second hop: two hops, one record" \
    [ "$(grep -c '<tscgate:hop ' "$WORK/chain.xml")" -eq 2 ]
tg_check "chain second hop: one record" [ "$(grep -c '<tscgate:lineage ' "$WORK/chain.xml")" -eq 1 ]

# Denied migration: the chain stops at 50-tscgate with its one line.
rm -f "$WORK/after-ran"
cp "$FIX/hosts/hostc-2596.xml" "$conf/host.xml"
run_chain migrate begin "$GUEST"
tg_check "chain deny: exit 1" [ "$rc" -eq 1 ]
tg_check "chain deny: one stderr line from tscgate" \
    [ "$(wc -l < "$WORK/chain.err")" -eq 1 ]
tg_check "chain deny: line starts with tscgate:" grep -q "^tscgate: guest 'web1' " "$WORK/chain.err"
tg_check "chain deny: 90-after not run" [ ! -e "$WORK/after-ran" ]

# Non-gating op: tscgate passes, everyone runs, nothing changes.
run_chain started begin "$GUEST"
tg_check "chain started: exit 0" [ "$rc" -eq 0 ]
tg_check "chain started: 90-after ran" [ -e "$WORK/after-ran" ]
tg_check "chain started: XML unchanged" cmp -s "$GUEST" "$WORK/chain.xml"

# libvirt < 6.5: the example hooks/qemu wrapper hands over to the hook.
sed "s|^TSCGATE_HOOK=.*|TSCGATE_HOOK=$HOOK|" "$TG_SRCDIR/hooks/qemu-wrapper.sh" > "$WORK/qemu"
chmod 755 "$WORK/qemu"
rc=0
env -i LC_ALL=C PATH=/usr/bin:/bin TSCGATE_CONFIG_DIR="$conf" TSCGATE_RUNTIME_DIR="$WORK/w.run" \
    TSCGATE_GATE="$GATE_CMD" TSCGATE_TRUST_UID="$MY_UID" TSCGATE_JOURNAL_SOCKET="$WORK/no-journal" \
    "$WORK/qemu" web1 migrate begin - < "$GUEST" > "$WORK/w.out" 2> "$WORK/w.err" || rc=$?
tg_check "qemu wrapper: denial passes through (exit 1, one line)" [ "$rc" -eq 1 ]
tg_check "qemu wrapper: one stderr line" [ "$(wc -l < "$WORK/w.err")" -eq 1 ]
rc=0
env -i LC_ALL=C PATH=/usr/bin:/bin "$WORK/qemu" web1 reconnect begin - < "$GUEST" > "$WORK/w.out" 2> "$WORK/w.err" || rc=$?
tg_check "qemu wrapper: reconnect exit 0, silent" silent "$rc" "$WORK/w"

# Hops through hosts with and without TSC scaling, each hop fed the
# previous hop's output (doc/tsc-model.md). A guest that reads the TSC
# (kvm-clock off) and has no pinned rate: a scaling host keeps its rate,
# which nobody knows; the next host's rate says nothing about it either.
# hop NAME HOSTFIXTURE INPUT OP: the hook on INPUT as this host, output to
# $WORK/NAME.out, audit line in $WORK/NAME.audit.
hop() {
    _hc=$(new_config "$1" "$2")
    run_hook "$_hc" "$WORK/$1.run" "$WORK/$1" "$3" kvmclock-off "$4" begin -
}
hop_field() { audit_field "$WORK/$1.audit" 1 "$2"; }

KOFF=$FIX/domains/dom-kvmclock-off.xml
hop scale1 hostd-2400-scaling.xml "$KOFF" migrate
tg_check "kvmclock off, unknown rate -> scaling host: allowed" [ "$rc" -eq 0 ]
tg_check "scaling hop: reason nominal-unknown-dest-scaling" \
    [ "$(hop_field scale1 reason)" = nominal-unknown-dest-scaling ]
tg_check "scaling hop: record written" grep -q '<tscgate:hop op="migrate" host="hostd"' "$WORK/scale1.out"
tg_check "scaling hop: nominal stays unknown" grep -q '<tscgate:nominal origin="unknown"/>' "$WORK/scale1.out"
tg_check "scaling hop: effective unknown (it is the unknown nominal)" \
    grep -q '<tscgate:effective changed="no"/>' "$WORK/scale1.out"
hop noscale2 hosth-2400-noscale.xml "$WORK/scale1.out" migrate
tg_check "-> 2.4 GHz host without scaling: denied" [ "$rc" -eq 1 ]
tg_check "no-scaling hop: reason guest-frequency-unknown" \
    [ "$(hop_field noscale2 reason)" = guest-frequency-unknown ]
tg_check "no-scaling hop: nominal origin unknown, not the last host's rate" \
    [ "$(hop_field noscale2 nominal_origin)" = unknown ]
tg_check "no-scaling hop: stdout empty" is_empty "$WORK/noscale2.out"

# The same chain under a policy that lets an unknown rate through with a
# warning: the record still never turns a host's rate into the nominal one.
warn_policy() {
    cat > "$1/policy.xml" <<'EOP'
<policy xmlns='urn:tscgate:policy:1' version='1'>
  <unknown guest-frequency='warn'/>
</policy>
EOP
    chmod 644 "$1/policy.xml"
}
hopw() {
    _hc=$(new_config "$1" "$2")
    warn_policy "$_hc"
    run_hook "$_hc" "$WORK/$1.run" "$WORK/$1" "$3" kvmclock-off "$4" begin -
}
hopw w1 hostd-2400-scaling.xml "$KOFF" migrate
hopw w2 hosth-2400-noscale.xml "$WORK/w1.out" migrate
tg_check "warn policy: no-scaling hop allowed" [ "$rc" -eq 0 ]
tg_check "warn policy: no-scaling hop verdict allow-with-warning" \
    [ "$(hop_field w2 verdict)" = allow-with-warning ]
tg_check "warn policy: no-scaling hop reason guest-frequency-unknown" \
    [ "$(hop_field w2 reason)" = guest-frequency-unknown ]
tg_check "warn policy: nominal still unknown" grep -q '<tscgate:nominal origin="unknown"/>' "$WORK/w2.out"
tg_check "warn policy: effective = this host's rate" \
    grep -q '<tscgate:effective hz="2400000000" changed="no"/>' "$WORK/w2.out"
hopw w3 hostc-2596.xml "$WORK/w2.out" restore
tg_check "warn policy: third hop (2.6 GHz, no scaling): nominal still unknown" \
    [ "$(hop_field w3 nominal_origin)" = unknown ]
tg_check "warn policy: third hop reason guest-frequency-unknown" \
    [ "$(hop_field w3 reason)" = guest-frequency-unknown ]
tg_check "warn policy: the rate the guest runs at moved: changed" \
    grep -q '<tscgate:effective hz="2596120000" changed="yes"/>' "$WORK/w3.out"
tg_check "warn policy: three hops" [ "$(grep -c '<tscgate:hop ' "$WORK/w3.out")" -eq 3 ]
tg_check "warn policy: one record" [ "$(grep -c '<tscgate:lineage ' "$WORK/w3.out")" -eq 1 ]
tg_check "warn policy: final XML validates" validates "$WORK/w3.out"

# A record written by an earlier tscgate, which took the first host's rate
# for the guest's (origin "assumed"): read as unknown, never as a rate.
hop legacy hostb-2100.xml "$FIX/lineage/domain-legacy-assumed.xml" migrate
tg_check "legacy 'assumed' record: denied" [ "$rc" -eq 1 ]
tg_check "legacy 'assumed' record: read as an unknown rate" \
    [ "$(hop_field legacy reason)" = guest-frequency-unknown ]
hop legacy2 hostb-2100.xml "$FIX/lineage/domain-legacy-source-host.xml" migrate
tg_check "legacy 'source-host' record: denied" [ "$rc" -eq 1 ]
tg_check "legacy 'source-host' record: nominal origin unknown" \
    [ "$(hop_field legacy2 nominal_origin)" = unknown ]

tg_done
