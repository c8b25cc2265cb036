#!/usr/bin/env python3
"""Compare `tscgate plan --json` with `tscgate check --json` for every pair.

argv: PLAN_JSON CHECK_LIST. CHECK_LIST has one line per pair,
"DOMAIN_FILE<TAB>HOST_FILE<TAB>EXIT<TAB>CHECK_JSON". Prints one line per
disagreement and exits 1 when there is any.
"""
import json
import sys

plan = json.load(open(sys.argv[1]))
hosts = {h["from"]: h for h in plan["hosts"]}
guests = plan["guests"]
# decisions come guest by guest, host by host, the guest's own host left out
order = []
for g in guests:
    for h in plan["hosts"]:
        if g["host"] is not None and g["host"] == h["name"]:
            continue
        order.append((g["from"], h["from"]))
decisions = plan["decisions"]
bad = 0
if len(order) != len(decisions):
    print("plan has %d decisions, expected %d" % (len(decisions), len(order)))
    sys.exit(1)
by_pair = {}
for (gf, hf), d in zip(order, decisions):
    by_pair[(gf, hf)] = d
checked = 0
reasons = 0
for line in open(sys.argv[2]):
    gf, hf, rc, js = line.rstrip("\n").split("\t", 3)
    if hf not in hosts:
        continue
    c = json.loads(js)
    d = by_pair.get((gf, hf))
    if d is None:
        g = [g for g in guests if g["from"] == gf]
        if g and g[0]["host"] == hosts[hf]["name"]:
            continue
        print("no plan decision for %s on %s" % (gf, hf))
        bad += 1
        continue
    checked += 1
    # every field of the plan's decision is check's field of that name
    # (tg-fields.h), with check's value; "host" is check's "destination",
    # and the reason names it only where check knew the host's name
    for k, v in d.items():
        if k == "host":
            continue
        if k == "reason" and c.get("destination") is None:
            continue
        if k == "reason":
            reasons += 1
        if k not in c:
            print("%s on %s: plan field %s is not a check field" % (gf, hf, k))
            bad += 1
        elif c[k] != v:
            print("%s on %s: %s: check %r, plan %r" % (gf, hf, k, c[k], v))
            bad += 1
    if c.get("destination") is not None and c["destination"] != d["host"]:
        print("%s on %s: check destination %s, plan host %s" % (gf, hf, c["destination"], d["host"]))
        bad += 1
    for k in ("verdict", "code", "rule", "allowed", "effective_hz"):
        if k not in d:
            print("%s on %s: plan decision has no %s" % (gf, hf, k))
            bad += 1
    if (int(rc) == 0) != d["allowed"]:
        print("%s on %s: check exits %s, plan allowed %s" % (gf, hf, rc, d["allowed"]))
        bad += 1
print("%d pairs compared, %d reasons" % (checked, reasons))
sys.exit(1 if bad or not checked else 0)
