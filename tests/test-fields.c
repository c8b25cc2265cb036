/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for tg-fields.c: the one list of a decision's fields, and its
 * renderings as JSON members and as the log record's TSCGATE_ fields. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <syslog.h>

#include "tg-fields.h"
#include "tg-record.h"

/* Every name is unique, found by name, and a valid journald field once
 * upper-cased behind TSCGATE_ (journal-file.c journal_field_valid: upper
 * case, digits, '_', at most 64 bytes). */
static void
test_names(void **state)
{
    (void)state;
    for (int i = 0; i < TG_F_COUNT; i++) {
        const TgFieldDef *d = tg_field_def((TgFieldId)i);

        assert_non_null(d);
        assert_non_null(d->name);
        assert_int_equal(tg_field_by_name(d->name), i);
        assert_true(strlen("TSCGATE_") + strlen(d->name) <= 64);
        for (const char *p = d->name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
        for (int k = 0; k < i; k++)
            assert_string_not_equal(tg_field_def((TgFieldId)k)->name, d->name);
    }
    assert_int_equal(tg_field_by_name("no_such_field"), TG_F_COUNT);
}

/* Unknown is null in JSON, never 0; numbers bare, booleans true/false,
 * text escaped. */
static void
test_json_null(void **state)
{
    g_auto(TgFields) f = { 0 };
    g_autofree char *j = NULL;

    (void)state;
    tg_fields_set_u64(&f, TG_F_GUEST_HZ, 0, false);
    tg_fields_set_u64(&f, TG_F_DEST_HZ, 2100000000, true);
    tg_fields_set(&f, TG_F_ALLOWED, "no");
    tg_fields_set(&f, TG_F_GUEST, "we\"b\n1");
    j = tg_fields_json_members(&f, NULL);
    assert_non_null(strstr(j, "\"guest_hz\":null"));
    assert_null(strstr(j, "\"guest_hz\":0"));
    assert_non_null(strstr(j, "\"dest_hz\":2100000000"));
    assert_non_null(strstr(j, "\"allowed\":false"));
    assert_non_null(strstr(j, "\"guest\":\"we\\\"b\\n1\""));
    assert_non_null(strstr(j, "\"verdict\":null"));
    /* every field, in list order */
    assert_true(g_str_has_prefix(j, "\"verdict\":null,\"allowed\":false,"));
}

static void
test_json_skip(void **state)
{
    g_auto(TgFields) f = { 0 };
    bool skip[TG_F_COUNT] = { [TG_F_DESTINATION] = true };
    g_autofree char *j = NULL;

    (void)state;
    j = tg_fields_json_members(&f, skip);
    assert_null(strstr(j, "\"destination\""));
    assert_non_null(strstr(j, "\"source\":null"));
}

/* The text report's lines: labels padded to 16 columns, rates with their
 * MHz, units, "unknown" for unknown, nothing for what is simply absent,
 * values escaped for a terminal, skipped fields left out. */
static void
test_text(void **state)
{
    g_auto(TgFields) f = { 0 };
    bool skip[TG_F_COUNT] = { [TG_F_MODE] = true };
    g_autoptr(GString) out = g_string_new(NULL);

    (void)state;
    tg_fields_set(&f, TG_F_VERDICT, "deny");
    tg_fields_set(&f, TG_F_MODE, "audit");
    tg_fields_set_u64(&f, TG_F_GUEST_HZ, 2596138000, true);
    tg_fields_set_u64(&f, TG_F_TOLERANCE_PPM, 250, true);
    tg_fields_set(&f, TG_F_GUEST, "we\x1b[2Jb");
    tg_fields_text_append(out, &f, skip);
    assert_true(g_str_has_prefix(out->str, "  verdict          deny\n"));
    assert_non_null(strstr(out->str, "\n  guest TSC        2596138000 Hz (2596.138 MHz)\n"));
    assert_non_null(strstr(out->str, "\n  tolerance        250 ppm\n"));
    assert_non_null(strstr(out->str, "\n  destination TSC  unknown\n"));
    assert_non_null(strstr(out->str, "\n  guest            we\\x1b[2Jb\n"));
    assert_null(strchr(out->str, '\x1b'));
    /* no rule matched: no line; skipped: no line */
    assert_null(strstr(out->str, "policy rule"));
    assert_null(strstr(out->str, "mode"));
    /* every other field has its line, labelled, in list order */
    for (int i = 0, last = -1; i < TG_F_COUNT; i++) {
        const TgFieldDef *d = tg_field_def((TgFieldId)i);
        g_autofree char *start = g_strdup_printf("  %-16s ", d->label);
        const char *at = strstr(out->str, start);

        if (skip[i] || (!f.v[i] && !*d->record_null))
            continue;
        assert_non_null(at);
        assert_true((int)(at - out->str) > last);
        last = (int)(at - out->str);
    }
}

/* Owned, static and inline-number values replace one another without a
 * leak or a free of what is not owned (valgrind and ASan run this). */
static void
test_ownership(void **state)
{
    g_auto(TgFields) f = { 0 };
    static const char code[] = "explicit-within-tolerance";

    (void)state;
    tg_fields_set_static(&f, TG_F_CODE, code);
    assert_ptr_equal(f.v[TG_F_CODE], code);
    tg_fields_set(&f, TG_F_CODE, code);
    assert_ptr_not_equal(f.v[TG_F_CODE], code);
    assert_string_equal(f.v[TG_F_CODE], code);
    tg_fields_set_static(&f, TG_F_CODE, "deny");
    tg_fields_set_static(&f, TG_F_CODE, NULL);
    assert_null(f.v[TG_F_CODE]);
    tg_fields_set_u64(&f, TG_F_RULE, 5, true);
    assert_string_equal(f.v[TG_F_RULE], "5");
    tg_fields_set_u64(&f, TG_F_RULE, 18446744073709551615ull, true);
    assert_string_equal(f.v[TG_F_RULE], "18446744073709551615");
    tg_fields_set(&f, TG_F_RULE, "7");
    tg_fields_set(&f, TG_F_RULE, "7");
    assert_string_equal(f.v[TG_F_RULE], "7");
    tg_fields_set_u64(&f, TG_F_RULE, 0, false);
    assert_null(f.v[TG_F_RULE]);
    tg_fields_set(&f, TG_F_GUEST, "web");
}

/* Every label is unique and fits the text report's column. */
static void
test_labels(void **state)
{
    (void)state;
    for (int i = 0; i < TG_F_COUNT; i++) {
        const TgFieldDef *d = tg_field_def((TgFieldId)i);

        assert_non_null(d->label);
        assert_true(strlen(d->label) <= 16);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(tg_field_def((TgFieldId)k)->label, d->label);
    }
}

/* The record has the same names behind TSCGATE_; unknown is "unknown"
 * (or "" for what is simply absent), untrusted text escaped, the sentence
 * left to MESSAGE. */
static void
test_record(void **state)
{
    g_auto(TgFields) f = { 0 };
    g_autoptr(TgLogRecord) r = tg_log_record_new(LOG_INFO, "m");

    (void)state;
    tg_fields_set(&f, TG_F_VERDICT, "deny");
    tg_fields_set(&f, TG_F_REASON, "a sentence");
    tg_fields_set(&f, TG_F_SOURCE, "ho\x1bst");
    tg_fields_set(&f, TG_F_EFFECTIVE_CHANGED, "yes");
    tg_log_record_add_fields(r, &f, NULL);
    assert_string_equal(tg_log_record_get(r, "TSCGATE_VERDICT"), "deny");
    assert_string_equal(tg_log_record_get(r, "TSCGATE_GUEST_HZ"), "unknown");
    assert_string_equal(tg_log_record_get(r, "TSCGATE_DESTINATION"), "unknown");
    assert_string_equal(tg_log_record_get(r, "TSCGATE_POLICY_RULE"), "");
    assert_string_equal(tg_log_record_get(r, "TSCGATE_SOURCE"), "ho\\x1bst");
    assert_string_equal(tg_log_record_get(r, "TSCGATE_EFFECTIVE_CHANGED"), "yes");
    assert_null(tg_log_record_get(r, "TSCGATE_REASON"));
    for (int i = 0; i < TG_F_COUNT; i++) {
        const TgFieldDef *d = tg_field_def((TgFieldId)i);
        g_autofree char *up = g_ascii_strup(d->name, -1);
        g_autofree char *key = g_strconcat("TSCGATE_", up, NULL);

        if (d->in_record)
            assert_non_null(tg_log_record_get(r, key));
    }
}

/* The MESSAGE_IDs: 32 lower-case hex digits (sd-id128), all different. */
static void
test_message_ids(void **state)
{
    const char *ids[] = { TG_MSGID_DECISION, TG_MSGID_AUDIT, TG_MSGID_ERROR,
                          TG_MSGID_FAIL_OPEN, TG_MSGID_DEADLINE };

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(ids); i++) {
        assert_int_equal(strlen(ids[i]), 32);
        for (const char *p = ids[i]; *p; p++)
            assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
        for (gsize k = 0; k < i; k++)
            assert_string_not_equal(ids[i], ids[k]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_json_null),
        cmocka_unit_test(test_json_skip),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_ownership),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_message_ids),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
