/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate fuzz target: untrusted domain XML (what libvirt hands the hook on
 * stdin). Parses the guest profile, derives its class and nominal rate,
 * selects a rule of a fixed policy, decides it against fixed destinations,
 * builds the next lineage record and writes it into the same document; the
 * rewritten document must parse again and carry exactly that record, with
 * the guest's clock profile unchanged. */
#include <config.h>

#include <string.h>

#include "fuzz-common.h"
#include "tg-evaluate.h"
#include "tg-lineage-priv.h"
#include "tg-policy.h"

#define FUZZ_NOW 1795593600 /* 2026-11-25T08:00:00Z */

/* Rules that select on every <match> criterion the guest parser feeds. */
static const char fuzz_policy_xml[] =
    "<policy xmlns='urn:tscgate:policy:1' version='1'>\n"
    "  <tolerance ppm='250'/>\n"
    "  <inventory><host-group name='g'>"
    "<host name='ha' frequency='2596120000' scaling='no'/>"
    "<host name='hb' frequency='2100000000' scaling='yes'/></host-group></inventory>\n"
    "  <rule name='tagged'><match tag='db'/><require-scaling/></rule>\n"
    "  <rule name='named'><match name='win-*'/><allow-with-warning/></rule>\n"
    "  <rule name='byuuid'><match uuid='6f1c3f0e-8a2b-4f43-9c1e-2d7a1b0c5e11'/><deny>pinned</deny></rule>\n"
    "  <rule name='sensitive'><match class='tsc-sensitive'/><from-host-groups>g</from-host-groups></rule>\n"
    "  <rule name='rest'><match/><lineage hops='2'/></rule>\n"
    "</policy>\n";

static TgPolicy *fuzz_policy;
static TgHostFacts *fuzz_dests[FUZZ_N_DESTS];

static void
fuzz_init(void)
{
    g_autoptr(GError) err = NULL;

    if (fuzz_dests[0])
        return;
    for (int i = 0; i < FUZZ_N_DESTS; i++)
        fuzz_dests[i] = fuzz_dest_host(i);
    fuzz_policy = tg_policy_parse_xml(fuzz_policy_xml, sizeof(fuzz_policy_xml) - 1,
                                      "fuzz-policy-fixed.xml", &err);
    /* Optional: if the fixed policy ever stops validating, fuzz without it
     * rather than not at all (test-policy covers policy loading). */
    if (!fuzz_policy)
        fprintf(stderr, "fuzz-guest: fixed policy rejected: %s\n", err->message);
}

static void
check_decision(const TgDecision *d)
{
    FUZZ_ASSERT(d != NULL, "no decision");
    FUZZ_ASSERT(d->code && *d->code, "empty reason code");
    FUZZ_ASSERT(d->reason && *d->reason, "empty reason");
    fuzz_check_text("reason", d->reason);
    FUZZ_ASSERT(d->verdict <= TG_VERDICT_DENY, "verdict %d", (int)d->verdict);
    FUZZ_ASSERT(d->verdict != TG_VERDICT_DENY || d->adjustments->len == 0,
                "deny with adjustments");
}

/* The record read back from the rewritten document equals what was written. */
static void
check_same_record(const TgLineage *a, const TgLineage *b)
{
    FUZZ_ASSERT(b != NULL, "rewritten document has no lineage record");
    FUZZ_ASSERT(a->nominal_hz == b->nominal_hz, "nominal %" G_GUINT64_FORMAT " != %" G_GUINT64_FORMAT,
                a->nominal_hz, b->nominal_hz);
    FUZZ_ASSERT(a->nominal_origin == b->nominal_origin, "nominal origin changed");
    FUZZ_ASSERT(a->effective_hz == b->effective_hz, "effective hz changed");
    FUZZ_ASSERT(a->effective_changed == b->effective_changed, "effective changed flag changed");
    FUZZ_ASSERT(a->hops->len == b->hops->len, "%u hops written, %u read", a->hops->len, b->hops->len);
    for (guint i = 0; i < a->hops->len; i++) {
        const TgHop *x = a->hops->pdata[i], *y = b->hops->pdata[i];

        FUZZ_ASSERT(g_strcmp0(x->op, y->op) == 0, "hop %u op", i);
        FUZZ_ASSERT(g_strcmp0(x->host, y->host) == 0, "hop %u host '%s' != '%s'", i,
                    x->host ? x->host : "(null)", y->host ? y->host : "(null)");
        FUZZ_ASSERT(x->host_hz == y->host_hz, "hop %u hz", i);
        FUZZ_ASSERT(x->scaling == y->scaling, "hop %u scaling", i);
        FUZZ_ASSERT(x->time == y->time, "hop %u time", i);
        FUZZ_ASSERT(g_strcmp0(x->verdict, y->verdict) == 0, "hop %u verdict", i);
        FUZZ_ASSERT(g_strcmp0(x->reason_code, y->reason_code) == 0, "hop %u reason", i);
    }
}

static void
check_same_profile(const TgGuestProfile *a, const TgGuestProfile *b)
{
    FUZZ_ASSERT(g_strcmp0(a->name, b->name) == 0, "name changed");
    FUZZ_ASSERT(g_strcmp0(a->uuid, b->uuid) == 0, "uuid changed");
    FUZZ_ASSERT(a->timers->len == b->timers->len, "timer count changed");
    FUZZ_ASSERT(a->has_explicit_hz == b->has_explicit_hz && a->explicit_hz == b->explicit_hz,
                "explicit frequency changed");
    FUZZ_ASSERT(a->invtsc_exposed == b->invtsc_exposed, "invtsc changed");
    FUZZ_ASSERT(a->kvmclock_disabled == b->kvmclock_disabled, "kvmclock changed");
    FUZZ_ASSERT(a->hv_reenlightenment == b->hv_reenlightenment, "reenlightenment changed");
    FUZZ_ASSERT(a->tags->len == b->tags->len, "tag count %u != %u", a->tags->len, b->tags->len);
    for (guint i = 0; i < a->tags->len; i++)
        FUZZ_ASSERT(g_strcmp0(a->tags->pdata[i], b->tags->pdata[i]) == 0, "tag %u changed", i);
}

static void
one_destination(const TgGuestProfile *g, const char *buf, size_t size,
                const TgHostFacts *source, const TgHostFacts *dest, bool with_policy)
{
    TgSettings settings;
    g_autoptr(TgDecision) d = NULL;
    g_autoptr(TgLineage) next = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *why = NULL;
    g_autofree char *out = NULL;
    g_autofree char *rec = NULL;
    g_autoptr(TgGuestProfile) again = NULL;

    tg_settings_init(&settings);
    if (with_policy && fuzz_policy) {
        tg_policy_apply(fuzz_policy, g, &settings, &why);
        fuzz_check_text("policy selection", why);
    }
    d = tg_decide(g, source, dest, &settings);
    check_decision(d);

    next = tg_lineage_next(g->lineage, d, "migrate", dest->hostname.value, FUZZ_NOW,
                           settings.hop_limit);
    FUZZ_ASSERT(next->hops->len >= 1, "record without hops");
    rec = tg_lineage_format(next);
    FUZZ_ASSERT(rec && *rec, "empty formatted record");

    out = tg_lineage_rewrite_domain(buf, size, "fuzz-guest.xml", next, &err);
    FUZZ_ASSERT(out != NULL, "rewrite of a parsed domain failed: %s", err->message);
    again = tg_guest_profile_parse_xml(out, strlen(out), "fuzz-guest-rewritten.xml", &err);
    FUZZ_ASSERT(again != NULL, "rewritten domain does not parse: %s", err->message);
    check_same_record(next, again->lineage);
    check_same_profile(g, again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = NULL;
    g_autoptr(TgHostFacts) source = NULL;
    TgNominalOrigin origin;
    guint64 hz;

    fuzz_init();
    fuzz_libxml_quiet();
    g = tg_guest_profile_parse_xml(buf, size, "fuzz-guest.xml", &err);
    if (!g) {
        FUZZ_ASSERT(err != NULL && err->message && *err->message, "NULL without error");
        fuzz_check_text("error", err->message);
        FUZZ_ASSERT(g_str_has_prefix(err->message, "fuzz-guest.xml:"),
                    "error does not name the input: %s", err->message);
        return 0;
    }
    FUZZ_ASSERT(err == NULL, "profile and error");
    FUZZ_ASSERT(tg_guest_derive_dependence(g) == g->dependence, "stored class differs from derived");

    hz = tg_guest_nominal_hz(g, &origin);
    FUZZ_ASSERT((hz == 0) == (origin == TG_NOMINAL_UNKNOWN), "nominal %" G_GUINT64_FORMAT " origin %d",
                hz, (int)origin);
    FUZZ_ASSERT(origin == TG_NOMINAL_UNKNOWN || origin == TG_NOMINAL_EXPLICIT ||
                origin == TG_NOMINAL_LINEAGE, "nominal origin %d", (int)origin);

    source = tg_source_facts_from_lineage(g);
    for (int i = 0; i < FUZZ_N_DESTS; i++) {
        one_destination(g, buf, size, source, fuzz_dests[i], false);
        if (i == 0)
            one_destination(g, buf, size, source, fuzz_dests[i], true);
    }
    return 0;
}
