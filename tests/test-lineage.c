/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for tg-lineage.c: building the next record and writing it into a
 * domain's <metadata> without touching anything else. */
#include <config.h>

#include "parse-test.h"

#include <libxml/c14n.h>
#include <libxml/relaxng.h>
#include <string.h>

#include "tg-decide.h"
#include "tg-guest.h"
#include "tg-lineage-priv.h"
#include "tg-xml.h"

#define GHZ(x) ((guint64)((x) * 1000000000.0 + 0.5))
#define T0 1795593600 /* 2026-11-25T08:00:00Z */

/* Path of tests/fixtures/lineage/NAME (g_free). */
static char *
fixture_path(const char *name)
{
    g_autofree char *rel = g_build_filename("tests", "fixtures", "lineage", name, NULL);

    return pt_srcdir_path(rel);
}

static char *
read_fixture(const char *name, gsize *len)
{
    g_autofree char *path = fixture_path(name);
    char *buf = NULL;

    if (!g_file_get_contents(path, &buf, len, NULL))
        fail_msg("cannot read fixture %s", path);
    return buf;
}

/* A decision as the engine returns it for an allowed hop. */
static TgDecision
decision(TgVerdict v, const char *code, guint64 guest_hz, TgNominalOrigin origin,
         guint64 dest_hz, TgTri scaling, guint64 effective_hz, bool changed)
{
    TgDecision d = { 0 };

    d.verdict = v;
    d.code = code;
    d.guest_hz = guest_hz;
    d.guest_hz_origin = origin;
    d.dest_hz = dest_hz;
    d.dest_scaling = scaling;
    d.effective_hz = effective_hz;
    d.effective_changed = changed;
    return d;
}

static const TgHop *
hop(const TgLineage *l, guint i)
{
    assert_true(i < l->hops->len);
    return g_ptr_array_index(l->hops, i);
}

/* ---- tg_lineage_next ---- */

static void
test_next_first_hop_explicit(void **state)
{
    TgDecision d = decision(TG_VERDICT_ALLOW, "explicit-within-tolerance", GHZ(2.1),
                            TG_NOMINAL_EXPLICIT, 2100050000, TG_TRI_NO, GHZ(2.1), false);
    g_autoptr(TgLineage) l = tg_lineage_next(NULL, &d, "migrate", "hostb", T0, 16);

    (void)state;
    assert_int_equal(l->version, 1);
    assert_int_equal(l->nominal_hz, GHZ(2.1));
    assert_int_equal(l->nominal_origin, TG_NOMINAL_EXPLICIT);
    assert_int_equal(l->effective_hz, GHZ(2.1));
    assert_false(l->effective_changed);
    assert_int_equal(l->hops->len, 1);
    assert_string_equal(hop(l, 0)->op, "migrate");
    assert_string_equal(hop(l, 0)->host, "hostb");
    assert_int_equal(hop(l, 0)->host_hz, 2100050000);
    assert_int_equal(hop(l, 0)->scaling, TG_TRI_NO);
    assert_int_equal(hop(l, 0)->time, T0);
    assert_string_equal(hop(l, 0)->verdict, "allow");
    assert_string_equal(hop(l, 0)->reason_code, "explicit-within-tolerance");
}

/* A guest that booted at 2.1 GHz (a boot record) and passed a scaling
 * 2.4 GHz host is still a 2.1 GHz guest on the next host. */
static void
test_next_keeps_nominal_across_scaling_hop(void **state)
{
    g_autoptr(TgLineage) boot = tg_lineage_new();
    TgDecision d1 = decision(TG_VERDICT_ALLOW, "nominal-scaled", GHZ(2.1),
                             TG_NOMINAL_LINEAGE, GHZ(2.4), TG_TRI_YES, GHZ(2.1), false);
    TgDecision d2 = decision(TG_VERDICT_ALLOW, "nominal-within-tolerance", GHZ(2.1),
                             TG_NOMINAL_LINEAGE, GHZ(2.1), TG_TRI_NO, GHZ(2.1), false);
    g_autoptr(TgLineage) l1 = NULL;
    g_autoptr(TgLineage) l2 = NULL;

    (void)state;
    boot->nominal_hz = GHZ(2.1);
    boot->nominal_origin = TG_NOMINAL_BOOT;
    boot->effective_hz = GHZ(2.1);
    l1 = tg_lineage_next(boot, &d1, "migrate", "scaler", T0, 16);
    l2 = tg_lineage_next(l1, &d2, "restore", "hostc", T0 + 60, 16);
    assert_int_equal(l1->nominal_hz, GHZ(2.1));
    assert_int_equal(l1->nominal_origin, TG_NOMINAL_BOOT);
    assert_int_equal(l1->effective_hz, GHZ(2.1));
    assert_int_equal(hop(l1, 0)->host_hz, GHZ(2.4));
    assert_int_equal(hop(l1, 0)->scaling, TG_TRI_YES);
    /* Second hop: nominal read back from the record keeps its origin. */
    assert_int_equal(l2->nominal_hz, GHZ(2.1));
    assert_int_equal(l2->nominal_origin, TG_NOMINAL_BOOT);
    assert_false(l2->effective_changed);
    assert_int_equal(l2->hops->len, 2);
    assert_string_equal(hop(l2, 0)->host, "scaler");
    assert_string_equal(hop(l2, 1)->host, "hostc");
    assert_string_equal(hop(l2, 1)->op, "restore");
    /* `prev` is not modified. */
    assert_int_equal(l1->hops->len, 1);
}

/* The record after one hop, for every transition of doc/tsc-model.md:
 * one test per row. */
typedef struct {
    const char *name;
    /* the record before the hop (none when !has_prev) */
    bool has_prev;
    guint64 prev_hz;
    TgNominalOrigin prev_origin;
    guint64 prev_eff;
    bool prev_changed;
    guint64 prev_invented;
    /* the engine's decision */
    TgNominalOrigin d_origin;
    guint64 d_hz, dest_hz;
    TgTri scaling;
    guint64 d_eff;
    bool d_changed;
    /* the record after */
    guint64 hz;
    TgNominalOrigin origin;
    guint64 eff;
    bool changed;
} NextRow;

#define H1 G_GUINT64_CONSTANT(2100050000)
#define H2 G_GUINT64_CONSTANT(2596120000)
static const NextRow next_rows[] = {
    { "pinned, first hop within tolerance: E = host rate", false, 0, 0, 0, false, 0,
      TG_NOMINAL_EXPLICIT, GHZ(2.1), H1, TG_TRI_NO, H1, false,
      GHZ(2.1), TG_NOMINAL_EXPLICIT, H1, false },
    { "pinned, scaled: E = F", false, 0, 0, 0, false, 0,
      TG_NOMINAL_EXPLICIT, GHZ(2.1), GHZ(2.4), TG_TRI_YES, GHZ(2.1), false,
      GHZ(2.1), TG_NOMINAL_EXPLICIT, GHZ(2.1), false },
    { "pinned rate replaces the record's", true, GHZ(2.4), TG_NOMINAL_BOOT, GHZ(2.4), false, 0,
      TG_NOMINAL_EXPLICIT, GHZ(2.1), H1, TG_TRI_NO, H1, false,
      GHZ(2.1), TG_NOMINAL_EXPLICIT, H1, false },
    { "boot record, scaling hop: nominal and its origin kept, E = N", true, GHZ(2.1),
      TG_NOMINAL_BOOT, GHZ(2.1), false, 0,
      TG_NOMINAL_LINEAGE, GHZ(2.1), GHZ(2.4), TG_TRI_YES, GHZ(2.1), false,
      GHZ(2.1), TG_NOMINAL_BOOT, GHZ(2.1), false },
    { "boot record, within tolerance: E = host rate", true, GHZ(2.1), TG_NOMINAL_BOOT,
      GHZ(2.1), false, 0,
      TG_NOMINAL_LINEAGE, GHZ(2.1), H1, TG_TRI_NO, H1, false,
      GHZ(2.1), TG_NOMINAL_BOOT, H1, false },
    { "boot record, kvm-clock outside without scaling: E = H, changed", true, GHZ(2.1),
      TG_NOMINAL_BOOT, GHZ(2.1), false, 0,
      TG_NOMINAL_LINEAGE, GHZ(2.1), H2, TG_TRI_NO, H2, true,
      GHZ(2.1), TG_NOMINAL_BOOT, H2, true },
    { "changed sticks on a later hop", true, GHZ(2.1), TG_NOMINAL_BOOT, H2, true, 0,
      TG_NOMINAL_LINEAGE, GHZ(2.1), H1, TG_TRI_NO, H1, false,
      GHZ(2.1), TG_NOMINAL_BOOT, H1, true },
    { "first origin pinned kept after the pin is gone", true, GHZ(2.1), TG_NOMINAL_EXPLICIT,
      GHZ(2.1), false, 0,
      TG_NOMINAL_LINEAGE, GHZ(2.1), H1, TG_TRI_NO, H1, false,
      GHZ(2.1), TG_NOMINAL_EXPLICIT, H1, false },
    { "unknown, scaling hop: stays unknown, E unknown", false, 0, 0, 0, false, 0,
      TG_NOMINAL_UNKNOWN, 0, GHZ(2.4), TG_TRI_YES, 0, false,
      0, TG_NOMINAL_UNKNOWN, 0, false },
    { "unknown, no scaling: stays unknown, E = host rate", true, 0, TG_NOMINAL_UNKNOWN, 0,
      false, 0,
      TG_NOMINAL_UNKNOWN, 0, GHZ(2.4), TG_TRI_NO, GHZ(2.4), false,
      0, TG_NOMINAL_UNKNOWN, GHZ(2.4), false },
    { "unknown, E moved: stays unknown, changed", true, 0, TG_NOMINAL_UNKNOWN, GHZ(2.4),
      false, 0,
      TG_NOMINAL_UNKNOWN, 0, H2, TG_TRI_NO, H2, true,
      0, TG_NOMINAL_UNKNOWN, H2, true },
    { "inventory bound: no value stored", false, 0, 0, 0, false, 0,
      TG_NOMINAL_INVENTORY, 0, H2, TG_TRI_NO, H2, false,
      0, TG_NOMINAL_UNKNOWN, H2, false },
    { "lineage without a rate in the record: unknown", true, 0, TG_NOMINAL_UNKNOWN, 0, false, 0,
      TG_NOMINAL_LINEAGE, GHZ(2.1), H1, TG_TRI_NO, H1, false,
      0, TG_NOMINAL_UNKNOWN, H1, false },
    { "earlier tscgate's assumed rate: unknown, not written back", true, 0, TG_NOMINAL_UNKNOWN,
      H1, false, H1,
      TG_NOMINAL_UNKNOWN, 0, H1, TG_TRI_NO, H1, false,
      0, TG_NOMINAL_UNKNOWN, H1, false },
};

static void
test_next_table(void **state)
{
    const NextRow *r = *state;
    g_autoptr(TgLineage) prev = NULL;
    g_autoptr(TgLineage) l = NULL;
    g_autofree char *xml = NULL;
    TgDecision d = decision(r->d_changed ? TG_VERDICT_WARN : TG_VERDICT_ALLOW, "x", r->d_hz,
                            r->d_origin, r->dest_hz, r->scaling, r->d_eff, r->d_changed);

    if (r->has_prev) {
        prev = tg_lineage_new();
        prev->nominal_hz = r->prev_hz;
        prev->nominal_origin = r->prev_origin;
        prev->effective_hz = r->prev_eff;
        prev->effective_changed = r->prev_changed;
        prev->invented_hz = r->prev_invented;
        prev->invented_origin = r->prev_invented ? "assumed" : NULL;
    }
    l = tg_lineage_next(prev, &d, "migrate", "h", T0, 16);
    assert_int_equal(l->nominal_hz, r->hz);
    assert_int_equal(l->nominal_origin, r->origin);
    assert_int_equal(l->effective_hz, r->eff);
    assert_int_equal(l->effective_changed, r->changed);
    assert_int_equal(l->invented_hz, 0);
    assert_null(l->invented_origin);
    xml = tg_lineage_format(l);
    if (r->hz == 0)
        assert_non_null(strstr(xml, "<tscgate:nominal origin=\"unknown\"/>"));
    assert_null(strstr(xml, "assumed"));
    assert_null(strstr(xml, "source-host"));
}

/* Version 1.1 only when the record uses origin or op "boot". */
static void
test_format_boot_version(void **state)
{
    g_autoptr(TgLineage) l = tg_lineage_new();
    g_autofree char *x1 = NULL;
    g_autofree char *x2 = NULL;
    TgHop *h = g_new0(TgHop, 1);

    (void)state;
    x1 = tg_lineage_format(l);
    assert_non_null(strstr(x1, " version=\"1\">"));
    l->nominal_hz = GHZ(2.1);
    l->nominal_origin = TG_NOMINAL_BOOT;
    l->effective_hz = GHZ(2.1);
    h->op = g_strdup("boot");
    h->host = g_strdup("hosta");
    h->host_hz = GHZ(2.1);
    h->time = T0;
    g_ptr_array_add(l->hops, h);
    x2 = tg_lineage_format(l);
    assert_string_equal(x2,
        "<tscgate:lineage xmlns:tscgate=\"urn:tscgate:lineage:1\" version=\"1.1\">\n"
        "  <tscgate:nominal hz=\"2100000000\" origin=\"boot\"/>\n"
        "  <tscgate:effective hz=\"2100000000\" changed=\"no\"/>\n"
        "  <tscgate:hop op=\"boot\" host=\"hosta\" hz=\"2100000000\" time=\"2026-11-25T08:00:00Z\"/>\n"
        "</tscgate:lineage>\n");
}

/* A paravirtual-clock guest allowed onto a host without scaling outside
 * tolerance now runs at that host's rate: flagged, and it stays flagged. */
static void
test_next_effective_changed_sticky(void **state)
{
    TgDecision d1 = decision(TG_VERDICT_WARN, "paravirt-rate-change", GHZ(2.1),
                             TG_NOMINAL_EXPLICIT, 2596120000, TG_TRI_NO, 2596120000, true);
    TgDecision d2 = decision(TG_VERDICT_ALLOW, "nominal-within-tolerance", GHZ(2.1),
                             TG_NOMINAL_LINEAGE, GHZ(2.1), TG_TRI_NO, GHZ(2.1), false);
    g_autoptr(TgLineage) l1 = tg_lineage_next(NULL, &d1, "migrate", "hostb", T0, 16);
    g_autoptr(TgLineage) l2 = tg_lineage_next(l1, &d2, "migrate", "hostc", T0 + 1, 16);

    (void)state;
    assert_true(l1->effective_changed);
    assert_int_equal(l1->effective_hz, 2596120000);
    assert_int_equal(l1->nominal_hz, GHZ(2.1));
    assert_string_equal(hop(l1, 0)->verdict, "allow-with-warning");
    assert_true(l2->effective_changed);
    assert_int_equal(l2->effective_hz, GHZ(2.1));
}

static void
test_next_unknown_nominal_stays_unknown(void **state)
{
    TgDecision d = decision(TG_VERDICT_WARN, "unknown-guest-frequency-paravirt", 0,
                            TG_NOMINAL_UNKNOWN, 2596120000, TG_TRI_UNKNOWN, 0, false);
    TgDecision none = decision(TG_VERDICT_WARN, "unknown-dest-frequency", 0,
                               TG_NOMINAL_UNKNOWN, 0, TG_TRI_UNKNOWN, 0, false);
    g_autoptr(TgLineage) l = tg_lineage_next(NULL, &d, "migrate", NULL, T0, 16);
    g_autoptr(TgLineage) l0 = tg_lineage_next(NULL, &none, "migrate", "x", T0, 16);
    /* A scaling host keeps the guest at its own (unknown) rate: no guess. */
    TgDecision scaled = decision(TG_VERDICT_ALLOW, "guest-frequency-unknown", 0,
                                 TG_NOMINAL_UNKNOWN, GHZ(2.4), TG_TRI_YES, 0, false);
    g_autoptr(TgLineage) ls = tg_lineage_next(NULL, &scaled, "migrate", "hostd", T0, 16);

    (void)state;
    /* No host's rate becomes the guest's (doc/tsc-model.md). */
    assert_int_equal(l->nominal_hz, 0);
    assert_int_equal(l->nominal_origin, TG_NOMINAL_UNKNOWN);
    assert_int_equal(l->effective_hz, 0);
    assert_null(hop(l, 0)->host);
    assert_int_equal(hop(l, 0)->scaling, TG_TRI_UNKNOWN);
    assert_int_equal(l0->nominal_hz, 0);
    assert_int_equal(l0->nominal_origin, TG_NOMINAL_UNKNOWN);
    assert_int_equal(ls->nominal_hz, 0);
    assert_int_equal(ls->nominal_origin, TG_NOMINAL_UNKNOWN);
    assert_int_equal(ls->effective_hz, 0);
    assert_int_equal(hop(ls, 0)->host_hz, GHZ(2.4));
}

static void
test_next_hop_limit(void **state)
{
    static const struct { guint limit, hops_before, want_len, want_first; } cases[] = {
        { 16, 15, 16, 0 },   /* just inside: nothing dropped */
        { 16, 16, 16, 1 },   /* at the limit: the oldest goes */
        { 16, 17, 16, 2 },   /* a longer old record is cut to the limit */
        { 3, 10, 3, 8 },
        { 1, 5, 1, 5 },
        { 0, 5, 1, 5 },      /* 0 still keeps the newest hop */
    };

    (void)state;
    for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
        g_autoptr(TgLineage) prev = tg_lineage_new();
        g_autoptr(TgLineage) l = NULL;
        TgDecision d = decision(TG_VERDICT_ALLOW, "explicit-within-tolerance", GHZ(2.1),
                                TG_NOMINAL_EXPLICIT, GHZ(2.1), TG_TRI_NO, GHZ(2.1), false);
        g_autofree char *want = NULL;

        for (guint i = 0; i < cases[c].hops_before; i++) {
            TgHop *h = g_new0(TgHop, 1);

            h->op = g_strdup("migrate");
            h->host = g_strdup_printf("h%u", i);
            g_ptr_array_add(prev->hops, h);
        }
        l = tg_lineage_next(prev, &d, "migrate", "new", T0, cases[c].limit);
        assert_int_equal(l->hops->len, cases[c].want_len);
        want = g_strdup_printf("h%u", cases[c].want_first);
        assert_string_equal(hop(l, 0)->host,
                            cases[c].want_first == cases[c].hops_before ? "new" : want);
        assert_string_equal(hop(l, l->hops->len - 1)->host, "new");
    }
}

/* ---- tg_lineage_format ---- */

static void
test_format(void **state)
{
    TgDecision d1 = decision(TG_VERDICT_ALLOW, "explicit-scaled", GHZ(2.1),
                             TG_NOMINAL_EXPLICIT, GHZ(2.4), TG_TRI_YES, GHZ(2.1), false);
    TgDecision d2 = decision(TG_VERDICT_DENY, "explicit-outside-tolerance", GHZ(2.1),
                             TG_NOMINAL_LINEAGE, 0, TG_TRI_UNKNOWN, 0, false);
    g_autoptr(TgLineage) l1 = tg_lineage_next(NULL, &d1, "migrate", "a<b&\"c\"", T0, 16);
    g_autoptr(TgLineage) l2 = tg_lineage_next(l1, &d2, "restore", NULL, T0 + 3661, 16);
    g_autofree char *xml = tg_lineage_format(l2);

    (void)state;
    assert_string_equal(xml,
        "<tscgate:lineage xmlns:tscgate=\"urn:tscgate:lineage:1\" version=\"1\">\n"
        "  <tscgate:nominal hz=\"2100000000\" origin=\"explicit\"/>\n"
        "  <tscgate:effective changed=\"no\"/>\n"
        "  <tscgate:hop op=\"migrate\" host=\"a&lt;b&amp;&quot;c&quot;\" hz=\"2400000000\" "
        "scaling=\"yes\" time=\"2026-11-25T08:00:00Z\" verdict=\"allow\" reason=\"explicit-scaled\"/>\n"
        "  <tscgate:hop op=\"restore\" time=\"2026-11-25T09:01:01Z\" verdict=\"deny\" "
        "reason=\"explicit-outside-tolerance\"/>\n"
        "</tscgate:lineage>\n");
}

/* ---- tg_lineage_strip_domain ---- */

#define RECORD_TEXT \
    "<tscgate:lineage xmlns:tscgate=\"urn:tscgate:lineage:1\" version=\"1\">\n" \
    "      <tscgate:nominal origin=\"unknown\"/>\n" \
    "      <tscgate:effective hz=\"2100050000\" changed=\"no\"/>\n" \
    "      <tscgate:hop op=\"migrate\" host=\"hostb\" hz=\"2100050000\" scaling=\"no\" " \
    "time=\"2026-11-25T08:00:00Z\" verdict=\"allow\" reason=\"x\"/>\n" \
    "    </tscgate:lineage>"

/* `in` with `insert` put in front of the first `before`. */
static char *
insert_before(const char *in, const char *before, const char *insert)
{
    const char *at = strstr(in, before);

    assert_non_null(at);
    return g_strdup_printf("%.*s%s%s", (int)(at - in), in, insert, at);
}

typedef struct {
    const char *name;
    const char *fixture;      /* tests/fixtures/lineage/ */
    const char *before;       /* where the record goes in */
    const char *insert;
    guint removed;
} StripRow;

static const StripRow strip_rows[] = {
    { "record after libosinfo: the rest byte for byte", "../domains/explicit-2100.xml", "\n  </metadata>",
      "\n    " RECORD_TEXT, 1 },
    { "record first in <metadata>", "../domains/explicit-2100.xml", "\n    <libosinfo:libosinfo",
      "\n    " RECORD_TEXT, 1 },
    { "<metadata> the hook created goes too", "domain-nometa.xml", "\n  <memory",
      "\n  <metadata>\n    " RECORD_TEXT "\n  </metadata>", 1 },
    { "<metadata> laid out as the hook creates it", "domain-nometa.xml", "<memory",
      "<metadata>\n    " RECORD_TEXT "\n  </metadata>", 1 },
    { "two records (libvirt keeps one per namespace)", "../domains/explicit-2100.xml", "\n  </metadata>",
      "\n    " RECORD_TEXT "\n    " RECORD_TEXT, 2 },
    { "a record this tscgate cannot read goes too", "../domains/explicit-2100.xml", "\n  </metadata>",
      "\n    <t:lineage xmlns:t='urn:tscgate:lineage:1' version='99'><t:future/></t:lineage>", 1 },
    { "self-closing record, default namespace", "../domains/explicit-2100.xml", "\n  </metadata>",
      "\n    <lineage xmlns='urn:tscgate:lineage:1' version='1'/>", 1 },
    { "no record: unchanged", "../domains/explicit-2100.xml", "\n  </metadata>", "", 0 },
    { "no metadata: unchanged", "domain-nometa.xml", "\n  <memory", "", 0 },
};

static void
test_strip(void **state)
{
    const StripRow *r = *state;
    gsize len;
    g_autofree char *orig = read_fixture(r->fixture, &len);
    g_autofree char *in = insert_before(orig, r->before, r->insert);
    g_autoptr(GError) err = NULL;
    guint removed = 99;
    g_autofree char *out = tg_lineage_strip_domain(in, strlen(in), "in.xml", &removed, &err);

    if (!out)
        fail_msg("%s", err->message);
    assert_int_equal(removed, r->removed);
    assert_string_equal(out, orig);
}

/* Whatever the layout, the record and nothing else goes: the output
 * parses, has no record, and is the input without it. */
static void
test_strip_odd_layout(void **state)
{
    static const char *const in[] = {
        "<domain><metadata><!-- kept --><x:lineage xmlns:x='urn:tscgate:lineage:1' version='1'/>"
        "</metadata><name>a</name></domain>",
        "<domain>\n<metadata>  <x:lineage xmlns:x='urn:tscgate:lineage:1' version='1'>"
        "<!-- </x:lineage> --></x:lineage>\n\n  <other xmlns='urn:o'/></metadata></domain>",
        "<?xml version='1.0'?>\n<domain><metadata>\n    <x:lineage xmlns:x=\"urn:tscgate:lineage:1\" "
        "a='>' version='1'/>\n</metadata></domain>",
    };
    static const char *const want[] = {
        "<domain><metadata><!-- kept --></metadata><name>a</name></domain>",
        "<domain>\n<metadata>  \n\n  <other xmlns='urn:o'/></metadata></domain>",
        "<?xml version='1.0'?>\n<domain></domain>",
    };

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(in); i++) {
        g_autoptr(GError) err = NULL;
        guint removed = 0;
        g_autofree char *out = tg_lineage_strip_domain(in[i], strlen(in[i]), "o.xml", &removed, &err);

        if (!out)
            fail_msg("%s", err->message);
        assert_int_equal(removed, 1);
        assert_string_equal(out, want[i]);
    }
}

static void
test_strip_errors(void **state)
{
    static const struct { const char *in; const char *msg; } bad[] = {
        { "not xml", "e.xml:1: " },
        { "<capabilities/>", "e.xml:1: root element is <capabilities>, expected <domain>" },
    };

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        guint removed = 0;
        g_autofree char *out = tg_lineage_strip_domain(bad[i].in, strlen(bad[i].in), "e.xml",
                                                       &removed, &err);

        assert_null(out);
        assert_non_null(err);
        if (!g_str_has_prefix(err->message, bad[i].msg))
            fail_msg("got '%s', expected '%s...'", err->message, bad[i].msg);
    }
}

/* ---- tg_lineage_rewrite_domain ---- */

/* Canonical form (C14N 1.0 with comments) of `xml` with every <metadata>
 * child of the root removed. */
static char *
c14n_without_metadata(const char *xml)
{
    g_autoptr(xmlDoc) doc = xmlReadMemory(xml, (int)strlen(xml), "c14n.xml", NULL, XML_PARSE_NONET);
    xmlNode *root, *c, *next;
    xmlChar *out = NULL;
    char *ret;

    assert_non_null(doc);
    root = xmlDocGetRootElement(doc);
    for (c = root->children; c; c = next) {
        next = c->next;
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, (const xmlChar *)"metadata")) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    assert_true(xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 1, &out) >= 0);
    ret = g_strdup((const char *)out);
    xmlFree(out);
    return ret;
}

static void
assert_only_metadata_differs(const char *in, const char *out)
{
    g_autofree char *a = c14n_without_metadata(in);
    g_autofree char *b = c14n_without_metadata(out);

    assert_string_equal(a, b);
}

static void
assert_valid_domain(const char *xml)
{
    const char *dir = g_getenv("LIBVIRT_SCHEMA_DIR");
    g_autofree char *rng = g_build_filename(dir && *dir ? dir : "/usr/share/libvirt/schemas",
                                            "domain.rng", NULL);
    xmlRelaxNGParserCtxt *pctxt;
    xmlRelaxNG *schema;
    xmlRelaxNGValidCtxt *vctxt;
    g_autoptr(xmlDoc) doc = NULL;
    int rc;

    if (!g_file_test(rng, G_FILE_TEST_EXISTS)) {
        print_message("libvirt schema %s missing: schema check skipped\n", rng);
        return;
    }
    pctxt = xmlRelaxNGNewParserCtxt(rng);
    schema = xmlRelaxNGParse(pctxt);
    assert_non_null(schema);
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    doc = xmlReadMemory(xml, (int)strlen(xml), "out.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctxt);
    assert_int_equal(rc, 0);
}

static TgLineage *
sample_record(void)
{
    TgDecision d = decision(TG_VERDICT_ALLOW, "explicit-within-tolerance", GHZ(2.1),
                            TG_NOMINAL_EXPLICIT, 2100050000, TG_TRI_NO, GHZ(2.1), false);

    return tg_lineage_next(NULL, &d, "migrate", "hostb", T0, 16);
}

static int
count_substr(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Names of the element children of the root's <metadata>, "ns:local" joined
 * by spaces, e.g. "libosinfo lineage". */
static char *
metadata_children(const char *xml)
{
    g_autoptr(xmlDoc) doc = xmlReadMemory(xml, (int)strlen(xml), "m.xml", NULL, XML_PARSE_NONET);
    xmlNode *meta = tg_xml_child(xmlDocGetRootElement(doc), NULL, "metadata");
    GString *s = g_string_new(NULL);

    assert_non_null(meta);
    for (xmlNode *c = meta->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        g_string_append_printf(s, "%s%s", s->len ? " " : "", (const char *)c->name);
    }
    return g_string_free(s, FALSE);
}

static void
test_rewrite_existing_metadata(void **state)
{
    gsize len = 0;
    g_autofree char *in = read_fixture("../domains/explicit-2100.xml", &len);
    g_autoptr(TgLineage) rec = sample_record();
    g_autoptr(GError) err = NULL;
    g_autofree char *out = tg_lineage_rewrite_domain(in, len, "web1.xml", rec, &err);
    g_autofree char *kids = NULL;

    (void)state;
    assert_null(err);
    assert_non_null(out);
    /* libosinfo's metadata is kept verbatim, ours follows it, one metadata. */
    assert_non_null(strstr(out,
        "  <metadata>\n"
        "    <libosinfo:libosinfo xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
        "      <libosinfo:os id=\"http://debian.org/debian/12\"/>\n"
        "    </libosinfo:libosinfo>\n"
        "    <tscgate:lineage xmlns:tscgate=\"urn:tscgate:lineage:1\" version=\"1\">\n"
        "      <tscgate:nominal hz=\"2100000000\" origin=\"explicit\"/>\n"
        "      <tscgate:effective hz=\"2100000000\" changed=\"no\"/>\n"
        "      <tscgate:hop op=\"migrate\" host=\"hostb\" hz=\"2100050000\" scaling=\"no\" "
        "time=\"2026-11-25T08:00:00Z\" verdict=\"allow\" reason=\"explicit-within-tolerance\"/>\n"
        "    </tscgate:lineage>\n"
        "  </metadata>\n"
        "  <memory unit=\"KiB\">2097152</memory>\n"));
    assert_int_equal(count_substr(out, "<metadata"), 1);
    assert_false(g_str_has_prefix(out, "<?xml"));
    kids = metadata_children(out);
    assert_string_equal(kids, "libosinfo lineage");
    assert_only_metadata_differs(in, out);
    assert_valid_domain(out);
}

static void
test_rewrite_creates_metadata(void **state)
{
    gsize len = 0;
    g_autofree char *in = read_fixture("domain-nometa.xml", &len);
    g_autoptr(TgLineage) rec = sample_record();
    g_autoptr(GError) err = NULL;
    g_autofree char *out = tg_lineage_rewrite_domain(in, len, "web2.xml", rec, &err);

    (void)state;
    assert_null(err);
    assert_non_null(out);
    /* After name, uuid, genid, title, description; before memory. Only
     * whitespace inside <metadata> is new. */
    assert_non_null(strstr(out,
        "  <description>Debian 12 web server; owner: ops &lt;ops@example.org&gt;</description>\n"
        "  <metadata>\n"
        "    <tscgate:lineage xmlns:tscgate=\"urn:tscgate:lineage:1\" version=\"1\">\n"));
    assert_non_null(strstr(out,
        "    </tscgate:lineage>\n"
        "  </metadata><memory unit=\"KiB\">2097152</memory>\n"));
    assert_non_null(strstr(out, "<title>Web front end &amp; cache</title>"));
    assert_int_equal(count_substr(out, "<metadata"), 1);
    assert_only_metadata_differs(in, out);
    assert_valid_domain(out);
}

static void
test_rewrite_replaces_old_record(void **state)
{
    gsize len = 0;
    g_autofree char *in = read_fixture("domain-oldrecord.xml", &len);
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml(in, len, "db1.xml", &err);
    g_autoptr(TgLineage) rec = NULL;
    g_autoptr(TgGuestProfile) g2 = NULL;
    g_autofree char *out = NULL;
    g_autofree char *kids = NULL;
    TgDecision d = decision(TG_VERDICT_ALLOW, "explicit-within-tolerance", GHZ(2.1),
                            TG_NOMINAL_EXPLICIT, 2099990000, TG_TRI_NO, GHZ(2.1), false);

    (void)state;
    assert_non_null(g);
    assert_non_null(g->lineage);
    assert_int_equal(g->lineage->hops->len, 2);
    rec = tg_lineage_next(g->lineage, &d, "migrate", "hostc", T0, 16);
    out = tg_lineage_rewrite_domain(in, len, "db1.xml", rec, &err);
    assert_null(err);
    assert_non_null(out);
    /* Same place (between libosinfo and tags), one record, three hops. */
    kids = metadata_children(out);
    assert_string_equal(kids, "libosinfo lineage tags");
    assert_int_equal(count_substr(out, "<tscgate:lineage"), 1);
    assert_int_equal(count_substr(out, "<tscgate:hop "), 3);
    assert_non_null(strstr(out, "host=\"hosta\""));
    assert_non_null(strstr(out,
        "    </tscgate:lineage>\n"
        "    <tags xmlns=\"urn:tscgate:tags:1\">\n"
        "      <tag>db</tag>\n"
        "    </tags>\n"));
    assert_only_metadata_differs(in, out);
    assert_valid_domain(out);
    /* The next hop reads this record back. */
    g2 = tg_guest_profile_parse_xml(out, strlen(out), "db1-out.xml", &err);
    assert_null(err);
    assert_non_null(g2->lineage);
    assert_int_equal(g2->lineage->hops->len, 3);
    assert_string_equal(tg_lineage_last_hop(g2->lineage)->host, "hostc");
    assert_int_equal(tg_lineage_last_hop(g2->lineage)->host_hz, 2099990000);
    assert_int_equal(tg_lineage_last_hop(g2->lineage)->time, T0);
    assert_int_equal(g2->lineage->nominal_hz, GHZ(2.1));
    assert_int_equal(g2->lineage->nominal_origin, TG_NOMINAL_EXPLICIT);
    assert_int_equal(g2->tags->len, 1);
}

typedef struct {
    const char *name;
    const char *in;
    const char *out;   /* REC: the record */
} RewriteCase;

static const RewriteCase rewrite_cases[] = {
    /* The declaration kept verbatim when present, not added otherwise. */
    { .name = "declaration-kept",
      .in = "<?xml version=\"1.0\"?>\n<domain><name>g</name><metadata/></domain>",
      .out = "<?xml version=\"1.0\"?>\n<domain><name>g</name><metadata>\n    REC\n  </metadata></domain>\n" },
    { .name = "no-declaration",
      .in = "<domain><name>g</name></domain>",
      .out = "<domain><name>g</name><metadata>\n    REC\n  </metadata></domain>\n" },
    /* No name at all: metadata goes first. */
    { .name = "no-name-metadata-first",
      .in = "<domain><memory>1</memory></domain>",
      .out = "<domain><metadata>\n    REC\n  </metadata><memory>1</memory></domain>\n" },
    /* A second <metadata> (not libvirt's) is left alone; the first is used. */
    { .name = "second-metadata-left-alone",
      .in = "<domain><metadata><a xmlns='urn:x'/></metadata><metadata/></domain>",
      .out = "<domain><metadata><a xmlns=\"urn:x\"/>REC</metadata><metadata/></domain>\n" },
    /* Duplicate records collapse into one at the first's place. */
    { .name = "duplicate-records-collapse",
      .in = "<domain><metadata>\n  <l:lineage xmlns:l='urn:tscgate:lineage:1' version='1'/>\n"
            "  <b xmlns='urn:b'/>\n  <l:lineage xmlns:l='urn:tscgate:lineage:1' version='1'/>\n</metadata></domain>",
      .out = "<domain><metadata>\n  REC\n  <b xmlns=\"urn:b\"/>\n</metadata></domain>\n" },
    /* UTF-8 text stays UTF-8 (not character references); escapes stay
     * escapes where XML needs them. */
    { .name = "utf8-stays-utf8",
      .in = "<domain><name>caf\xc3\xa9</name><description>\xe2\x98\x95 &lt;&amp;&gt;</description></domain>",
      .out = "<domain><name>caf\xc3\xa9</name><description>\xe2\x98\x95 &lt;&amp;&gt;</description>"
            "<metadata>\n    REC\n  </metadata></domain>\n" },
    { .name = "latin1-declaration",
      .in = "<?xml version='1.0' encoding='ISO-8859-1'?>\n<domain><name>caf\xe9</name></domain>",
      .out = "<?xml version='1.0' encoding='ISO-8859-1'?>\n<domain><name>caf\xe9</name>"
            "<metadata>\n    REC\n  </metadata></domain>\n" },
    /* Only whitespace inside <metadata>. */
    { .name = "whitespace-only-metadata",
      .in = "<domain><metadata>\n  </metadata></domain>",
      .out = "<domain><metadata>\n    REC\n  </metadata></domain>\n" },
    /* Comments and processing instructions stay. */
    { .name = "comments-and-pis-stay",
      .in = "<domain><!-- c --><name>g</name><?pi x?></domain>",
      .out = "<domain><!-- c --><name>g</name><metadata>\n    REC\n  </metadata><?pi x?></domain>\n" },
};

/* The record as it appears at depth 2, in place of REC in `tmpl` (g_free). */
static char *
expected_with_record(const TgLineage *rec, const char *tmpl)
{
    g_autofree char *f = tg_lineage_format(rec);
    g_auto(GStrv) lines = g_strsplit(g_strchomp(f), "\n", -1);
    g_autofree char *recxml = g_strjoinv("\n    ", lines);
    g_auto(GStrv) parts = g_strsplit(tmpl, "REC", -1);

    return g_strjoinv(recxml, parts);
}

static void
test_rewrite(void **state)
{
    const RewriteCase *c = *state;
    g_autoptr(TgLineage) rec = sample_record();
    g_autofree char *want = expected_with_record(rec, c->out);
    g_autoptr(GError) err = NULL;
    g_autofree char *out = tg_lineage_rewrite_domain(c->in, strlen(c->in), "t.xml", rec, &err);
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(TgGuestProfile) g = NULL;
    g_autofree char *out2 = NULL;

    assert_null(err);
    assert_non_null(out);
    assert_string_equal(out, want);
    assert_only_metadata_differs(c->in, out);

    /* Parsed once, as the gate does: the profile from the tree, then the
     * record written into the same tree, with the same result. */
    doc = tg_xml_parse(c->in, strlen(c->in), "t.xml", &err);
    assert_non_null(doc);
    g = tg_guest_profile_from_doc(doc, &err);
    assert_non_null(g);
    out2 = tg_lineage_rewrite_doc(doc, c->in, strlen(c->in), rec, &err);
    assert_null(err);
    assert_string_equal(out2, want);
}

typedef struct {
    const char *name;
    const char *in;
    TgErrorCode code;
    const char *msg;   /* NULL: any "x.xml:1: not well-formed XML: ..." */
} RewriteErrorCase;

static const RewriteErrorCase rewrite_error_cases[] = {
    { .name = "wrong-root", .in = "<capabilities/>", .code = TG_ERROR_INVALID,
      .msg = "x.xml:1: root element is <capabilities>, expected <domain> (`virsh dumpxml` output)" },
    { .name = "domain-in-foreign-namespace", .in = "<domain xmlns='urn:other'/>",
      .code = TG_ERROR_INVALID,
      .msg = "x.xml:1: root element is <domain> in namespace 'urn:other', expected <domain> "
             "(`virsh dumpxml` output)" },
    { .name = "empty", .in = "", .code = TG_ERROR_PARSE,
      .msg = "x.xml:1: not well-formed XML: document is empty" },
    { .name = "not-well-formed", .in = "<domain><name>g</domain>", .code = TG_ERROR_PARSE },
    { .name = "doctype", .in = "<!DOCTYPE d [<!ENTITY e 'x'>]><domain>&e;</domain>",
      .code = TG_ERROR_INVALID, .msg = "x.xml:1: DOCTYPE declarations are not accepted" },
};

static void
test_rewrite_errors(void **state)
{
    const RewriteErrorCase *c = *state;
    g_autoptr(TgLineage) rec = sample_record();
    g_autoptr(GError) err = NULL;
    g_autofree char *out = tg_lineage_rewrite_domain(c->in, strlen(c->in), "x.xml", rec, &err);

    assert_null(out);
    assert_non_null(err);
    assert_int_equal(err->code, c->code);
    if (c->msg)
        assert_string_equal(err->message, c->msg);
    else
        assert_true(g_str_has_prefix(err->message, "x.xml:1: not well-formed XML: "));
}

int
main(void)
{
    PtTests *t = pt_tests_new();
    int rc;

    PT_ADD(t, test_next_first_hop_explicit);
    PT_ADD(t, test_next_keeps_nominal_across_scaling_hop);
    PT_ADD(t, test_next_effective_changed_sticky);
    PT_ADD(t, test_next_unknown_nominal_stays_unknown);
    PT_ADD(t, test_next_hop_limit);
    PT_ADD_ROWS(t, test_next_table, next_rows);
    PT_ADD(t, test_format_boot_version);
    PT_ADD_ROWS(t, test_strip, strip_rows);
    PT_ADD(t, test_strip_odd_layout);
    PT_ADD(t, test_strip_errors);
    PT_ADD(t, test_format);
    PT_ADD(t, test_rewrite_existing_metadata);
    PT_ADD(t, test_rewrite_creates_metadata);
    PT_ADD(t, test_rewrite_replaces_old_record);
    PT_ADD_ROWS(t, test_rewrite, rewrite_cases);
    PT_ADD_ROWS(t, test_rewrite_errors, rewrite_error_cases);
    rc = pt_tests_run(t, "test-lineage");
    xmlCleanupParser();
    return rc;
}
