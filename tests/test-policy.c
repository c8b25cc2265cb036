/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of the policy module (tg-policy.c) and `tscgate policy`
 * (tg-cli-policy.c). Fixtures: tests/fixtures/policies/, examples: xml/examples/. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <libxml/relaxng.h>

#include "tg-cli-policy.h"
#include "tg-policy.h"
#include "tg-file.h"
#include "tg-inventory.h"
#include "tg-trust.h"

static char *
src_path(const char *rel)
{
    const char *top = g_getenv("top_srcdir");

    return g_build_filename(top ? top : "..", rel, NULL);
}

static char *
fixture(const char *rel)
{
    g_autofree char *r = g_build_filename("tests/fixtures/policies", rel, NULL);

    return src_path(r);
}

static TgGuestProfile *
load_guest(const char *name)
{
    g_autofree char *rel = g_strdup_printf("guests/%s.xml", name);
    g_autofree char *path = fixture(rel);
    g_autoptr(GError) err = NULL;
    TgGuestProfile *g = tg_guest_profile_load(path, &err);

    if (!g)
        fail_msg("%s: %s", path, err->message);
    return g;
}

static TgHostFacts *
load_host(const char *name)
{
    g_autofree char *rel = g_strdup_printf("hosts/%s.xml", name);
    g_autofree char *path = fixture(rel);
    g_autoptr(GError) err = NULL;
    TgHostFacts *h = tg_host_facts_load(path, &err);

    if (!h)
        fail_msg("%s: %s", path, err->message);
    return h;
}

/* Parse an inline policy; relative directories resolve against the fixture dir. */
static TgPolicy *
inline_policy(const char *body)
{
    g_autofree char *xml = g_strdup_printf("<policy xmlns='urn:tscgate:policy:1' version='1'>"
                                           "%s</policy>", body);
    g_autofree char *name = fixture("inline.xml");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
    TgPolicy *p = tg_inventory_read_policy(xml, strlen(xml), name, TG_TRUST_ANY_OWNER, NULL,
                                           problems, NULL);

    if (!p)
        fail_msg("inline policy: %s", (const char *)problems->pdata[0]);
    return p;
}

/* ------------------------------------------------------------------ */
/* Bad policies: every one refused, first problem at the expected line. */

typedef struct {
    const char *file;
    int line;
    const char *msg;
    guint n_problems;
    TgErrorCode code;
} BadCase;

static const BadCase bad_cases[] = {
    { "wrong-root.xml", 2, "root element is <domain>, expected <policy xmlns='urn:tscgate:policy:1'>", 1, TG_ERROR_INVALID },
    { "no-namespace.xml", 2, "root element is <policy>, expected <policy xmlns='urn:tscgate:policy:1'>", 1, TG_ERROR_INVALID },
    { "no-version.xml", 2, "<policy> has no version attribute", 1, TG_ERROR_INVALID },
    { "unknown-element.xml", 4, "unknown element <frobnicate> in <policy>", 1, TG_ERROR_INVALID },
    { "foreign-element.xml", 5, "unknown element <extra> (namespace 'urn:example:other') in <rule>", 1, TG_ERROR_INVALID },
    { "unknown-attribute.xml", 3, "unknown attribute 'units' on <tolerance> (allowed: ppm)", 1, TG_ERROR_INVALID },
    { "bad-number.xml", 4, "<tolerance> attribute ppm='25O' is not an unsigned integer", 1, TG_ERROR_INVALID },
    { "negative-ppm.xml", 5, "<tolerance> attribute ppm='-5' is not an unsigned integer", 1, TG_ERROR_INVALID },
    { "ppm-too-large.xml", 3, "<tolerance> attribute ppm='1000001' is out of range (0..1000000)", 1, TG_ERROR_INVALID },
    { "ppm-overflow.xml", 3, "<tolerance> attribute ppm='184467440737095516160' is out of range (0..1000000)", 1, TG_ERROR_INVALID },
    { "bad-frequency.xml", 5, "<host> attribute frequency='2.6GHz' is not an unsigned integer", 1, TG_ERROR_INVALID },
    { "bad-action.xml", 3, "<unknown> attribute guest-frequency='maybe' is not one of: deny, warn, allow", 1, TG_ERROR_INVALID },
    { "bad-uuid.xml", 4, "<match> attribute uuid='not-a-uuid' is not a UUID", 1, TG_ERROR_INVALID },
    { "conflict-deny-warn.xml", 3, "conflicting settings in rule 'db': <deny> and <allow-with-warning>", 1, TG_ERROR_INVALID },
    { "conflict-treat-as.xml", 5, "conflicting settings in rule 'pinned': <treat-as> cannot change the class of explicit-frequency guests", 1, TG_ERROR_INVALID },
    { "conflict-lineage.xml", 3, "conflicting settings: <lineage> hops has no effect with record='no'", 1, TG_ERROR_INVALID },
    { "duplicate-rule.xml", 7, "duplicate rule name 'db' (first at line 3)", 1, TG_ERROR_INVALID },
    { "duplicate-group.xml", 5, "duplicate host group name 'gen9' (first at line 4)", 1, TG_ERROR_INVALID },
    { "undefined-group.xml", 8, "rule 'old' names host group 'gen8', which <inventory> does not define", 1, TG_ERROR_INVALID },
    { "unreachable-rule.xml", 7, "rule 'db' can never match: rule 'everyone' (line 3) before it matches every guest", 1, TG_ERROR_INVALID },
    { "rule-without-match.xml", 3, "<rule> needs at least one <match>", 1, TG_ERROR_INVALID },
    { "setting-after-rule.xml", 7, "<mode> must come before the first <rule> (line 3)", 1, TG_ERROR_INVALID },
    { "missing-directory.xml", 4, "<host-directory> '", 1, TG_ERROR_INVALID },
    { "broken-inventory-file.xml", 5, "bad host facts file", 1, TG_ERROR_INVALID },
    { "version-2.xml", 2, "<policy> version '2' is newer than this tscgate understands (major version 1); upgrade tscgate", 1, TG_ERROR_UNSUPPORTED },
    { "namespace-2.xml", 2, "<policy> namespace 'urn:tscgate:policy:2' is newer than this tscgate understands (major version 1); upgrade tscgate", 1, TG_ERROR_UNSUPPORTED },
    { "version-1-1.xml", 2, "<policy> version '1.1' is newer than this tscgate understands (version 1.0); upgrade tscgate", 1, TG_ERROR_UNSUPPORTED },
    { "empty-group.xml", 4, "<host-group> is empty", 1, TG_ERROR_INVALID },
    { "namespaced-attribute.xml", 4, "unknown attribute 'x:owner' on <rule>", 1, TG_ERROR_INVALID },
    { "twice.xml", 5, "<tolerance> given twice in <policy> (first at line 3)", 1, TG_ERROR_INVALID },
    { "not-xml.xml", 5, "not well-formed XML", 1, TG_ERROR_PARSE },
    { "doctype.xml", 2, "DOCTYPE declarations are not accepted", 1, TG_ERROR_INVALID },
    { "many-errors.xml", 3, "<mode> 'fast' is not one of: enforce, audit", 5, TG_ERROR_INVALID },
};

static void
test_bad_policies(void **state)
{
    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const BadCase *bc = &bad_cases[i];
        g_autofree char *rel = g_build_filename("bad", bc->file, NULL);
        g_autofree char *path = fixture(rel);
        g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, bc->line);
        g_autoptr(GPtrArray) problems = NULL;
        g_autoptr(GError) err = NULL;
        g_autoptr(TgPolicy) p = NULL;
        const char *first;

        if (tg_policy_validate_file(path, &problems))
            fail_msg("%s: accepted", bc->file);
        if (problems->len != bc->n_problems) {
            for (guint k = 0; k < problems->len; k++)
                print_message("  %s\n", (const char *)problems->pdata[k]);
            fail_msg("%s: %u problems, expected %u", bc->file, problems->len, bc->n_problems);
        }
        first = problems->pdata[0];
        if (!g_str_has_prefix(first, prefix) || !strstr(first, bc->msg))
            fail_msg("%s: got '%s', expected prefix '%s' and '%s'", bc->file, first, prefix,
                     bc->msg);

        p = tg_policy_load(path, NULL, &err);
        assert_null(p);
        assert_non_null(err);
        assert_true(g_error_matches(err, TG_ERROR, bc->code));
        assert_true(g_str_has_prefix(err->message, first));
        if (bc->n_problems > 1)
            assert_non_null(strstr(err->message, "more problems"));
    }
}

static void
test_many_errors_listed_in_line_order(void **state)
{
    g_autofree char *path = fixture("bad/many-errors.xml");
    g_autoptr(GPtrArray) problems = NULL;
    static const char *const expect[] = {
        ":3: <mode> 'fast' is not one of: enforce, audit",
        ":4: <tolerance> attribute ppm='-1' is not an unsigned integer",
        ":5: conflicting settings in rule 'a': <deny> and <allow-with-warning>",
        ":6: unknown attribute 'colour' on <match> (allowed: name, uuid, tag, class)",
        ":10: duplicate rule name 'a' (first at line 5)",
    };

    (void)state;
    assert_false(tg_policy_validate_file(path, &problems));
    assert_int_equal(problems->len, G_N_ELEMENTS(expect));
    for (guint i = 0; i < problems->len; i++) {
        g_autofree char *want = g_strconcat(path, expect[i], NULL);
        assert_string_equal(problems->pdata[i], want);
    }
}

static void
test_unreadable_file(void **state)
{
    g_autofree char *path = fixture("bad/does-not-exist.xml");
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) err = NULL;

    (void)state;
    assert_false(tg_policy_validate_file(path, &problems));
    assert_int_equal(problems->len, 1);
    assert_non_null(strstr(problems->pdata[0], "does-not-exist.xml"));
    assert_null(tg_policy_load(path, NULL, &err));
    assert_true(g_error_matches(err, TG_ERROR, TG_ERROR_IO));
}

static void
quiet_error(void *data, xmlErrorPtr e)
{
    (void)data;
    (void)e;
}

/* Schema checks alone (libxml2 RelaxNG) also refuse what pass 2 refuses:
 * validate a few bad documents directly against the embedded schema. */
static void
test_embedded_schema(void **state)
{
    static const char *const bad[] = { "unknown-element.xml", "unknown-attribute.xml",
                                       "negative-ppm.xml", "ppm-too-large.xml",
                                       "bad-number.xml", "version-2.xml", "bad-uuid.xml" };
    xmlRelaxNGParserCtxtPtr pc;
    xmlRelaxNGPtr schema;

    (void)state;
    assert_true(tg_policy_rng_len > 100);
    assert_int_equal(strlen(tg_policy_rng), tg_policy_rng_len);
    pc = xmlRelaxNGNewMemParserCtxt(tg_policy_rng, (int)tg_policy_rng_len);
    schema = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    assert_non_null(schema);
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *rel = g_build_filename("bad", bad[i], NULL);
        g_autofree char *path = fixture(rel);
        xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                XML_PARSE_NOWARNING);
        xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);

        assert_non_null(doc);
        xmlRelaxNGSetValidStructuredErrors(vc, quiet_error, NULL);
        if (xmlRelaxNGValidateDoc(vc, doc) == 0)
            fail_msg("%s validates against the schema", bad[i]);
        xmlRelaxNGFreeValidCtxt(vc);
        xmlFreeDoc(doc);
    }
    xmlRelaxNGFree(schema);
}

/* ------------------------------------------------------------------ */
/* Selection: first match, in file order.                              */

static const char sel_policy[] =
    "<rule name='by-uuid'><match uuid='a5d0a1b2c3d44e5f8a9b0c1d2e3f4a5b'/></rule>"
    "<rule name='by-name'><match name='db-0?'/></rule>"
    "<rule name='sensitive'><match class='tsc-sensitive'/></rule>"
    "<rule name='by-tag'><match tag='web'/></rule>"
    "<rule name='by-class'><match class='reenlightenment'/></rule>"
    "<rule name='all-of'><match name='win-*' class='paravirt-clock' tag='windows'/></rule>"
    "<rule name='any-of'><match name='nomatch-*'/><match tag='frontend'/></rule>"
    "<rule name='catch-all'><match/></rule>";

typedef struct {
    const char *guest;
    const char *rule;
    const char *why;
} SelCase;

static const SelCase sel_cases[] = {
    /* uuid in the policy without dashes, guest's in upper case with dashes */
    { "batch-07", "by-uuid", "rule 'by-uuid' matched: uuid 'a5d0a1b2c3d44e5f8a9b0c1d2e3f4a5b'" },
    /* db-02 is also tsc-sensitive: the earlier rule wins */
    { "db-02", "by-name", "rule 'by-name' matched: name 'db-0?'" },
    { "db-01", "by-name", "rule 'by-name' matched: name 'db-0?'" },
    /* web-01 also has tag frontend (rule any-of): by-tag comes first */
    { "web-01", "by-tag", "rule 'by-tag' matched: tag 'web'" },
    { "win-sql-01", "by-class", "rule 'by-class' matched: class 'reenlightenment'" },
    /* win-app-01: name and class match but it has no tag 'windows' */
    { "win-app-01", "catch-all", "rule 'catch-all' matched: <match/> at line 1 matches every guest" },
    { "plain-03", "catch-all", "rule 'catch-all' matched: <match/> at line 1 matches every guest" },
};

static void
test_selection_first_match(void **state)
{
    g_autoptr(TgPolicy) p = inline_policy(sel_policy);

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(sel_cases); i++) {
        g_autoptr(TgGuestProfile) g = load_guest(sel_cases[i].guest);
        g_autofree char *why = NULL;
        TgSettings s;
        const char *rule = tg_policy_apply(p, g, &s, &why);

        if (g_strcmp0(rule, sel_cases[i].rule) != 0 || g_strcmp0(why, sel_cases[i].why) != 0)
            fail_msg("%s: got rule %s (%s), expected %s (%s)", sel_cases[i].guest, rule, why,
                     sel_cases[i].rule, sel_cases[i].why);
        assert_string_equal(s.policy_rule, sel_cases[i].rule);
    }
}

static void
test_selection_and_or(void **state)
{
    /* all attributes of one <match> must hold; any <match> of a rule may */
    g_autoptr(TgPolicy) p = inline_policy(
        "<rule name='and'><match name='win-*' class='paravirt-clock' tag='windows'/></rule>"
        "<rule name='or'><match name='nomatch-*'/><match tag='frontend'/></rule>");
    g_autoptr(TgGuestProfile) web = load_guest("web-01");
    g_autoptr(TgGuestProfile) app = load_guest("win-app-01");
    g_autoptr(TgGuestProfile) sql = load_guest("win-sql-02");
    g_autofree char *why = NULL;
    TgSettings s;

    (void)state;
    assert_string_equal(tg_policy_apply(p, web, &s, &why), "or");
    assert_string_equal(why, "rule 'or' matched: tag 'frontend'");
    g_clear_pointer(&why, g_free);
    /* win-app-01 lacks the tag; win-sql-02 has it but is explicit-frequency */
    assert_null(tg_policy_apply(p, app, &s, &why));
    assert_string_equal(why, "no rule matched; global settings");
    g_clear_pointer(&why, g_free);
    assert_null(tg_policy_apply(p, sql, &s, &why));
    g_clear_pointer(&why, g_free);
    /* flip the class and the sql guest is selected by all three */
    {
        g_autoptr(TgPolicy) p2 = inline_policy(
            "<rule name='and'><match name='win-*' class='explicit-frequency' tag='windows'/></rule>");
        assert_string_equal(tg_policy_apply(p2, sql, &s, &why), "and");
        assert_string_equal(why, "rule 'and' matched: name 'win-*' and tag 'windows' and "
                                 "class 'explicit-frequency'");
    }
}

static void
test_no_policy_and_no_rule(void **state)
{
    g_autoptr(TgGuestProfile) g = load_guest("db-02");
    g_autoptr(TgPolicy) p = inline_policy("<tolerance ppm='100'/>");
    g_autofree char *why = NULL;
    g_autofree char *why2 = NULL;
    TgSettings s, def;

    (void)state;
    tg_settings_init(&def);
    assert_null(tg_policy_apply(NULL, g, &s, &why));
    assert_string_equal(why, "no policy; default settings");
    assert_memory_equal(&s, &def, sizeof(s));
    assert_int_equal(tg_policy_mode(NULL), TG_MODE_ENFORCE);
    assert_false(tg_policy_fail_open(NULL));

    assert_null(tg_policy_apply(p, g, &s, &why2));
    assert_string_equal(why2, "no rule matched; global settings");
    assert_int_equal(s.tolerance_ppm, 100);
    assert_null(s.policy_rule);
    assert_int_equal(tg_policy_mode(p), TG_MODE_ENFORCE);
    assert_false(tg_policy_fail_open(p));
}

static void
test_globals(void **state)
{
    g_autoptr(TgPolicy) p = inline_policy(
        "<mode>audit</mode><failure>fail-open</failure><tolerance ppm='0'/>"
        "<unknown dest-scaling='allow' dest-frequency='warn' guest-frequency='warn' "
        "clock-sync='deny' tsc-stability='warn'/>"
        "<unsynchronized-clock>deny</unsynchronized-clock><unstable-tsc>warn</unstable-tsc>"
        "<lineage record='yes' hops='3'/><offline-migration>detect</offline-migration>"
        "<rule name='r'><match name='db-02'/><tolerance ppm='1000000'/>"
        "<offline-migration>gate</offline-migration><unplaced-restore>same-host</unplaced-restore>"
        "<unknown guest-frequency='allow' clock-sync='warn'/><lineage record='no'/>"
        "<unsynchronized-clock>warn</unsynchronized-clock></rule>");
    g_autoptr(TgGuestProfile) web = load_guest("web-01");
    g_autoptr(TgGuestProfile) db = load_guest("db-02");
    TgSettings s;

    (void)state;
    assert_int_equal(tg_policy_mode(p), TG_MODE_AUDIT);
    assert_string_equal(tg_mode_to_string(tg_policy_mode(p)), "audit");
    assert_true(tg_policy_fail_open(p));

    assert_null(tg_policy_apply(p, web, &s, NULL));
    assert_int_equal(s.tolerance_ppm, 0);
    assert_int_equal(s.unknown_dest_scaling, TG_UNKNOWN_ALLOW);
    assert_int_equal(s.unknown_dest_frequency, TG_UNKNOWN_WARN);
    assert_int_equal(s.unknown_guest_frequency, TG_UNKNOWN_WARN);
    assert_int_equal(s.unknown_clock_sync, TG_UNKNOWN_DENY);
    assert_int_equal(s.unknown_tsc_stability, TG_UNKNOWN_WARN);
    assert_true(s.offline_detect);
    assert_false(s.unplaced_restore_same_host);
    assert_true(s.deny_unsynchronized_clock);
    assert_false(s.deny_unstable_tsc);
    assert_true(s.record_lineage);
    assert_int_equal(s.hop_limit, 3);

    /* a rule overrides only what it names */
    assert_string_equal(tg_policy_apply(p, db, &s, NULL), "r");
    assert_int_equal(s.tolerance_ppm, 1000000);
    assert_int_equal(s.unknown_dest_scaling, TG_UNKNOWN_ALLOW);
    assert_int_equal(s.unknown_guest_frequency, TG_UNKNOWN_ALLOW);
    assert_int_equal(s.unknown_clock_sync, TG_UNKNOWN_WARN);
    assert_int_equal(s.unknown_tsc_stability, TG_UNKNOWN_WARN);
    assert_false(s.offline_detect);
    assert_true(s.unplaced_restore_same_host);
    assert_false(s.deny_unsynchronized_clock);
    assert_false(s.record_lineage);
    assert_int_equal(s.hop_limit, 3);
}

/* ------------------------------------------------------------------ */
/* Per-rule outcomes, decided by tg_decide.                            */

typedef struct {
    const char *policy;
    const char *guest;
    const char *dest;
    const char *rule;      /* expected matched rule or NULL */
    TgVerdict verdict;
    const char *code;
    const char *reason;    /* substring or NULL */
} OutcomeCase;

static const OutcomeCase outcome_cases[] = {
    /* force deny with the admin's message, even within tolerance */
    { "<rule name='latency-db'><match tag='db'/><deny>never moves</deny></rule>",
      "db-01", "hostb-2596-noscale", "latency-db", TG_VERDICT_DENY, "policy-force-deny",
      "policy rule 'latency-db' denies this guest on any host: never moves" },
    { "<rule name='latency-db'><match tag='db'/><deny/></rule>",
      "db-01", "hoste-2596-scale", "latency-db", TG_VERDICT_DENY, "policy-force-deny", NULL },
    /* require scaling */
    { "<rule name='scaled'><match name='db-01'/><require-scaling/></rule>",
      "db-01", "hostb-2596-noscale", "scaled", TG_VERDICT_DENY, "policy-require-scaling",
      "policy rule 'scaled' requires TSC scaling" },
    { "<rule name='scaled'><match name='db-01'/><require-scaling/></rule>",
      "db-01", "hoste-2596-scale", "scaled", TG_VERDICT_ALLOW, NULL, NULL },
    /* allow with warning: an allow becomes a warning, a deny stays a deny */
    { "<rule name='noisy'><match name='db-01'/><allow-with-warning/></rule>",
      "db-01", "hostb-2596-noscale", "noisy", TG_VERDICT_WARN, "policy-force-warn",
      "policy rule 'noisy' asks for a warning" },
    { "<rule name='noisy'><match name='db-01'/><allow-with-warning/></rule>",
      "db-01", "hostc-2100-noscale", "noisy", TG_VERDICT_DENY, NULL, NULL },
    /* treat-as: a tsc-sensitive guest of unknown rate, default deny ... */
    { "<rule name='other'><match name='nobody'/></rule>",
      "db-02", "hostc-2100-noscale", NULL, TG_VERDICT_DENY, "guest-frequency-unknown", NULL },
    /* ... tolerated as paravirt-clock: warn */
    { "<rule name='pv'><match name='db-02'/><treat-as>paravirt-clock</treat-as></rule>",
      "db-02", "hostc-2100-noscale", "pv", TG_VERDICT_WARN, NULL, NULL },
    /* a kvm-clock guest treated as tsc-sensitive: deny instead of warn */
    { "<rule name='other'><match name='nobody'/></rule>",
      "web-01", "hostc-2100-noscale", NULL, TG_VERDICT_WARN, NULL, NULL },
    { "<rule name='strict'><match tag='web'/><treat-as>tsc-sensitive</treat-as></rule>",
      "web-01", "hostc-2100-noscale", "strict", TG_VERDICT_DENY, "guest-frequency-unknown", NULL },
    /* per-rule tolerance: db-01 pins 2596120000 Hz, hostf runs at 2596110000
     * Hz (10000 Hz apart): 4 ppm of 2596110000 = 10384 Hz (inside),
     * 3 ppm = 7788 Hz (outside, no scaling) */
    { "<rule name='tight'><match name='db-01'/><tolerance ppm='4'/></rule>",
      "db-01", "hostf-2596110-noscale", "tight", TG_VERDICT_ALLOW, NULL, "+/-4 ppm" },
    { "<rule name='tight'><match name='db-01'/><tolerance ppm='3'/></rule>",
      "db-01", "hostf-2596110-noscale", "tight", TG_VERDICT_DENY, NULL, "+/-3 ppm" },
    /* per-rule unknown action for the guest frequency */
    { "<unknown guest-frequency='deny'/>"
      "<rule name='lenient'><match name='db-02'/><unknown guest-frequency='warn'/></rule>",
      "db-02", "hostc-2100-noscale", "lenient", TG_VERDICT_WARN, NULL, NULL },
    { "<unknown guest-frequency='deny'/>"
      "<rule name='lenient'><match name='db-02'/><unknown guest-frequency='allow'/></rule>",
      "db-02", "hostc-2100-noscale", "lenient", TG_VERDICT_ALLOW, NULL, NULL },
    /* unsynchronised destination clock: warn by default, deny on request */
    { "<rule name='other'><match name='nobody'/></rule>",
      "db-01", "hostg-2596-unsync", NULL, TG_VERDICT_WARN, NULL, NULL },
    { "<unsynchronized-clock>deny</unsynchronized-clock>",
      "db-01", "hostg-2596-unsync", NULL, TG_VERDICT_DENY, NULL, NULL },
};

static void
test_rule_outcomes(void **state)
{
    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(outcome_cases); i++) {
        const OutcomeCase *oc = &outcome_cases[i];
        g_autoptr(TgPolicy) p = inline_policy(oc->policy);
        g_autoptr(TgGuestProfile) g = load_guest(oc->guest);
        g_autoptr(TgHostFacts) dest = load_host(oc->dest);
        g_autoptr(TgDecision) d = NULL;
        TgSettings s;
        const char *rule = tg_policy_apply(p, g, &s, NULL);

        if (g_strcmp0(rule, oc->rule) != 0)
            fail_msg("case %zu: rule %s, expected %s", i, rule, oc->rule);
        d = tg_decide(g, NULL, dest, &s);
        if (d->verdict != oc->verdict || (oc->code && strcmp(d->code, oc->code) != 0) ||
            (oc->reason && !strstr(d->reason, oc->reason)))
            fail_msg("case %zu (%s -> %s): %s %s: %s", i, oc->guest, oc->dest,
                     tg_verdict_to_string(d->verdict), d->code, d->reason);
        assert_string_equal(d->policy_rule ? d->policy_rule : "(none)",
                            oc->rule ? oc->rule : "(none)");
    }
}

static void
test_lineage_adjustment(void **state)
{
    g_autoptr(TgPolicy) p = inline_policy(
        "<lineage hops='5'/><rule name='quiet'><match name='web-01'/><lineage record='no'/></rule>");
    g_autoptr(TgGuestProfile) db = load_guest("db-01");
    g_autoptr(TgGuestProfile) web = load_guest("web-01");
    g_autoptr(TgHostFacts) dest = load_host("hostb-2596-noscale");
    g_autoptr(TgDecision) d1 = NULL;
    g_autoptr(TgDecision) d2 = NULL;
    TgSettings s;

    (void)state;
    tg_policy_apply(p, db, &s, NULL);
    d1 = tg_decide(db, NULL, dest, &s);
    assert_int_equal(d1->verdict, TG_VERDICT_ALLOW);
    assert_int_equal(d1->adjustments->len, 1);
    assert_int_equal(g_array_index(d1->adjustments, TgAdjustment, 0).kind,
                     TG_ADJUST_RECORD_LINEAGE);
    assert_int_equal(g_array_index(d1->adjustments, TgAdjustment, 0).hop_limit, 5);

    tg_policy_apply(p, web, &s, NULL);
    d2 = tg_decide(web, NULL, dest, &s);
    assert_int_not_equal(d2->verdict, TG_VERDICT_DENY);
    assert_int_equal(d2->adjustments->len, 0);
}

/* ------------------------------------------------------------------ */
/* Inventory                                                           */

typedef struct {
    const char *policy;
    const char *dest;
    gsize n_candidates;
    const char *first_candidate;
    TgVerdict verdict;
    const char *code;
    const char *reason;
} InvCase;

static const InvCase inv_cases[] = {
    /* group, all within tolerance of the destination: allowed, hosts named */
    { "<inventory><host-group name='g'><host name='hosta' frequency='2596120000' scaling='no'/>"
      "<host name='hostf' frequency='2596110000'/></host-group></inventory>",
      "hostb-2596-noscale", 2, "hosta", TG_VERDICT_ALLOW, "inventory-compatible", "(hosta, hostf)" },
    /* one host outside the window, no scaling here: the unknown setting applies */
    { "<inventory><host-group name='g'><host name='hosta' frequency='2596120000'/>"
      "<host name='oldbox' frequency='2100000000'/></host-group></inventory>",
      "hostb-2596-noscale", 2, "hosta", TG_VERDICT_DENY, "guest-frequency-unknown", "oldbox" },
    /* ... and with unknown guest frequency set to warn */
    { "<unknown guest-frequency='warn'/><inventory><host-group name='g'>"
      "<host name='hosta' frequency='2596120000'/><host name='oldbox' frequency='2100000000'/>"
      "</host-group></inventory>",
      "hostb-2596-noscale", 2, "hosta", TG_VERDICT_WARN, "guest-frequency-unknown", NULL },
    /* a host of unknown frequency never counts as compatible */
    { "<inventory><host-group name='g'><host name='hosta' frequency='2596120000'/>"
      "<host name='mystery'/></host-group></inventory>",
      "hostb-2596-noscale", 2, "hosta", TG_VERDICT_DENY, "guest-frequency-unknown", "mystery" },
    /* directory of probe outputs (README is ignored; rack7-node3.xml has no
     * hostname fact and is named after its file) */
    { "<inventory><host-directory path='inventory/same'/></inventory>",
      "hostb-2596-noscale", 3, "hosta", TG_VERDICT_ALLOW, "inventory-compatible",
      "(hosta, hostf, rack7-node3)" },
    { "<inventory><host-group name='probed'><host-directory path='inventory/mixed'/>"
      "</host-group></inventory>",
      "hostb-2596-noscale", 2, "hosta", TG_VERDICT_DENY, "guest-frequency-unknown", "hostc" },
    /* a rule limits the guest to one group */
    { "<inventory><host-group name='gen9'><host-directory path='inventory/same'/></host-group>"
      "<host-group name='gen10'><host name='hostc' frequency='2100000000' scaling='yes'/>"
      "</host-group></inventory>"
      "<rule name='legacy'><match class='tsc-sensitive'/><from-host-groups>gen9</from-host-groups></rule>",
      "hostb-2596-noscale", 3, "hosta", TG_VERDICT_ALLOW, "inventory-compatible", NULL },
    /* scaling at the destination keeps any candidate's rate */
    { "<inventory><host-group name='g'><host name='hosta' frequency='2596120000'/>"
      "<host name='oldbox' frequency='2100000000'/></host-group></inventory>",
      "hostd-2100-scale", 2, "hosta", TG_VERDICT_ALLOW, NULL, NULL },
};

static void
test_inventory(void **state)
{
    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(inv_cases); i++) {
        const InvCase *ic = &inv_cases[i];
        g_autoptr(TgPolicy) p = inline_policy(ic->policy);
        /* batch-07: tsc-sensitive, no explicit frequency, no lineage */
        g_autoptr(TgGuestProfile) g = load_guest("batch-07");
        g_autoptr(TgHostFacts) dest = load_host(ic->dest);
        g_autoptr(TgDecision) d = NULL;
        TgSettings s;

        tg_policy_apply(p, g, &s, NULL);
        if (s.n_candidates != ic->n_candidates)
            fail_msg("case %zu: %zu candidates, expected %zu", i, s.n_candidates,
                     ic->n_candidates);
        assert_string_equal(s.candidates[0].name, ic->first_candidate);
        d = tg_decide(g, NULL, dest, &s);
        if (d->verdict != ic->verdict || (ic->code && strcmp(d->code, ic->code) != 0) ||
            (ic->reason && !strstr(d->reason, ic->reason)))
            fail_msg("case %zu: %s %s: %s", i, tg_verdict_to_string(d->verdict), d->code,
                     d->reason);
    }
}

static void
test_inventory_directory_facts(void **state)
{
    g_autoptr(TgPolicy) p = inline_policy(
        "<inventory><host-directory path='inventory/same'/>"
        "<host-group name='x'><host name='hostq' frequency='1000000000' scaling='yes'/></host-group>"
        "</inventory>"
        "<rule name='only-x'><match name='db-02'/><from-host-groups>x</from-host-groups></rule>");
    g_autoptr(TgGuestProfile) batch = load_guest("batch-07");
    g_autoptr(TgGuestProfile) db = load_guest("db-02");
    TgSettings s;

    (void)state;
    /* no restriction: every inventory host, in file order */
    tg_policy_apply(p, batch, &s, NULL);
    assert_int_equal(s.n_candidates, 4);
    assert_string_equal(s.candidates[0].name, "hosta");
    assert_int_equal(s.candidates[0].tsc_hz, 2596120000u);
    assert_int_equal(s.candidates[0].scaling, TG_TRI_NO);
    assert_string_equal(s.candidates[1].name, "hostf");
    assert_int_equal(s.candidates[1].tsc_hz, 2596110000u);
    assert_string_equal(s.candidates[2].name, "rack7-node3");
    assert_int_equal(s.candidates[2].tsc_hz, 2596130000u);
    assert_string_equal(s.candidates[3].name, "hostq");
    assert_int_equal(s.candidates[3].scaling, TG_TRI_YES);
    /* restricted */
    tg_policy_apply(p, db, &s, NULL);
    assert_int_equal(s.n_candidates, 1);
    assert_string_equal(s.candidates[0].name, "hostq");
}

/* ------------------------------------------------------------------ */
/* Examples                                                            */

typedef struct {
    const char *example;
    const char *guest;
    const char *dest;
    const char *rule;
    TgVerdict verdict;
    bool audit_allows;
} ExampleCase;

static const ExampleCase example_cases[] = {
    { "homogeneous-cluster.xml", "batch-07", "hostb-2596-noscale", NULL, TG_VERDICT_ALLOW, false },
    { "homogeneous-cluster.xml", "batch-07", "hostc-2100-noscale", NULL, TG_VERDICT_DENY, false },
    { "homogeneous-cluster.xml", "db-01", "hostb-2596-noscale", "latency-db", TG_VERDICT_DENY, false },
    { "homogeneous-cluster.xml", "web-01", "hostb-2596-noscale", NULL, TG_VERDICT_ALLOW, false },
    { "homogeneous-cluster.xml", "web-01", "hostg-2596-unsync", NULL, TG_VERDICT_DENY, false },
    { "two-frequency-classes.xml", "batch-07", "hostb-2596-noscale", "legacy-sensitive", TG_VERDICT_ALLOW, false },
    { "two-frequency-classes.xml", "batch-07", "hostc-2100-noscale", "legacy-sensitive", TG_VERDICT_DENY, false },
    { "two-frequency-classes.xml", "batch-07", "hostd-2100-scale", "legacy-sensitive", TG_VERDICT_ALLOW, false },
    { "two-frequency-classes.xml", "web-01", "hostb-2596-noscale", NULL, TG_VERDICT_WARN, false },
    { "two-frequency-classes.xml", "db-01", "hostc-2100-noscale", "pinned", TG_VERDICT_DENY, false },
    { "two-frequency-classes.xml", "db-01", "hostd-2100-scale", "pinned", TG_VERDICT_ALLOW, false },
    { "audit-rollout.xml", "db-02", "hostc-2100-noscale", NULL, TG_VERDICT_DENY, true },
    { "audit-rollout.xml", "batch-07", "hostc-2100-noscale", "batch", TG_VERDICT_WARN, false },
    { "audit-rollout.xml", "db-01", "hostg-2596-unsync", NULL, TG_VERDICT_DENY, true },
    { "windows-reenlightenment.xml", "win-sql-01", "hoste-2596-scale", "win-unpinned-reenlightenment", TG_VERDICT_DENY, false },
    { "windows-reenlightenment.xml", "win-sql-02", "hostb-2596-noscale", "win-sql-pinned", TG_VERDICT_ALLOW, false },
    { "windows-reenlightenment.xml", "win-sql-02", "hostf-2596110-noscale", "win-sql-pinned", TG_VERDICT_ALLOW, false },
    { "windows-reenlightenment.xml", "win-sql-02", "hostc-2100-noscale", "win-sql-pinned", TG_VERDICT_DENY, false },
    { "windows-reenlightenment.xml", "win-sql-02", "hostd-2100-scale", "win-sql-pinned", TG_VERDICT_ALLOW, false },
    { "windows-reenlightenment.xml", "win-app-01", "hostb-2596-noscale", "win-other", TG_VERDICT_WARN, false },
};

static void
test_examples(void **state)
{
    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(example_cases); i++) {
        const ExampleCase *ec = &example_cases[i];
        g_autofree char *rel = g_build_filename("xml/examples", ec->example, NULL);
        g_autofree char *path = src_path(rel);
        g_autoptr(GError) err = NULL;
        g_autoptr(GPtrArray) problems = NULL;
        g_autoptr(TgPolicy) p = tg_policy_load(path, NULL, &err);
        g_autoptr(TgGuestProfile) g = load_guest(ec->guest);
        g_autoptr(TgHostFacts) dest = load_host(ec->dest);
        g_autoptr(TgDecision) d = NULL;
        TgSettings s;
        const char *rule;

        if (!p)
            fail_msg("%s: %s", ec->example, err->message);
        assert_true(tg_policy_validate_file(path, &problems));
        assert_int_equal(problems->len, 0);
        rule = tg_policy_apply(p, g, &s, NULL);
        if (g_strcmp0(rule, ec->rule) != 0)
            fail_msg("case %zu %s %s: rule %s, expected %s", i, ec->example, ec->guest, rule,
                     ec->rule);
        d = tg_decide(g, NULL, dest, &s);
        if (d->verdict != ec->verdict)
            fail_msg("case %zu %s %s -> %s: %s %s: %s", i, ec->example, ec->guest, ec->dest,
                     tg_verdict_to_string(d->verdict), d->code, d->reason);
        /* audit mode lets exactly the denials through */
        assert_int_equal(d->verdict == TG_VERDICT_DENY && tg_policy_mode(p) == TG_MODE_AUDIT,
                         ec->audit_allows);
        if (d->verdict == TG_VERDICT_DENY && rule && d->rule == 0)
            assert_non_null(strstr(d->reason, rule));
    }
}

/* ------------------------------------------------------------------ */
/* Trust                                                               */

typedef struct {
    mode_t mode;
    int uid_delta;   /* expected owner = getuid() + delta */
    bool ok;
    const char *msg;
} TrustCase;

static const TrustCase trust_cases[] = {
    { 0644, 0, true, NULL },
    { 0640, 0, true, NULL },
    { 0600, 0, true, NULL },
    { 0444, 0, true, NULL },
    { 0666, 0, false, "writable by group and others" },
    { 0664, 0, false, "writable by group" },
    { 0646, 0, false, "writable by others" },
    { 0644, 1, false, NULL },
};

static void
test_trust(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-trust-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "policy.xml", NULL);
    g_autofree char *link = g_build_filename(dir, "link.xml", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.xml", NULL);
    uid_t me = getuid();

    (void)state;
    assert_non_null(dir);
    assert_true(g_file_set_contents(file, "<policy/>", -1, NULL));
    for (gsize i = 0; i < G_N_ELEMENTS(trust_cases); i++) {
        const TrustCase *tc = &trust_cases[i];
        g_autoptr(GError) err = NULL;
        uid_t want = me + (uid_t)tc->uid_delta;
        bool ok;

        assert_int_equal(chmod(file, tc->mode), 0);
        ok = tg_trust_check_path(file, want, &err);
        if (ok != tc->ok)
            fail_msg("mode %04o uid %u: %s", (unsigned)tc->mode, (unsigned)want,
                     err ? err->message : "accepted");
        if (!ok) {
            g_autofree char *full =
                tc->msg ? g_strdup_printf("%s: %s (owner uid %u, mode %04o)", file, tc->msg,
                                          (unsigned)me, (unsigned)tc->mode)
                        : g_strdup_printf("%s: owned by uid %u (mode %04o), must be owned "
                                          "by uid %u", file, (unsigned)me,
                                          (unsigned)tc->mode, (unsigned)want);
            assert_true(g_error_matches(err, TG_ERROR, TG_ERROR_PERMISSION));
            assert_non_null(strstr(err->message, full));
        }
    }

    /* symlink: the link must be ours and its target passes the same checks */
    assert_int_equal(symlink("policy.xml", link), 0);
    assert_int_equal(chmod(file, 0644), 0);
    assert_true(tg_trust_check_path(link, me, NULL));
    assert_int_equal(chmod(file, 0666), 0);
    {
        g_autoptr(GError) err = NULL;
        g_autofree char *want = g_strdup_printf("%s -> policy.xml: writable by group and "
                                                "others (owner uid %u, mode 0666)", link, me);
        g_autofree char *want_full = g_strdup_printf("%s; run chmod go-w", want);
        assert_false(tg_trust_check_path(link, me, &err));
        assert_string_equal(err->message, want_full);
    }
    {
        g_autoptr(GError) err = NULL;
        assert_false(tg_trust_check_path(link, me + 1, &err));
        assert_non_null(strstr(err->message, "symbolic link owned by uid"));
    }
    {
        g_autoptr(GError) err = NULL;
        assert_false(tg_trust_check_path(missing, me, &err));
        assert_true(g_error_matches(err, TG_ERROR, TG_ERROR_IO));
        assert_non_null(strstr(err->message, "missing.xml: No such file or directory"));
    }
    /* directories: the same rules */
    {
        g_autoptr(GError) err = NULL;
        assert_int_equal(chmod(dir, 0755), 0);
        assert_true(tg_trust_check_path(dir, me, NULL));
        assert_int_equal(chmod(dir, 0777), 0);
        assert_false(tg_trust_check_path(dir, me, &err));
        assert_non_null(strstr(err->message, "mode 0777"));
        assert_int_equal(chmod(dir, 0700), 0);
    }
    unlink(link);
    unlink(file);
    rmdir(dir);
}

/* ------------------------------------------------------------------ */
/* CLI                                                                 */

typedef struct {
    const char *argv[10];  /* "$F" = fixture prefix, "$E" = examples prefix */
    int status;
    const char *out;       /* substring of stdout, or NULL */
    const char *err;       /* substring of stderr, or NULL */
    int err_lines;         /* expected stderr line count, -1 = any */
} CliCase;

static const CliCase cli_cases[] = {
    { { "policy", "validate", "$E/homogeneous-cluster.xml" }, 0, "homogeneous-cluster.xml: valid\n", NULL, 0 },
    { { "policy", "validate", "$F/bad/many-errors.xml" }, 1, NULL, "many-errors.xml:10: duplicate rule name 'a'", 5 },
    { { "policy", "validate", "$F/bad/version-2.xml" }, 1, NULL, "<policy> version '2' is newer than this tscgate understands (major version 1); upgrade tscgate", 1 },
    { { "policy", "validate", "$F/bad/missing.xml" }, 2, NULL, "missing.xml", 1 },
    { { "policy", "validate" }, 2, NULL, "expected exactly one FILE", -1 },
    { { "policy", "validate", "a.xml", "b.xml" }, 2, NULL, "expected exactly one FILE", -1 },
    { { "policy", "validate", "--bogus", "a.xml" }, 2, NULL, "Unknown option --bogus", -1 },
    { { "policy", "validate", "--help" }, 0, "tscgate policy validate", NULL, 0 },
    { { "policy" }, 2, NULL, "Usage: tscgate policy validate FILE", -1 },
    { { "policy", "--help" }, 0, "Usage: tscgate policy validate FILE", NULL, 0 },
    { { "policy", "frobnicate" }, 2, NULL, "unknown subcommand 'frobnicate'", -1 },
    { { "policy", "explain", "--help" }, 0, "--domain", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml" }, 2, NULL, "expected one FILE and --domain", -1 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/db-01.xml" }, 0,
      "settings: tolerance 250 ppm", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/db-01.xml" }, 0,
      "tags: db\nno verdict: give --dest FACTS.xml to decide a migration there\n", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/db-01.xml" }, 0,
      "\n  policy rule      latency-db\n  policy why       rule 'latency-db' matched: tag 'db'\n",
      NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/db-01.xml",
        "--dest", "$F/hosts/hostb-2596-noscale.xml" }, 1,
      "\ndeny: policy rule 'latency-db' denies", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/db-01.xml",
        "--dest", "$F/hosts/hostb-2596-noscale.xml" }, 1,
      "\n  reason code      policy-force-deny\n", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/batch-07.xml",
        "--dest", "$F/hosts/hostb-2596-noscale.xml", "--source", "$F/hosts/hostb-2596-noscale.xml" }, 0,
      "\nsettings: tolerance 250 ppm; unknown: "
      "dest-scaling deny, dest-frequency deny, guest-frequency deny; unsynchronized-clock "
      "deny; unstable-tsc deny; lineage record yes, 16 hops; inventory 3 hosts: hosta "
      "(2596.120 MHz, scaling no), hostb (2596.120 MHz, scaling no), hostf (2596.110 MHz, "
      "scaling no)\n", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/batch-07.xml",
        "--dest", "$F/hosts/hostb-2596-noscale.xml", "--source", "$F/hosts/hostb-2596-noscale.xml" }, 0,
      "\n  policy why       no rule matched; global settings\n", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/batch-07.xml",
        "--dest", "$F/hosts/hostb-2596-noscale.xml", "--source", "$F/hosts/hostb-2596-noscale.xml" }, 0,
      "\n  source host      hostb\n", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/web-01.xml",
        "--dest", "$F/hosts/hostb-2596-noscale.xml" }, 0,
      "\nallow: guest TSC unknown but every inventory host", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/web-01.xml",
        "--dest", "$F/hosts/hostb-2596-noscale.xml" }, 0,
      "\n  destination TSC  2596120000 Hz (2596.120 MHz)\n", NULL, 0 },
    { { "policy", "explain", "$E/homogeneous-cluster.xml", "--domain", "$F/guests/web-01.xml",
        "--dest", "$F/hosts/hostb-2596-noscale.xml" }, 0,
      "\n  destination      hostb\n", NULL, 0 },
    { { "policy", "explain", "$E/audit-rollout.xml", "--domain", "$F/guests/db-02.xml",
        "--dest", "$F/hosts/hostc-2100-noscale.xml" }, 0,
      "\n  reason code      guest-frequency-unknown\n", NULL, 0 },
    { { "policy", "explain", "$E/audit-rollout.xml", "--domain", "$F/guests/db-02.xml",
        "--dest", "$F/hosts/hostc-2100-noscale.xml" }, 0,
      "\ndeny (audit mode: allowed): guest TSC frequency unknown", NULL, 0 },
    { { "policy", "explain", "$F/bad/duplicate-rule.xml", "--domain", "$F/guests/db-01.xml" }, 2,
      NULL, "duplicate rule name 'db'", 1 },
    { { "policy", "explain", "$E/audit-rollout.xml", "--domain", "$F/bad/not-xml.xml" }, 2,
      NULL, "not-xml.xml:", 1 },
    { { "policy", "explain", "$E/audit-rollout.xml", "--domain", "$F/guests/db-01.xml",
        "--dest", "$F/guests/db-01.xml" }, 2, NULL, "db-01.xml", 1 },
};

static int
count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        if (*s == '\n')
            n++;
    return n;
}

static void
test_cli(void **state)
{
    g_autofree char *fx = fixture("");
    g_autofree char *ex = src_path("xml/examples");

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(cli_cases); i++) {
        const CliCase *cc = &cli_cases[i];
        g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
        char *obuf = NULL, *ebuf = NULL;
        size_t olen = 0, elen = 0;
        FILE *out = open_memstream(&obuf, &olen);
        FILE *err = open_memstream(&ebuf, &elen);
        int rc;

        for (int k = 0; cc->argv[k]; k++) {
            const char *a = cc->argv[k];
            if (g_str_has_prefix(a, "$F/"))
                g_ptr_array_add(args, g_build_filename(fx, a + 3, NULL));
            else if (g_str_has_prefix(a, "$E/"))
                g_ptr_array_add(args, g_build_filename(ex, a + 3, NULL));
            else
                g_ptr_array_add(args, g_strdup(a));
        }
        g_ptr_array_add(args, NULL);
        rc = tg_cli_policy_run((int)args->len - 1, (char **)args->pdata, out, err);
        fclose(out);
        fclose(err);
        if (rc != cc->status || (cc->out && !strstr(obuf, cc->out)) ||
            (cc->err && !strstr(ebuf, cc->err)) ||
            (cc->err_lines >= 0 && count_lines(ebuf) != cc->err_lines)) {
            char msg[4096];
            g_snprintf(msg, sizeof(msg), "cli case %zu: status %d (want %d), stdout wants "
                       "'%s', stderr wants '%s'\nstdout:\n%s\nstderr:\n%s", i, rc, cc->status,
                       cc->out ? cc->out : "", cc->err ? cc->err : "", obuf, ebuf);
            free(obuf);
            free(ebuf);
            fail_msg("%s", msg);
        }
        free(obuf);
        free(ebuf);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_policies),
        cmocka_unit_test(test_many_errors_listed_in_line_order),
        cmocka_unit_test(test_unreadable_file),
        cmocka_unit_test(test_embedded_schema),
        cmocka_unit_test(test_selection_first_match),
        cmocka_unit_test(test_selection_and_or),
        cmocka_unit_test(test_no_policy_and_no_rule),
        cmocka_unit_test(test_globals),
        cmocka_unit_test(test_rule_outcomes),
        cmocka_unit_test(test_lineage_adjustment),
        cmocka_unit_test(test_inventory),
        cmocka_unit_test(test_inventory_directory_facts),
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_trust),
        cmocka_unit_test(test_cli),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
