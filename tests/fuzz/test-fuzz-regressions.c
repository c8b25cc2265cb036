/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmocka regression tests for bugs the fuzz targets (tests/fuzz/) found.
 * Each test names the reproducer in tests/fuzz/regressions/ it pins down;
 * tests/fuzz/replay.sh replays the reproducers themselves. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tg-lineage-priv.h"
#include "tg-log.h"
#include "tg-policy.h"
#include "tg-inventory.h"
#include "tg-xml.h"

/* guest/hop-time-year-226.xml: a hop time before year 1000 was formatted
 * with a short year and the rewritten record no longer parsed. */
static void
test_format_utc_four_digit_year(void **state)
{
    static const struct {
        const char *iso;
    } cases[] = {
        { "0001-01-01T00:00:00Z" },
        { "0226-11-20T10:00:00Z" },
        { "0999-12-31T23:59:59Z" },
        { "1000-01-01T00:00:00Z" },
        { "1970-01-01T00:00:00Z" },
        { "2026-11-25T08:00:00Z" },
        { "9999-12-31T23:59:59Z" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(cases[i].iso, NULL);
        g_autofree char *s = NULL;

        assert_non_null(dt);
        s = tg_format_utc(g_date_time_to_unix(dt));
        assert_string_equal(s, cases[i].iso);
    }
}

static void
test_rewrite_keeps_early_hop_time(void **state)
{
    static const char dom[] =
        "<domain><metadata><tscgate:lineage xmlns:tscgate=\"urn:tscgate:lineage:1\" "
        "version=\"1\"><tscgate:hop op=\"migrate\" time=\"0226-11-20T10:00:00Z\"/>"
        "</tscgate:lineage></metadata></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml(dom, strlen(dom), "t.xml", &err);
    g_autoptr(TgGuestProfile) again = NULL;
    g_autofree char *out = NULL;

    assert_non_null(g);
    assert_non_null(g->lineage);
    out = tg_lineage_rewrite_domain(dom, strlen(dom), "t.xml", g->lineage, &err);
    assert_non_null(out);
    assert_non_null(strstr(out, "time=\"0226-11-20T10:00:00Z\""));
    again = tg_guest_profile_parse_xml(out, strlen(out), "out.xml", &err);
    if (!again)
        fail_msg("%s", err->message);
    assert_int_equal(again->lineage->hops->len, 1);
    assert_int_equal(((TgHop *)again->lineage->hops->pdata[0])->time,
                     ((TgHop *)g->lineage->hops->pdata[0])->time);
}

/* policy/deny-message-utf8-cut.xml: admin text longer than the reason's
 * cap was cut inside a multi-byte UTF-8 character. Table: text, expected
 * shortened form in the reason. */
static void
test_admin_text_cut_keeps_utf8(void **state)
{
    g_autofree char *b76 = g_strnfill(76, 'b');
    g_autofree char *b77 = g_strnfill(77, 'b');
    g_autofree char *c1 = g_strconcat(b76, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL);
    g_autofree char *c2 = g_strconcat(b77, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL);
    g_autofree char *c3 = g_strconcat(b76, "\xe2\x82\xac\xe2\x82\xac", NULL); /* 3-byte euro signs */
    g_autofree char *w1 = g_strconcat(b76, "...", NULL);
    g_autofree char *w2 = g_strconcat(b77, "...", NULL);
    const struct {
        const char *text;
        const char *want;
    } cases[] = {
        { c1, w1 },  /* cut would fall after the 1st byte of an e-acute */
        { c2, w2 },  /* cut falls right before one: nothing dropped */
        { c3, w1 },  /* inside a 3-byte character */
    };
    g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml("<domain/>", 9, "g.xml", NULL);
    g_autoptr(TgHostFacts) dest = tg_host_facts_new();

    assert_non_null(g);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        TgSettings s;
        g_autoptr(TgDecision) d = NULL;
        g_autofree char *want = g_strdup_printf(": %s (", cases[i].want);

        tg_settings_init(&s);
        s.policy_rule = "r";
        s.force_deny = true;
        s.force_deny_message = cases[i].text;
        d = tg_decide(g, NULL, dest, &s);
        assert_int_equal(d->verdict, TG_VERDICT_DENY);
        assert_true(g_utf8_validate(d->reason, -1, NULL));
        if (!strstr(d->reason, want))
            fail_msg("case %zu: reason '%s' lacks '%s'", (size_t)i, d->reason, want);
    }
}

/* {guest,hostfacts,policy}/cdata-unfinished-utf8-cut.xml: libxml2 quotes 50 bytes of an unfinished
 * CDATA section in its message; the cut split an e-acute and the parse
 * error was not valid UTF-8. Every parser reports through tg_xml_parse. */
static void
test_parse_error_is_utf8(void **state)
{
    g_autofree char *b49 = g_strnfill(49, 'b');
    g_autofree char *doc = g_strconcat("<domain><![CDATA[", b49,
                                       "\xc3\xa9\xc3\xa9\xc3\xa9</domain>\n", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) x = tg_xml_parse(doc, strlen(doc), "d.xml", &err);
    g_autoptr(GError) err2 = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml(doc, strlen(doc), "d.xml", &err2);

    assert_null(x);
    assert_null(g);
    assert_non_null(err);
    assert_true(g_str_has_prefix(err->message, "d.xml:2: not well-formed XML: CData section not finished; "));
    assert_true(g_utf8_validate(err->message, -1, NULL));
    assert_string_equal(err->message, err2->message);
}

/* policy/host-directory-newline.xml: a <host-directory> path with a
 * newline character reference made a two-line problem. */
static void
test_policy_problem_one_line(void **state)
{
    static const char pol[] =
        "<policy xmlns='urn:tscgate:policy:1' version='1'><inventory>"
        "<host-directory path='no&#10;such&#9;dir'/></inventory></policy>";
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(TgPolicy) p = tg_inventory_read_policy(pol, strlen(pol), "/nonexistent/p.xml",
                                                     TG_TRUST_ANY_OWNER, NULL, all, NULL);

    assert_null(p);
    assert_int_equal(all->len, 1);
    assert_string_equal(all->pdata[0], "/nonexistent/p.xml:1: <host-directory> "
                        "'/nonexistent/no\\nsuch\\tdir': No such file or directory");
    assert_false(tg_policy_validate_inventory(pol, strlen(pol), "/nonexistent/p.xml",
                                              &problems));
    assert_int_equal(problems->len, 1);
    assert_string_equal(problems->pdata[0], all->pdata[0]);
    /* Parsed from memory alone, the directory is not read: still one line. */
    assert_null(tg_policy_parse_xml(pol, strlen(pol), "/nonexistent/p.xml", &err));
    assert_null(strchr(err->message, '\n'));
}

/* {guest,policy}/shift-jis-conversion-error.xml: libxml2 printed its encoding conversion
 * errors to stderr (its generic error channel) past tg_xml_parse's handler.
 * Table: input, expected error. */
static int generic_calls;

static void
count_generic(void *ctx, const char *fmt, ...)
{
    generic_calls++;
}

static void
test_parse_conversion_error_quiet(void **state)
{
    static const struct {
        const char *doc;
        const char *want;
    } cases[] = {
        { "<?xml version='1.0' encoding='SHIFT_JIS'?>\n<domain><name>\x81</name></domain>\n",
          "s.xml:2: not well-formed XML: input is not valid in its declared encoding" },
        /* after the root element: still refused, not silently cut short */
        { "<?xml version='1.0' encoding='SHIFT_JIS'?>\n<domain/><!-- \x81  -->\n",
          "s.xml:2: not well-formed XML: input is not valid in its declared encoding" },
        /* trailing bytes after the root: libxml2 alone accepted the document */
        { "<?xml version='1.0' encoding='SHIFT_JIS'?>\n<domain/>\n\x81\n",
          "s.xml:3: not well-formed XML: input is not valid in its declared encoding" },
        { "<?xml version='1.0' encoding='SHIFT_JIS'?>\n<domain><name>\x82\xa0</name></domain>\n",
          NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(xmlDoc) doc = NULL;

        generic_calls = 0;
        xmlSetGenericErrorFunc(NULL, count_generic);
        doc = tg_xml_parse(cases[i].doc, strlen(cases[i].doc), "s.xml", &err);
        assert_int_equal(generic_calls, 0);
        /* the caller's handler is back */
        xmlGenericError(xmlGenericErrorContext, "x");
        assert_int_equal(generic_calls, 1);
        xmlSetGenericErrorFunc(NULL, NULL);
        if (cases[i].want) {
            assert_null(doc);
            assert_string_equal(err->message, cases[i].want);
        } else {
            assert_non_null(doc);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_utc_four_digit_year),
        cmocka_unit_test(test_rewrite_keeps_early_hop_time),
        cmocka_unit_test(test_admin_text_cut_keeps_utf8),
        cmocka_unit_test(test_parse_error_is_utf8),
        cmocka_unit_test(test_policy_problem_one_line),
        cmocka_unit_test(test_parse_conversion_error_quiet),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
