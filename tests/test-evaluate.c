/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of the evaluation glue (tg-evaluate.c) and the reports
 * (tg-report.c): source facts from the lineage record, audit mode, JSON
 * escaping, exit statuses. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tg-evaluate.h"
#include "tg-report.h"
#include "test-table.h"

static const char lineage_domain[] =
    "<domain type='kvm'><name>app</name><uuid>71c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d07</uuid>"
    "<metadata><tscgate:lineage xmlns:tscgate='urn:tscgate:lineage:1' version='1'>"
    "<tscgate:nominal hz='2100000000' origin='boot'/>"
    "<tscgate:effective hz='2100000000' changed='no'/>"
    "<tscgate:hop op='migrate' host='edge-b7' hz='2100000000' scaling='no' "
    "time='2026-10-02T11:40:12Z' verdict='allow' reason='x'/>"
    "<tscgate:hop op='migrate' host='core-s3' hz='2400000000' scaling='yes' "
    "time='2026-11-20T09:03:55Z' verdict='allow' reason='y'/>"
    "</tscgate:lineage></metadata>"
    "<clock offset='utc'><timer name='kvmclock' present='no'/></clock></domain>";

static const char plain_domain[] =
    "<domain type='kvm'><name>bad\nname\"q</name>"
    "<clock offset='utc'><timer name='kvmclock' present='no'/></clock></domain>";

static TgGuestProfile *
parse_guest(const char *xml)
{
    g_autoptr(GError) err = NULL;
    TgGuestProfile *g = tg_guest_profile_parse_xml(xml, strlen(xml), "test.xml", &err);

    if (!g)
        fail_msg("parse: %s", err->message);
    return g;
}

static TgHostFacts *
host(guint64 hz, bool scaling)
{
    TgHostFacts *f = tg_host_facts_new();

    tg_u64_fact_set(&f->tsc_hz, hz, "test");
    tg_bool_fact_set(&f->tsc_scaling, scaling, "test");
    return f;
}

/* The newest hop of the record describes the source host. */
static void
test_source_from_lineage(void **state)
{
    g_autoptr(TgGuestProfile) g = parse_guest(lineage_domain);
    g_autoptr(TgHostFacts) src = tg_source_facts_from_lineage(g);

    assert_non_null(src);
    assert_true(src->tsc_hz.note.known);
    assert_int_equal(src->tsc_hz.value, 2400000000u);
    assert_int_equal(tg_bool_fact_tri(&src->tsc_scaling), TG_TRI_YES);
    assert_string_equal(src->hostname.value, "core-s3");
}

static void
test_no_lineage_no_source(void **state)
{
    g_autoptr(TgGuestProfile) g = parse_guest(plain_domain);

    assert_null(tg_source_facts_from_lineage(g));
}

/* Nominal frequency from the record (2.1 GHz), not from the scaling 2.4 GHz
 * host it passed through: a 2.1 GHz host is home, a 2.4 GHz host without
 * scaling is not. */
static void
test_lineage_nominal_decides(void **state)
{
    g_autoptr(TgGuestProfile) g = parse_guest(lineage_domain);
    g_autoptr(TgHostFacts) home = host(2100000000, false);
    g_autoptr(TgHostFacts) other = host(2400000000, false);
    g_autoptr(TgEvaluation) e1 = tg_evaluate(g, NULL, home, NULL);
    g_autoptr(TgEvaluation) e2 = tg_evaluate(g, NULL, other, NULL);

    assert_true(e1->source_from_lineage);
    assert_int_equal(e1->decision->verdict, TG_VERDICT_ALLOW);
    assert_int_equal(e1->decision->guest_hz, 2100000000u);
    assert_int_equal(e1->decision->guest_hz_origin, TG_NOMINAL_LINEAGE);
    assert_int_equal(tg_report_exit_status(e1), TG_EXIT_ALLOW);
    assert_int_equal(e2->decision->verdict, TG_VERDICT_DENY);
    assert_int_equal(tg_report_exit_status(e2), TG_EXIT_DENY);
    assert_false(tg_evaluation_allows(e2));
}

/* Source facts given by the caller are used instead of the record's, and
 * are no nominal rate: a source host at this host's rate says nothing about
 * where the guest booted (doc/tsc-model.md). */
static void
test_explicit_source_is_no_nominal(void **state)
{
    g_autoptr(TgGuestProfile) g = parse_guest(plain_domain);
    g_autoptr(TgHostFacts) src = host(2596138000, false);
    g_autoptr(TgHostFacts) dst = host(2596138000, false);
    g_autoptr(TgEvaluation) e = tg_evaluate(g, src, dst, NULL);

    assert_false(e->source_from_lineage);
    assert_int_equal(e->decision->verdict, TG_VERDICT_DENY);
    assert_string_equal(e->decision->code, "guest-frequency-unknown");
    assert_int_equal(e->decision->guest_hz, 0);
    assert_int_equal(e->decision->guest_hz_origin, TG_NOMINAL_UNKNOWN);
}

/* The newest hop of the record is no nominal rate either: a record of
 * unknown rate whose last hop was a 2.4 GHz host with scaling, then a
 * 2.4 GHz host without (the guest still runs at its boot host's rate). */
static void
test_newest_hop_is_no_nominal(void **state)
{
    static const char xml[] =
        "<domain type='kvm'><name>app</name>"
        "<metadata><tscgate:lineage xmlns:tscgate='urn:tscgate:lineage:1' version='1'>"
        "<tscgate:nominal origin='unknown'/><tscgate:effective changed='no'/>"
        "<tscgate:hop op='migrate' host='core-s3' hz='2400000000' scaling='yes' "
        "time='2026-11-20T09:03:55Z' verdict='allow' reason='nominal-unknown-dest-scaling'/>"
        "</tscgate:lineage></metadata>"
        "<clock offset='utc'><timer name='kvmclock' present='no'/></clock></domain>";
    g_autoptr(TgGuestProfile) g = parse_guest(xml);
    g_autoptr(TgHostFacts) dst = host(2400000000, false);
    g_autoptr(TgEvaluation) e = tg_evaluate(g, NULL, dst, NULL);

    assert_true(e->source_from_lineage);
    assert_int_equal(e->decision->verdict, TG_VERDICT_DENY);
    assert_string_equal(e->decision->code, "guest-frequency-unknown");
    assert_int_equal(e->decision->guest_hz_origin, TG_NOMINAL_UNKNOWN);
}

/* Audit mode lets a denial through; the verdict stays "deny". */
static void
test_audit_allows(void **state)
{
    g_autoptr(TgGuestProfile) g = parse_guest(plain_domain);
    g_autoptr(TgHostFacts) dst = host(2596138000, false);
    g_autoptr(TgEvaluation) e = tg_evaluate(g, NULL, dst, NULL);

    assert_int_equal(e->decision->verdict, TG_VERDICT_DENY);
    assert_false(tg_evaluation_allows(e));
    e->mode = TG_MODE_AUDIT;
    assert_true(tg_evaluation_allows(e));
    assert_int_equal(tg_report_exit_status(e), TG_EXIT_ALLOW);
}

/* tg_json_string: one test per row. */
typedef struct {
    const char *name;
    const char *in;
    const char *out;
} JsonCase;

static const JsonCase json_cases[] = {
    { .name = "json: NULL is null", .in = NULL, .out = "null" },
    { .name = "json: empty string", .in = "", .out = "\"\"" },
    { .name = "json: plain", .in = "plain", .out = "\"plain\"" },
    { .name = "json: quote and backslash", .in = "q\"b\\", .out = "\"q\\\"b\\\\\"" },
    { .name = "json: newline, tab, carriage return", .in = "a\nb\tc\r",
      .out = "\"a\\nb\\tc\\r\"" },
    { .name = "json: control characters and DEL", .in = "\x01\x1f\x7f",
      .out = "\"\\u0001\\u001f\\u007f\"" },
    { .name = "json: UTF-8 kept", .in = "caf\xc3\xa9", .out = "\"caf\xc3\xa9\"" },
};

static void
test_json_string(void **state)
{
    const JsonCase *c = *state;
    g_autofree char *s = tg_json_string(c->in);

    assert_string_equal(s, c->out);
}

/* Reports escape the guest name and keep the verdict line first. */
static void
test_reports(void **state)
{
    g_autoptr(TgGuestProfile) g = parse_guest(plain_domain);
    g_autoptr(TgHostFacts) dst = host(2596138000, false);
    g_autoptr(TgEvaluation) e = tg_evaluate(g, NULL, dst, NULL);
    g_autofree char *text = tg_report_text(g, e);
    g_autofree char *json = tg_report_json(g, e);

    assert_true(g_str_has_prefix(text, "deny: "));
    assert_non_null(strstr(text, "bad\\nname\"q"));
    assert_non_null(strstr(json, "\"guest\":\"bad\\nname\\\"q\""));
    assert_non_null(strstr(json, "\"verdict\":\"deny\""));
    assert_non_null(strstr(json, "\"allowed\":false"));
    /* One line: the only newline ends it. */
    assert_ptr_equal(strchr(json, '\n'), json + strlen(json) - 1);
}

int
main(void)
{
    GArray *tests = tg_test_new();

    tg_test_add(tests, "source from lineage", test_source_from_lineage, NULL);
    tg_test_add(tests, "no lineage, no source", test_no_lineage_no_source, NULL);
    tg_test_add(tests, "lineage nominal decides", test_lineage_nominal_decides, NULL);
    tg_test_add(tests, "explicit source is no nominal rate", test_explicit_source_is_no_nominal, NULL);
    tg_test_add(tests, "newest hop is no nominal rate", test_newest_hop_is_no_nominal, NULL);
    tg_test_add(tests, "audit allows", test_audit_allows, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(json_cases); i++)
        tg_test_add(tests, json_cases[i].name, test_json_string, &json_cases[i]);
    tg_test_add(tests, "reports", test_reports, NULL);
    return tg_test_run("tg-evaluate", tests);
}
