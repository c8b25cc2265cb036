/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of the fleet plan (tg-plan.c), the pinned-rate chooser
 * and the definition edit (tg-pin.c), and of tg_decide_outcome(), which the
 * plan decides every pair with: it must agree with tg_decide() on every
 * guest and host of tests/fixtures. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tg-file.h"
#include "tg-plan.h"
#include "test-table.h"

static char *
fixture(const char *rel)
{
    const char *top = g_getenv("top_srcdir");

    return g_build_filename(top ? top : "..", "tests/fixtures", rel, NULL);
}

/* Every file of fixtures/`kind` that `load` accepts. */
static GPtrArray *
load_all(const char *kind, gpointer (*load)(const char *, GError **), GDestroyNotify free_fn)
{
    g_autofree char *dir = fixture(kind);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    GPtrArray *out = g_ptr_array_new_with_free_func(free_fn);
    const char *name;

    assert_non_null(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        gpointer v;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        if ((v = load(path, NULL)))
            g_ptr_array_add(out, v);
    }
    return out;
}

static TgPolicy *
load_policy(const char *rel)
{
    g_autofree char *path = fixture(rel);
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;
    TgPolicy *p;

    if (!tg_read_file(path, &buf, &len, &err))
        fail_msg("%s", err->message);
    if (!(p = tg_policy_parse_xml(buf, len, path, &err)))
        fail_msg("%s", err->message);
    return p;
}

/* ---- tg_decide_outcome agrees with tg_decide ---- */

static void
agree_under(const TgPolicy *policy)
{
    g_autoptr(GPtrArray) guests = load_all("domains", (gpointer)tg_guest_profile_load,
                                           (GDestroyNotify)tg_guest_profile_free);
    g_autoptr(GPtrArray) hosts = load_all("hosts", (gpointer)tg_host_facts_load,
                                          (GDestroyNotify)tg_host_facts_free);
    gsize pairs = 0;

    assert_true(guests->len >= 20);
    assert_true(hosts->len >= 15);
    for (guint i = 0; i < guests->len; i++) {
        const TgGuestProfile *g = guests->pdata[i];
        TgSettings s;
        TgMode mode;

        tg_evaluate_settings(g, policy, &s, &mode, NULL);
        for (guint j = 0; j < hosts->len; j++) {
            const TgHostFacts *h = hosts->pdata[j];
            g_autoptr(TgEvaluation) e = tg_evaluate(g, NULL, h, policy);
            const TgDecision *d = e->decision;
            TgDecision o;

            tg_evaluate_outcome(g, h, &s, &o);
            if (o.verdict != d->verdict || g_strcmp0(o.code, d->code) != 0 || o.rule != d->rule ||
                o.effective_hz != d->effective_hz || o.effective_changed != d->effective_changed ||
                o.guest_hz != d->guest_hz || o.guest_hz_origin != d->guest_hz_origin ||
                o.dest_hz != d->dest_hz || o.dest_scaling != d->dest_scaling ||
                o.window_lo != d->window_lo || o.window_hi != d->window_hi ||
                o.dependence != d->dependence || o.tolerance_ppm != d->tolerance_ppm)
                fail_msg("guest %s, host %u: outcome %s/%s/%d, decision %s/%s/%d", g->name, j,
                         tg_verdict_to_string(o.verdict), o.code, o.rule,
                         tg_verdict_to_string(d->verdict), d->code, d->rule);
            assert_null(o.reason);
            assert_null(o.adjustments);
            assert_int_equal(mode, e->mode);
            assert_int_equal(tg_evaluate_outcome_allows(&o, mode), tg_evaluation_allows(e));
            pairs++;
        }
    }
    assert_int_equal(pairs, guests->len * hosts->len);
}

static void
test_outcome_agrees_default(void **state)
{
    (void)state;
    agree_under(NULL);
}

static void
test_outcome_agrees_policy(void **state)
{
    g_autoptr(TgPolicy) p = load_policy("policies/policy-rules.xml");

    (void)state;
    agree_under(p);
}

/* ---- the pin chooser ---- */

typedef struct {
    guint64 hz;          /* 0: no counter */
    TgTri scaling;
    const char *vendor;
} HostSpec;

typedef struct {
    const char *name;
    const char *guest;   /* domain XML */
    HostSpec hosts[8];   /* up to the first with hz 0 and scaling 0 == end... see n_hosts */
    gsize n_hosts;
    guint64 want_hz;     /* 0: none fits */
    gsize want_n;
    bool want_mid;       /* want_hz is the middle of two windows (computed) */
} PinRow;

#define KVMCLOCK_GUEST "<domain type='kvm'><name>g</name><clock offset='utc'/></domain>"
#define INVTSC_GUEST "<domain type='kvm'><name>hpc</name><cpu mode='custom'><model>Skylake</model>" \
    "<feature policy='require' name='invtsc'/></cpu><clock offset='utc'/></domain>"
#define PINNED_GUEST "<domain type='kvm'><name>p</name><clock offset='utc'>" \
    "<timer name='tsc' frequency='3000000000'/></clock></domain>"
#define TCG_GUEST "<domain type='qemu'><name>t</name><os><type arch='x86_64'>hvm</type></os>" \
    "<clock offset='utc'/></domain>"

static const PinRow pin_rows[] = {
    { "two frequency classes: the larger wins", INVTSC_GUEST,
      { { 2100000000, TG_TRI_NO, "Intel" }, { 2100000000, TG_TRI_NO, "Intel" },
        { 2100000000, TG_TRI_NO, "Intel" }, { 2400000000, TG_TRI_NO, "Intel" },
        { 2400000000, TG_TRI_NO, "Intel" } }, 5, 2100000000, 3, false },
    { "two classes 381 ppm apart: the middle of both windows fits all", INVTSC_GUEST,
      { { 2100000000, TG_TRI_NO, "Intel" }, { 2100800000, TG_TRI_NO, "Intel" },
        { 2100800000, TG_TRI_NO, "Intel" } }, 3, 0, 3, true },
    { "a scaling class takes the rate of the other", KVMCLOCK_GUEST,
      { { 2400000000, TG_TRI_YES, "Intel" }, { 2400000000, TG_TRI_YES, "Intel" },
        { 2400000000, TG_TRI_YES, "Intel" }, { 2100000000, TG_TRI_NO, "Intel" },
        { 2100000000, TG_TRI_NO, "Intel" } }, 5, 2100000000, 5, false },
    { "ratio limits: a 1 MHz scaling AMD host cannot reach 2.1 GHz", INVTSC_GUEST,
      { { 1000000, TG_TRI_YES, "AMD" }, { 2100000000, TG_TRI_NO, "AMD" },
        { 2100000000, TG_TRI_NO, "AMD" } }, 3, 2100000000, 2, false },
    { "scaling unknown counts only within tolerance", INVTSC_GUEST,
      { { 2400000000, TG_TRI_UNKNOWN, "Intel" }, { 2100000000, TG_TRI_NO, "Intel" } },
      2, 2100000000, 1, false },
    { "a guest that fits nowhere: no host reports its rate", INVTSC_GUEST,
      { { 0, TG_TRI_NO, "Intel" }, { 0, TG_TRI_YES, "Intel" } }, 2, 0, 0, false },
    { "a pinned guest gets the best rate, not its own", PINNED_GUEST,
      { { 2100000000, TG_TRI_NO, "Intel" }, { 2100000000, TG_TRI_NO, "Intel" } },
      2, 2100000000, 2, false },
    { "TCG: scaling does not help, only the tolerance", TCG_GUEST,
      { { 2400000000, TG_TRI_YES, "Intel" }, { 2100000000, TG_TRI_NO, "Intel" },
        { 2100000000, TG_TRI_NO, "Intel" } }, 3, 2100000000, 2, false },
};

static TgHostFacts *
make_host(const HostSpec *h)
{
    TgHostFacts *f = tg_host_facts_new();

    if (h->hz)
        tg_u64_fact_set(&f->tsc_hz, h->hz, "test");
    else
        tg_fact_set_unknown(&f->tsc_hz.note, "no counter");
    if (h->scaling != TG_TRI_UNKNOWN)
        tg_bool_fact_set(&f->tsc_scaling, h->scaling == TG_TRI_YES, "test");
    tg_str_fact_set(&f->cpu_vendor, h->vendor, "test");
    return f;
}

static void
test_pin_row(void **state)
{
    const PinRow *r = *state;
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml(r->guest, strlen(r->guest), "t.xml",
                                                             &err);
    g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func((GDestroyNotify)tg_host_facts_free);
    TgPinChoice c;
    guint64 want = r->want_hz;
    bool found;

    assert_non_null(g);
    for (gsize i = 0; i < r->n_hosts; i++)
        g_ptr_array_add(hosts, make_host(&r->hosts[i]));
    if (r->want_mid) {
        guint64 lo0, hi0, lo1, hi1;

        tg_tolerance_window(r->hosts[0].hz, TG_DEFAULT_TOLERANCE_PPM, &lo0, &hi0);
        tg_tolerance_window(r->hosts[1].hz, TG_DEFAULT_TOLERANCE_PPM, &lo1, &hi1);
        assert_true(lo1 <= hi0);   /* the windows overlap, the rates do not */
        assert_true(r->hosts[1].hz > hi0);
        want = lo1 + (hi0 - lo1) / 2;
    }
    found = tg_pin_choose(g, NULL, (TgHostFacts *const *)hosts->pdata, hosts->len, &c);
    assert_int_equal(found, r->want_n > 0);
    assert_int_equal(c.hz, want);
    assert_int_equal(c.n_hosts, r->want_n);
    if (found) {
        /* the rate does boot where counted: the engine allows it there */
        TgGuestProfile p;
        TgSettings s;
        TgMode mode;
        gsize n = 0;

        tg_pin_profile(g, c.hz, &p);
        assert_true(p.has_explicit_hz);
        assert_int_equal(p.dependence, TG_DEP_EXPLICIT_FREQUENCY);
        tg_evaluate_settings(&p, NULL, &s, &mode, NULL);
        for (guint i = 0; i < hosts->len; i++) {
            TgDecision d;

            tg_evaluate_outcome(&p, hosts->pdata[i], &s, &d);
            n += d.verdict != TG_VERDICT_DENY;
        }
        assert_int_equal(n, r->want_n);
    }
}

/* Leaving the guest's own host out: the count drops where it fitted. */
static void
test_pin_exclude(void **state)
{
    static const HostSpec specs[] = {
        { 2100000000, TG_TRI_NO, "Intel" }, { 2100000000, TG_TRI_NO, "Intel" },
        { 2400000000, TG_TRI_NO, "Intel" },
    };
    g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml(INVTSC_GUEST,
                                                             strlen(INVTSC_GUEST), "t", NULL);
    g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func((GDestroyNotify)tg_host_facts_free);
    g_autoptr(TgPinTable) t = NULL;
    TgPinChoice c;

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(specs); i++)
        g_ptr_array_add(hosts, make_host(&specs[i]));
    t = tg_pin_table_new(g, NULL, (TgHostFacts *const *)hosts->pdata, hosts->len);
    assert_true(tg_pin_table_best(t, G_MAXSIZE, 0, &c));
    assert_int_equal(c.hz, 2100000000);
    assert_int_equal(c.n_hosts, 2);
    assert_true(tg_pin_table_best(t, 0, 0, &c));
    /* without host 0 both classes fit one host: a tie goes to the rate
     * preferred, else the lower */
    assert_int_equal(c.n_hosts, 1);
    assert_int_equal(c.hz, 2100000000);
    assert_true(tg_pin_table_best(t, 0, 2400000000, &c));
    assert_int_equal(c.hz, 2400000000);
    assert_true(tg_pin_table_applies(t, g, NULL));
}

/* ---- the definition edit ---- */

typedef struct {
    const char *name;
    const char *in;
    bool force;
    const char *want;    /* NULL: refused */
    const char *want_error;
} EditRow;

static const EditRow edit_rows[] = {
    { "self-closing clock",
      "<domain type='kvm'><name>a</name><clock offset='utc'/><on_reboot>restart</on_reboot></domain>",
      false,
      "<domain type=\"kvm\"><name>a</name><clock offset=\"utc\"><timer name=\"tsc\" "
      "frequency=\"2100000000\"/></clock><on_reboot>restart</on_reboot></domain>", NULL },
    { "clock with other timers",
      "<domain type='kvm'><name>a</name><clock offset='utc'>\n  <timer name='rtc' tickpolicy='catchup'/>\n"
      "</clock></domain>", false,
      "<domain type=\"kvm\"><name>a</name><clock offset=\"utc\">\n  <timer name=\"rtc\" "
      "tickpolicy=\"catchup\"/>\n<timer name=\"tsc\" frequency=\"2100000000\"/></clock></domain>", NULL },
    { "no clock: libvirt's default made explicit",
      "<domain type='kvm'><name>a</name></domain>", false,
      "<domain type=\"kvm\"><name>a</name><clock offset=\"utc\"><timer name=\"tsc\" "
      "frequency=\"2100000000\"/></clock></domain>", NULL },
    { "a tsc timer without a rate gets it",
      "<domain type='kvm'><name>a</name><clock offset='utc'><timer name='tsc' mode='native'/>"
      "</clock></domain>", false,
      "<domain type=\"kvm\"><name>a</name><clock offset=\"utc\"><timer name=\"tsc\" "
      "mode=\"native\" frequency=\"2100000000\"/></clock></domain>", NULL },
    { "already pinned: refused",
      "<domain type='kvm'><name>a</name><clock offset='utc'><timer name='tsc' "
      "frequency='2400000000'/></clock></domain>", false, NULL,
      "t.xml already pins a TSC rate (<timer name='tsc' frequency='2400000000'/>); give --force "
      "to replace it" },
    { "already pinned twice, forced: both replaced",
      "<domain type='kvm'><name>a</name><clock offset='utc'><timer name='tsc' "
      "frequency='2400000000'/><timer name='tsc' frequency='2600000000'/></clock></domain>", true,
      "<domain type=\"kvm\"><name>a</name><clock offset=\"utc\"><timer name=\"tsc\" "
      "frequency=\"2100000000\"/><timer name=\"tsc\" frequency=\"2100000000\"/></clock></domain>",
      NULL },
    { "metadata and namespaces kept",
      "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>a</name>"
      "<metadata><x:y xmlns:x='urn:x'>v</x:y></metadata><clock offset='localtime'/>"
      "<qemu:commandline><qemu:arg value='-a'/></qemu:commandline></domain>", false,
      "<domain xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\" type=\"kvm\"><name>a</name>"
      "<metadata><x:y xmlns:x=\"urn:x\">v</x:y></metadata><clock offset=\"localtime\"><timer "
      "name=\"tsc\" frequency=\"2100000000\"/></clock><qemu:commandline><qemu:arg value=\"-a\"/>"
      "</qemu:commandline></domain>", NULL },
    { "not a domain", "<capabilities/>", false, NULL, "t.xml:1: root element is <capabilities>" },
    { "not XML", "<domain", false, NULL, "t.xml:1: not well-formed XML" },
};

static void
test_edit_row(void **state)
{
    const EditRow *r = *state;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = tg_pin_edit_xml(r->in, strlen(r->in), "t.xml", 2100000000, r->force,
                                           &err);

    if (r->want) {
        if (!out)
            fail_msg("%s", err->message);
        assert_string_equal(out, r->want);
        return;
    }
    assert_null(out);
    assert_non_null(err);
    if (!g_str_has_prefix(err->message, r->want_error))
        fail_msg("error '%s', want '%s...'", err->message, r->want_error);
}

/* ---- the plan ---- */

static void
test_plan_matrix(void **state)
{
    /* host a (2.1 GHz, no scaling) runs an invtsc guest pinned at its rate
     * and a kvm-clock guest; b is a 2.1 GHz twin, c scales at 2.4 GHz, d
     * runs 2.6 GHz without scaling */
    static const HostSpec specs[] = {
        { 2100000000, TG_TRI_NO, "Intel" }, { 2100000000, TG_TRI_NO, "Intel" },
        { 2400000000, TG_TRI_YES, "Intel" }, { 2600000000, TG_TRI_NO, "Intel" },
    };
    static const char *const names[] = { "a", "b", "c", "d" };
    static const char pinned[] =
        "<domain type='kvm'><name>db</name><cpu mode='custom'><model>Skylake</model>"
        "<feature policy='require' name='invtsc'/></cpu><clock offset='utc'>"
        "<timer name='tsc' frequency='2100000000'/></clock></domain>";
    g_autoptr(TgPlan) p = tg_plan_new();
    TgPlanGuest *db, *web, *hpc;

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(specs); i++)
        assert_true(tg_plan_add_host(p, make_host(&specs[i]), names[i], names[i], NULL));
    {
        g_autoptr(GError) err = NULL;

        assert_false(tg_plan_add_host(p, make_host(&specs[0]), "a2.xml", "a", &err));
        assert_string_equal(err->message, "a and a2.xml both describe host a");
    }
    db = tg_plan_add_guest(p, tg_guest_profile_parse_xml(pinned, strlen(pinned), "db", NULL),
                           "db.xml", "db-file", "a");
    web = tg_plan_add_guest(p, tg_guest_profile_parse_xml(KVMCLOCK_GUEST, strlen(KVMCLOCK_GUEST),
                                                          "web", NULL), "web.xml", "web", "a");
    hpc = tg_plan_add_guest(p, tg_guest_profile_parse_xml(INVTSC_GUEST, strlen(INVTSC_GUEST),
                                                          "hpc", NULL), "hpc.xml", "hpc", NULL);
    assert_string_equal(db->name, "db");
    tg_plan_run(p, NULL, true);

    assert_int_equal(db->self, 0);
    assert_true(tg_plan_cell(p, 0, 0)->self);
    assert_string_equal(tg_plan_cell(p, 0, 1)->code, "explicit-within-tolerance");
    assert_string_equal(tg_plan_cell(p, 0, 2)->code, "explicit-scaled");
    assert_string_equal(tg_plan_cell(p, 0, 3)->code, "explicit-outside-tolerance");
    assert_int_equal(db->n_allowed, 2);
    assert_int_equal(db->pin.hz, 0);      /* its own rate is the best already */

    assert_int_equal(web->n_allowed, 3);  /* kvm-clock: warnings at most */
    assert_int_equal(tg_plan_cell(p, 1, 1)->verdict, TG_VERDICT_WARN);

    assert_int_equal(hpc->self, G_MAXSIZE);
    assert_int_equal(hpc->n_allowed, 0);
    for (gsize h = 0; h < 4; h++)
        assert_string_equal(tg_plan_cell(p, 2, h)->code, "invtsc-without-frequency");
    assert_int_equal(hpc->pin.hz, 2100000000);  /* a, b and c */
    assert_int_equal(hpc->pin.n_hosts, 3);
    assert_int_equal(hpc->pin_more, 3);
}

/* In audit mode a denial lets the guest through: allowed, still "deny". */
static void
test_plan_audit(void **state)
{
    static const char audit[] =
        "<policy xmlns='urn:tscgate:policy:1' version='1'><mode>audit</mode></policy>";
    static const HostSpec spec = { 2100000000, TG_TRI_NO, "Intel" };
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPolicy) pol = tg_policy_parse_xml(audit, strlen(audit), "audit.xml", &err);
    g_autoptr(TgPlan) p = tg_plan_new();
    TgPlanGuest *hpc;

    (void)state;
    if (!pol)
        fail_msg("%s", err->message);
    assert_true(tg_plan_add_host(p, make_host(&spec), "h", "h", NULL));
    hpc = tg_plan_add_guest(p, tg_guest_profile_parse_xml(INVTSC_GUEST, strlen(INVTSC_GUEST),
                                                          "hpc", NULL), "hpc.xml", "hpc", NULL);
    tg_plan_run(p, pol, false);
    assert_int_equal(tg_plan_cell(p, 0, 0)->verdict, TG_VERDICT_DENY);
    assert_true(tg_plan_cell(p, 0, 0)->allowed);
    assert_int_equal(hpc->n_allowed, 1);
    assert_int_equal(hpc->pin.hz, 0);     /* not asked for */
}

int
main(void)
{
    GArray *t = tg_test_new();

    tg_test_add(t, "outcome agrees with tg_decide: default rules", test_outcome_agrees_default,
                NULL);
    tg_test_add(t, "outcome agrees with tg_decide: policy-rules.xml", test_outcome_agrees_policy,
                NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(pin_rows); i++)
        tg_test_add(t, pin_rows[i].name, test_pin_row, &pin_rows[i]);
    tg_test_add(t, "pin: the guest's own host left out", test_pin_exclude, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(edit_rows); i++)
        tg_test_add(t, edit_rows[i].name, test_edit_row, &edit_rows[i]);
    tg_test_add(t, "plan: guests x hosts, own host, pins", test_plan_matrix, NULL);
    tg_test_add(t, "plan: audit mode", test_plan_audit, NULL);
    return tg_test_run("plan", t);
}
