/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of the shared helpers (tg-common.c): escaping in its three
 * styles, decimal parsing, MHz formatting, facts. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tg-common.h"

static const struct {
    const char *in;
    const char *untrusted;
    const char *controls;
    const char *json;
} escape_cases[] = {
    { "", "", "", "" },
    { "web-01", "web-01", "web-01", "web-01" },
    { "a\nb", "a\\nb", "a\\nb", "a\\nb" },
    { "\r\t", "\\r\\t", "\\r\\t", "\\r\\t" },
    { "back\\slash", "back\\\\slash", "back\\slash", "back\\\\slash" },
    { "q\"uote", "q\"uote", "q\"uote", "q\\\"uote" },
    { "\x01\x1b[31m\x7f", "\\x01\\x1b[31m\\x7f", "\\x01\\x1b[31m\\x7f", "\\u0001\\u001b[31m\\u007f" },
    { "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac",
      "caf\xc3\xa9 \xe2\x82\xac" },
    /* C1 controls (U+009B CSI, U+0085 NEL), line/paragraph separators, bidi
     * embeddings/overrides/isolates and marks: "\\uXXXX" in every style. */
    { "a\xc2\x9b" "31m\xc2\x85" "b", "a\\u009b31m\\u0085b", "a\\u009b31m\\u0085b",
      "a\\u009b31m\\u0085b" },
    { "\xc2\x80\xc2\x9f\xc2\xa0", "\\u0080\\u009f\xc2\xa0", "\\u0080\\u009f\xc2\xa0",
      "\\u0080\\u009f\xc2\xa0" },
    { "l\xe2\x80\xa8p\xe2\x80\xa9", "l\\u2028p\\u2029", "l\\u2028p\\u2029", "l\\u2028p\\u2029" },
    { "\xe2\x80\xaa\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
      "\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c",
      "\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c",
      "\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c" },
    /* Neighbours that are harmless stay as they are. */
    { "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b",
      "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b",
      "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b",
      "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b" },
    /* Bytes that are not UTF-8 (a lone 0x9b is CSI to an 8-bit terminal),
     * truncated and overlong sequences: "\\xHH", "\\u00HH" in JSON. */
    { "x\x9b" "y\xc2", "x\\x9by\\xc2", "x\\x9by\\xc2", "x\\u009by\\u00c2" },
    { "\xe2\x80" "z\xc0\x80", "\\xe2\\x80z\\xc0\\x80", "\\xe2\\x80z\\xc0\\x80",
      "\\u00e2\\u0080z\\u00c0\\u0080" },
};

static void
test_escape(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(escape_cases); i++) {
        g_autofree char *u = tg_escape(escape_cases[i].in, TG_ESCAPE_UNTRUSTED);
        g_autofree char *c = tg_escape(escape_cases[i].in, TG_ESCAPE_CONTROLS);
        g_autofree char *j = tg_escape(escape_cases[i].in, TG_ESCAPE_JSON);
        g_autofree char *w = tg_escape_untrusted(escape_cases[i].in);

        assert_string_equal(u, escape_cases[i].untrusted);
        assert_string_equal(c, escape_cases[i].controls);
        assert_string_equal(j, escape_cases[i].json);
        assert_string_equal(w, escape_cases[i].untrusted);
    }
}

static void
test_escape_untrusted_null(void **state)
{
    g_autofree char *s = tg_escape_untrusted(NULL);

    assert_string_equal(s, "(null)");
}

static const struct {
    const char *in;
    bool ok;
    guint64 value;
} u64_cases[] = {
    { "0", true, 0 },
    { "2596138000", true, G_GUINT64_CONSTANT(2596138000) },
    { "18446744073709551615", true, G_MAXUINT64 },
    { "18446744073709551616", false, 0 },
    { "99999999999999999999", false, 0 },
    { "", false, 0 },
    { "+1", false, 0 },
    { "-1", false, 0 },
    { " 1", false, 0 },
    { "1 ", false, 0 },
    { "1e9", false, 0 },
    { "0x10", false, 0 },
};

/* JSON string literals: null, the plain string as it is, everything else
 * through TG_ESCAPE_JSON; appended the same as returned. */
static void
test_json_string(void **state)
{
    static const struct {
        const char *in, *out;
    } rows[] = {
        { NULL, "null" },
        { "", "\"\"" },
        { "web-01.example", "\"web-01.example\"" },
        { "a\"b\\c", "\"a\\\"b\\\\c\"" },
        { "n\nl\x01", "\"n\\nl\\u0001\"" },
        { "\xe2\x80\xa8", "\"\\u2028\"" },
    };

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *s = tg_json_string(rows[i].in);
        g_autoptr(GString) g = g_string_new("x");

        assert_string_equal(s, rows[i].out);
        tg_json_string_append(g, rows[i].in);
        assert_string_equal(g->str + 1, rows[i].out);
    }
}

static void
test_parse_u64(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(u64_cases); i++) {
        guint64 v = 12345;
        bool ok = tg_parse_u64(u64_cases[i].in, &v);

        assert_int_equal(ok, u64_cases[i].ok);
        if (ok)
            assert_int_equal(v, u64_cases[i].value);
        else
            assert_int_equal(v, 12345); /* untouched on failure */
    }
    assert_false(tg_parse_u64(NULL, NULL));
}

static void
test_format_mhz(void **state)
{
    static const struct {
        guint64 hz;
        const char *text;
    } cases[] = {
        { G_GUINT64_CONSTANT(2596138000), "2596.138 MHz" },
        { G_GUINT64_CONSTANT(2100000000), "2100.000 MHz" },
        { G_GUINT64_CONSTANT(999), "0.000 MHz" },
        { G_GUINT64_CONSTANT(1000), "0.001 MHz" },
        { G_GUINT64_CONSTANT(2596138999), "2596.138 MHz" }, /* truncated, like kHz */
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *s = tg_format_mhz(cases[i].hz);

        assert_string_equal(s, cases[i].text);
    }
}

static void
test_facts(void **state)
{
    TgU64Fact hz = { 0 };
    TgBoolFact b = { 0 };
    TgStrFact str = { 0 };
    TgFactNote copy = { 0 };

    assert_int_equal(tg_bool_fact_tri(&b), TG_TRI_UNKNOWN);
    tg_u64_fact_set(&hz, 42, "ioctl");
    assert_true(hz.note.known);
    assert_string_equal(hz.note.source, "ioctl");
    assert_null(hz.note.reason);
    tg_fact_set_unknown(&hz.note, "%s: %s", "/dev/kvm", "Permission denied");
    assert_false(hz.note.known);
    assert_null(hz.note.source);
    assert_string_equal(hz.note.reason, "/dev/kvm: Permission denied");
    tg_fact_note_copy(&copy, &hz.note);
    assert_string_equal(copy.reason, "/dev/kvm: Permission denied");

    tg_bool_fact_set(&b, false, "cpuinfo");
    assert_int_equal(tg_bool_fact_tri(&b), TG_TRI_NO);
    tg_bool_fact_set(&b, true, "cpuinfo");
    assert_int_equal(tg_bool_fact_tri(&b), TG_TRI_YES);

    tg_str_fact_set(&str, "tsc", "sysfs");
    tg_str_fact_set(&str, "hpet", "sysfs");
    assert_string_equal(str.value, "hpet");

    assert_string_equal(tg_tri_to_string(TG_TRI_YES), "yes");
    assert_string_equal(tg_tri_to_string(TG_TRI_NO), "no");
    assert_string_equal(tg_tri_to_string(TG_TRI_UNKNOWN), "unknown");

    tg_fact_note_clear(&hz.note);
    tg_fact_note_clear(&b.note);
    tg_fact_note_clear(&copy);
    tg_str_fact_clear(&str);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_escape_untrusted_null),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_format_mhz),
        cmocka_unit_test(test_facts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
