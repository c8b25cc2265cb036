/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of host facts parsing/formatting (src/lib/tg-hostfacts.c)
 * and of the schema xml/hostfacts.rng. */
#include <config.h>

#include "parse-test.h"
#include "tg-hostfacts.h"
#include "tg-xml.h"
#include "tg-file.h"

#include <libxml/relaxng.h>

#define COUNTER_SOURCE "capabilities XML <counter name='tsc'>"
#define NO_COUNTER_REASON                                                       \
    "no <counter name='tsc'> in capabilities: host CPU lacks invtsc or libvirt " \
    "could not probe it"

/* ---- every field, from the library's one list, to compare whole objects ---- */

typedef TgHostFactField Field;

/* The library's field list (static); *n its length. */
static const Field *
all_fields(gsize *n)
{
    return tg_host_facts_fields(n);
}

/* The list covers the whole struct: 24 facts, nothing else. */
G_STATIC_ASSERT(sizeof(TgHostFacts) ==
                9 * sizeof(TgStrFact) + 7 * sizeof(TgU64Fact) + 8 * sizeof(TgBoolFact));

static void *
fptr(const TgHostFacts *f, const Field *d)
{
    return (char *)f + d->offset;
}

/* "known|source|value" or "unknown|reason" (g_free). */
static char *
describe(const TgHostFacts *f, const Field *d)
{
    const TgFactNote *n = fptr(f, d);

    if (!n->known)
        return g_strdup_printf("unknown|%s", n->reason ? n->reason : "(null)");
    switch (d->kind) {
    case TG_FACT_STR: {
        const TgStrFact *s = fptr(f, d);
        return g_strdup_printf("known|%s|%s", n->source ? n->source : "(null)",
                               s->value ? s->value : "(unset)");
    }
    case TG_FACT_U64:
        return g_strdup_printf("known|%s|%" G_GUINT64_FORMAT, n->source ? n->source : "(null)",
                               ((const TgU64Fact *)fptr(f, d))->value);
    case TG_FACT_BOOL:
    default:
        return g_strdup_printf("known|%s|%s", n->source ? n->source : "(null)",
                               ((const TgBoolFact *)fptr(f, d))->value ? "yes" : "no");
    }
}

static void
assert_facts_equal(const TgHostFacts *a, const TgHostFacts *b)
{
    gsize n;
    const Field *fields = all_fields(&n);

    for (gsize i = 0; i < n; i++) {
        g_autofree char *da = describe(a, &fields[i]);
        g_autofree char *db = describe(b, &fields[i]);

        if (strcmp(da, db) != 0)
            fail_msg("field %s differs:\n  %s\n  %s", fields[i].member, da, db);
    }
}

static const Field *
field(const char *name)
{
    const Field *d = tg_host_facts_field(name);

    if (!d)
        fail_msg("no field %s", name);
    return d;
}

static void
assert_field(const TgHostFacts *f, const char *name, const char *expected)
{
    g_autofree char *got = describe(f, field(name));

    if (strcmp(got, expected) != 0)
        fail_msg("field %s:\n  got:      %s\n  expected: %s", name, got, expected);
}

/* ---- parsing capabilities and probe output ---- */

typedef struct {
    const char *field;
    const char *expected;
} FieldExpect;

typedef struct {
    const char *fixture;      /* also the test's name */
    bool ok;
    int code;
    const char *message;      /* exact, or prefix when `prefix` */
    bool prefix;
    FieldExpect expect[6];
} CapsCase;

static const CapsCase caps_cases[] = {
    { .fixture = "caps-intel-noscaling.xml", .ok = true, .expect = {
        { "cpu_vendor", "known|capabilities XML <cpu><vendor>|Intel" },
        { "tsc_hz", "known|" COUNTER_SOURCE "|2095078000" },
        { "tsc_scaling", "known|" COUNTER_SOURCE "|no" },
        { "hostname", "unknown|not in capabilities XML" },
        { "constant_tsc", "unknown|not in capabilities XML" } } },
    { .fixture = "caps-amd-scaling.xml", .ok = true, .expect = {
        { "cpu_vendor", "known|capabilities XML <cpu><vendor>|AMD" },
        { "tsc_hz", "known|" COUNTER_SOURCE "|2994374000" },
        { "tsc_scaling", "known|" COUNTER_SOURCE "|yes" } } },
    { .fixture = "caps-amd-real.xml", .ok = true, .expect = {
        { "cpu_vendor", "known|capabilities XML <cpu><vendor>|AMD" },
        { "tsc_hz", "known|" COUNTER_SOURCE "|2596138000" },
        { "tsc_scaling", "known|" COUNTER_SOURCE "|no" } } },
    { .fixture = "caps-no-counter.xml", .ok = true, .expect = {
        { "cpu_vendor", "known|capabilities XML <cpu><vendor>|AMD" },
        { "tsc_hz", "unknown|" NO_COUNTER_REASON },
        { "tsc_scaling", "unknown|no <counter name='tsc'> in capabilities" } } },
    { .fixture = "caps-counter-no-scaling.xml", .ok = true, .expect = {
        { "tsc_hz", "known|" COUNTER_SOURCE "|2596138000" },
        { "tsc_scaling", "unknown|<counter name='tsc'> has no scaling attribute: libvirt could "
                         "not tell whether the host can scale the TSC" } } },
    { .fixture = "probe-hosta.xml", .ok = true, .expect = {
        { "cpu_vendor", "known|/proc/cpuinfo vendor_id|GenuineIntel" },
        { "tsc_hz", "known|KVM_GET_TSC_KHZ ioctl on /dev/kvm|2596120000" },
        { "tsc_scaling", "known|KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) on /dev/kvm|no" },
        { "max_cstate", "known|/proc/cmdline|(unset)" },
        { "cpufreq_min_khz", "unknown|/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_min_freq: "
                             "No such file or directory" },
        { "clock_max_error_us", "known|adjtimex(2)|56000" } } },
    /* real `tscgate probe` output of this (AMD, no scaling) host */
    { .fixture = "probe-real-amd.xml", .ok = true, .expect = {
        { "cpu_vendor", "known|/proc/cpuinfo vendor_id|AuthenticAMD" },
        { "tsc_hz", "known|KVM_GET_TSC_KHZ on /dev/kvm|2596138000" },
        { "tsc_scaling", "known|KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) on /dev/kvm|no" },
        { "max_cstate", "known|/proc/cmdline (processor.max_cstate not set)|(unset)" },
        { "clock_synchronized", "known|adjtimex(2): TIME_ERROR|no" } } },
    { .fixture = "probe-minor-newer.xml", .ok = true, .expect = {
        { "tsc_hz", "known|KVM_GET_TSC_KHZ ioctl on /dev/kvm|2596120000" },
        { "hostname", "known|uname(2)|hosta" } } },
    /* the libvirt counter wins when it disagrees with tscgate's facts */
    { .fixture = "probe-counter-disagree.xml", .ok = true, .expect = {
        { "tsc_hz", "known|" COUNTER_SOURCE "|2596138000" },
        { "tsc_scaling", "known|" COUNTER_SOURCE "|yes" },
        { "hostname", "known|uname(2)|hosta" } } },
    { .fixture = "probe-no-kvm.xml", .ok = true, .expect = {
        { "tsc_hz", "unknown|/dev/kvm: No such file or directory" },
        { "tsc_scaling", "unknown|/dev/kvm: No such file or directory" },
        { "cpu_vendor", "known|/proc/cpuinfo vendor_id|GenuineIntel" } } },

    { .fixture = "caps-bad-freq-abc.xml", .code = TG_ERROR_INVALID,
      .message = "caps-bad-freq-abc.xml:11: <counter> attribute frequency='abc' is not an unsigned integer" },
    { .fixture = "caps-bad-freq-overflow.xml", .code = TG_ERROR_INVALID,
      .message = "caps-bad-freq-overflow.xml:11: <counter> attribute frequency='99999999999999999999' is out "
      "of range (1..18446744073709551615)" },
    { .fixture = "caps-bad-freq-empty.xml", .code = TG_ERROR_INVALID,
      .message = "caps-bad-freq-empty.xml:11: <counter> attribute frequency='' is not an unsigned integer" },
    { .fixture = "caps-bad-freq-zero.xml", .code = TG_ERROR_INVALID,
      .message = "caps-bad-freq-zero.xml:11: <counter> attribute frequency='0' is out of range (1..18446744073709551615)" },
    { .fixture = "caps-bad-no-frequency.xml", .code = TG_ERROR_INVALID,
      .message = "caps-bad-no-frequency.xml:11: <counter> has no frequency attribute" },
    { .fixture = "caps-bad-scaling.xml", .code = TG_ERROR_INVALID,
      .message = "caps-bad-scaling.xml:11: <counter> attribute scaling='maybe' is not one of: yes, no" },
    { .fixture = "caps-bad-not-xml.xml", .code = TG_ERROR_PARSE,
      .message = "caps-bad-not-xml.xml:12: not well-formed XML: ", .prefix = true },
    { .fixture = "caps-bad-doctype.xml", .code = TG_ERROR_INVALID,
      .message = "caps-bad-doctype.xml:2: DOCTYPE declarations are not accepted" },
    { .fixture = "caps-bad-no-host.xml", .code = TG_ERROR_INVALID,
      .message = "caps-bad-no-host.xml:1: <capabilities> has no <host> element" },
    { .fixture = "dom-linux-kvmclock.xml", .code = TG_ERROR_INVALID,
      .message = "dom-linux-kvmclock.xml:1: root element is <domain>, expected <capabilities> "
      "(`virsh capabilities` or `tscgate probe` output)" },
    { .fixture = "probe-bad-newer.xml", .code = TG_ERROR_UNSUPPORTED,
      .message = "probe-bad-newer.xml:7: <tscgate:facts> version '2.0' is newer than this tscgate "
      "understands (major version 1); upgrade tscgate" },
    { .fixture = "probe-bad-no-version.xml", .code = TG_ERROR_INVALID,
      .message = "probe-bad-no-version.xml:7: <tscgate:facts> has no version attribute" },
    { .fixture = "probe-bad-known.xml", .code = TG_ERROR_INVALID,
      .message = "probe-bad-known.xml:14: <tscgate:nonstop-tsc> attribute known='maybe' is not one of: "
      "yes, no" },
    { .fixture = "probe-bad-bool.xml", .code = TG_ERROR_INVALID,
      .message = "probe-bad-bool.xml:13: <tscgate:constant-tsc> 'true' is not one of: yes, no" },
    { .fixture = "probe-bad-u64.xml", .code = TG_ERROR_INVALID,
      .message = "probe-bad-u64.xml:12: <tscgate:kvm-tsc-tolerance-ppm> '-250' is not an unsigned "
      "integer" },
};

static void
test_parse(void **state)
{
    const CapsCase *c = *state;
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(TgHostFacts) f = NULL;
    gsize len;

    buf = pt_read_fixture(c->fixture, &len);
    f = tg_host_facts_parse_xml(buf, len, c->fixture, &err);
    if (!c->ok) {
        assert_null(f);
        if (c->prefix) {
            assert_non_null(err);
            assert_int_equal(err->code, c->code);
            if (!g_str_has_prefix(err->message, c->message))
                fail_msg("got '%s', expected prefix '%s'", err->message, c->message);
        } else {
            pt_assert_error(err, c->code, c->message);
        }
        return;
    }
    if (!f)
        fail_msg("%s: %s", c->fixture, err->message);
    for (gsize j = 0; j < G_N_ELEMENTS(c->expect) && c->expect[j].field; j++)
        assert_field(f, c->expect[j].field, c->expect[j].expected);
}

/* Every field of the full probe fixture. */
static void
test_parse_probe_full(void **state)
{
    static const FieldExpect all[] = {
        { "hostname", "known|uname(2)|hosta" },
        { "cpu_vendor", "known|/proc/cpuinfo vendor_id|GenuineIntel" },
        { "tsc_hz", "known|KVM_GET_TSC_KHZ ioctl on /dev/kvm|2596120000" },
        { "tsc_scaling", "known|KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) on /dev/kvm|no" },
        { "kvm_tolerance_ppm", "known|/sys/module/kvm/parameters/tsc_tolerance_ppm|250" },
        { "constant_tsc", "known|/proc/cpuinfo flags|yes" },
        { "nonstop_tsc", "known|/proc/cpuinfo flags|yes" },
        { "tsc_known_freq", "known|/proc/cpuinfo flags|no" },
        { "cpu_tsc_scaling_flag", "known|/proc/cpuinfo vmx flags|no" },
        { "clocksource_current",
          "known|/sys/devices/system/clocksource/clocksource0/current_clocksource|tsc" },
        { "clocksource_available",
          "known|/sys/devices/system/clocksource/clocksource0/available_clocksource|"
          "tsc hpet acpi_pm" },
        { "tsc_unstable", "known|current clocksource and /proc/cmdline|no" },
        { "max_cstate", "known|/proc/cmdline|(unset)" },
        /* written by newer probes only: absent here */
        { "intel_idle_max_cstate", "unknown|not in the tscgate facts" },
        { "cpufreq_min_khz", "unknown|/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_min_freq: "
                             "No such file or directory" },
        { "cpufreq_max_khz", "unknown|/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq: "
                             "No such file or directory" },
        { "clock_synchronized", "known|adjtimex(2)|yes" },
        { "clock_est_error_us", "known|adjtimex(2)|1234" },
        { "clock_max_error_us", "known|adjtimex(2)|56000" },
        /* facts added later: a file from an older probe leaves them unknown */
        { "cpufreq_pinned", "unknown|not in the tscgate facts" },
        { "cpufreq_highest_khz", "unknown|not in the tscgate facts" },
        { "tscgate_version", "unknown|not in the tscgate facts" },
        { "policy_digest", "unknown|not in the tscgate facts" },
        { "published_at", "unknown|not in the tscgate facts" },
    };
    g_autofree char *path = pt_fixture_path("probe-hosta.xml");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgHostFacts) f = tg_host_facts_load(path, &err);

    gsize n;

    all_fields(&n);
    assert_int_equal(G_N_ELEMENTS(all), n);
    assert_non_null(f);
    for (gsize i = 0; i < G_N_ELEMENTS(all); i++)
        assert_field(f, all[i].field, all[i].expected);
    assert_int_equal(tg_host_facts_tsc_invariant(f), TG_TRI_YES);
}

static void
test_load_missing(void **state)
{
    g_autoptr(GError) err = NULL;

    assert_null(tg_host_facts_load("/nonexistent/tscgate/host.xml", &err));
    pt_assert_error(err, TG_ERROR_IO, "/nonexistent/tscgate/host.xml: No such file or directory");
}

/* ---- RelaxNG ---- */

static void
rng_silent(void *ctx, xmlErrorPtr e)
{
}

static xmlRelaxNGPtr
load_schema(void)
{
    g_autofree char *path = pt_srcdir_path("xml/hostfacts.rng");
    xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr schema;

    assert_non_null(pctxt);
    schema = xmlRelaxNGParse(pctxt);
    xmlRelaxNGFreeParserCtxt(pctxt);
    if (!schema)
        fail_msg("%s does not compile", path);
    return schema;
}

/* 0 = valid */
static int
rng_validate(xmlRelaxNGPtr schema, const char *buf, gsize len)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = tg_xml_parse(buf, len, "doc.xml", &err);
    xmlRelaxNGValidCtxtPtr v;
    int r;

    if (!doc)
        fail_msg("not XML: %s", err->message);
    v = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(v, rng_silent, NULL);
    r = xmlRelaxNGValidateDoc(v, doc);
    xmlRelaxNGFreeValidCtxt(v);
    return r;
}

typedef struct {
    const char *fixture;
    bool valid;
} RngCase;

static const RngCase rng_cases[] = {
    { "caps-amd-real.xml", true },        /* real `virsh capabilities` */
    { "caps-intel-noscaling.xml", true },
    { "caps-amd-scaling.xml", true },
    { "caps-no-counter.xml", true },
    { "caps-counter-no-scaling.xml", true },
    { "probe-hosta.xml", true },
    { "probe-real-amd.xml", true },
    { "probe-no-kvm.xml", true },
    { "probe-counter-disagree.xml", true },
    { "caps-bad-freq-abc.xml", false },
    { "caps-bad-freq-overflow.xml", false },
    { "caps-bad-freq-empty.xml", false },
    { "caps-bad-freq-zero.xml", false },
    { "caps-bad-no-frequency.xml", false },
    { "caps-bad-scaling.xml", false },
    { "caps-bad-no-host.xml", false },
    { "dom-linux-kvmclock.xml", false },
    { "probe-bad-newer.xml", false },
    { "probe-bad-no-version.xml", false },
    { "probe-bad-known.xml", false },
    { "probe-bad-bool.xml", false },
    { "probe-bad-u64.xml", false },
    { "probe-minor-newer.xml", false }, /* unknown element: the 1.0 schema is strict */
};

static void
test_rng_fixtures(void **state)
{
    const RngCase *c = *state;
    xmlRelaxNGPtr schema = load_schema();
    g_autofree char *buf = NULL;
    gsize len;
    int r;

    buf = pt_read_fixture(c->fixture, &len);
    r = rng_validate(schema, buf, len);
    if ((r == 0) != c->valid)
        fail_msg("%s: expected %s by hostfacts.rng, got %d", c->fixture,
                 c->valid ? "valid" : "invalid", r);
    xmlRelaxNGFree(schema);
}

/* ---- round trip ---- */

static TgHostFacts *
facts_all_known(void)
{
    TgHostFacts *f = tg_host_facts_new();

    tg_str_fact_set(&f->hostname, "h\xc3\xb4te-\xc3\xa4 a&b<c>'\"", "uname(2)");
    tg_str_fact_set(&f->cpu_vendor, "AuthenticAMD", "/proc/cpuinfo vendor_id");
    tg_u64_fact_set(&f->tsc_hz, G_MAXUINT64, "KVM_GET_TSC_KHZ on /dev/kvm");
    tg_bool_fact_set(&f->tsc_scaling, true, "KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL)");
    tg_u64_fact_set(&f->kvm_tolerance_ppm, 0, "/sys/module/kvm/parameters/tsc_tolerance_ppm");
    tg_bool_fact_set(&f->constant_tsc, true, "flags");
    tg_bool_fact_set(&f->nonstop_tsc, false, "flags");
    tg_bool_fact_set(&f->tsc_known_freq, true, NULL); /* no source */
    tg_bool_fact_set(&f->cpu_tsc_scaling_flag, true, "flags: tsc_scale");
    tg_str_fact_set(&f->clocksource_current, "  tsc\t\r\n", "sysfs\nwith newline");
    tg_str_fact_set(&f->clocksource_available, "", "sysfs (empty)");
    tg_bool_fact_set(&f->tsc_unstable, false, "cmdline");
    tg_str_fact_set(&f->max_cstate, "1", "/proc/cmdline");
    tg_u64_fact_set(&f->cpufreq_min_khz, 400000, "cpufreq");
    tg_u64_fact_set(&f->cpufreq_max_khz, 3500000, "cpufreq");
    tg_bool_fact_set(&f->clock_synchronized, false, "adjtimex(2)");
    tg_u64_fact_set(&f->clock_est_error_us, 1, "adjtimex(2)");
    tg_u64_fact_set(&f->clock_max_error_us, 16000000, "adjtimex(2)");
    tg_bool_fact_set(&f->cpufreq_pinned, false,
                     "cpu2: governor ondemand, scaling_min_freq 1000000 kHz, scaling_max_freq "
                     "2600000 kHz, highest available 2600000 kHz");
    tg_u64_fact_set(&f->cpufreq_highest_khz, 2600000, "cpu2 scaling_available_frequencies");
    tg_str_fact_set(&f->tscgate_version, "1.2.3", "tscgate probe --publish");
    tg_str_fact_set(&f->policy_digest, "none", "/etc/tscgate/policy.xml absent");
    tg_str_fact_set(&f->published_at, "2026-12-01T09:00:00Z", "tscgate probe --publish");
    return f;
}

static TgHostFacts *
facts_all_unknown(void)
{
    TgHostFacts *f = tg_host_facts_new();
    gsize n;
    const Field *fields = all_fields(&n);

    for (gsize i = 0; i < n; i++) {
        if (i % 3 == 0)
            continue; /* no reason at all */
        tg_fact_set_unknown(fptr(f, &fields[i]), "reason %zu: can't <read> & \"fail\"", i);
    }
    return f;
}

static TgHostFacts *
facts_mixed(void)
{
    TgHostFacts *f = tg_host_facts_new();

    /* frequency unknown, scaling known: no <counter>, facts carry both */
    tg_fact_set_unknown(&f->tsc_hz.note, "KVM_GET_TSC_KHZ: Inappropriate ioctl for device");
    tg_bool_fact_set(&f->tsc_scaling, false, "KVM_CHECK_EXTENSION");
    tg_str_fact_set(&f->max_cstate, NULL, "/proc/cmdline"); /* known: not set */
    tg_str_fact_set(&f->hostname, "hostb", "uname(2)");
    tg_str_fact_set(&f->cpu_vendor, "GenuineIntel", "/proc/cpuinfo vendor_id");
    tg_bool_fact_set(&f->constant_tsc, true, "flags");
    return f;
}

static TgHostFacts *
facts_counter_no_scaling(void)
{
    TgHostFacts *f = tg_host_facts_new();

    tg_u64_fact_set(&f->tsc_hz, 2596120000u, "KVM_GET_TSC_KHZ");
    tg_fact_set_unknown(&f->tsc_scaling.note, "KVM_CHECK_EXTENSION failed");
    return f;
}

static TgHostFacts *
facts_zero_hz(void)
{
    TgHostFacts *f = tg_host_facts_new();

    tg_u64_fact_set(&f->tsc_hz, 0, "KVM_GET_TSC_KHZ returned 0");
    tg_bool_fact_set(&f->tsc_scaling, true, "x");
    return f;
}

typedef struct {
    const char *what;
    TgHostFacts *(*make)(void);
    bool has_counter;
} RoundTripCase;

static const RoundTripCase rt_cases[] = {
    { "all known", facts_all_known, true },
    { "all unknown", facts_all_unknown, false },
    { "fresh object", tg_host_facts_new, false },
    { "mixed", facts_mixed, false },
    { "counter without scaling", facts_counter_no_scaling, true },
    { "zero frequency", facts_zero_hz, false },
};

static void
test_round_trip(void **state)
{
    xmlRelaxNGPtr schema = load_schema();

    for (gsize i = 0; i < G_N_ELEMENTS(rt_cases); i++) {
        g_autoptr(TgHostFacts) f = rt_cases[i].make();
        g_autoptr(TgHostFacts) back = NULL;
        g_autoptr(TgHostFacts) copy = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree char *xml = tg_host_facts_format_xml(f);
        g_autofree char *xml2 = NULL;

        print_message("round trip: %s\n", rt_cases[i].what);
        assert_non_null(xml);
        assert_int_equal(strstr(xml, "<counter name='tsc'") != NULL, rt_cases[i].has_counter);
        if (rng_validate(schema, xml, strlen(xml)) != 0)
            fail_msg("%s: output does not validate:\n%s", rt_cases[i].what, xml);
        back = tg_host_facts_parse_xml(xml, strlen(xml), "probe.xml", &err);
        if (!back)
            fail_msg("%s: %s\n%s", rt_cases[i].what, err->message, xml);
        assert_facts_equal(f, back);
        xml2 = tg_host_facts_format_xml(back);
        assert_string_equal(xml, xml2);

        copy = tg_host_facts_copy(f);
        assert_facts_equal(f, copy);
        if (f->hostname.value)
            assert_ptr_not_equal(f->hostname.value, copy->hostname.value);
    }
    xmlRelaxNGFree(schema);
}

/* Exact output for a small object (documents the format). */
static void
test_format_exact(void **state)
{
    g_autoptr(TgHostFacts) f = facts_mixed();
    g_autofree char *xml = NULL;

    tg_u64_fact_set(&f->tsc_hz, 2596120000u, "KVM_GET_TSC_KHZ ioctl on /dev/kvm");
    xml = tg_host_facts_format_xml(f);
    assert_string_equal(xml,
        "<capabilities>\n"
        "  <host>\n"
        "    <cpu>\n"
        "      <vendor>Intel</vendor>\n"
        "      <counter name='tsc' frequency='2596120000' scaling='no'/>\n"
        "    </cpu>\n"
        "    <tscgate:facts xmlns:tscgate='urn:tscgate:hostfacts:1' version='1'>\n"
        "      <tscgate:hostname known='yes' source='uname(2)'>hostb</tscgate:hostname>\n"
        "      <tscgate:cpu-vendor known='yes' source='/proc/cpuinfo vendor_id'>GenuineIntel</tscgate:cpu-vendor>\n"
        "      <tscgate:tsc-frequency known='yes' source='KVM_GET_TSC_KHZ ioctl on /dev/kvm'>2596120000</tscgate:tsc-frequency>\n"
        "      <tscgate:tsc-scaling known='yes' source='KVM_CHECK_EXTENSION'>no</tscgate:tsc-scaling>\n"
        "      <tscgate:kvm-tsc-tolerance-ppm known='no'/>\n"
        "      <tscgate:constant-tsc known='yes' source='flags'>yes</tscgate:constant-tsc>\n"
        "      <tscgate:nonstop-tsc known='no'/>\n"
        "      <tscgate:tsc-known-freq known='no'/>\n"
        "      <tscgate:cpu-tsc-scaling-flag known='no'/>\n"
        "      <tscgate:clocksource-current known='no'/>\n"
        "      <tscgate:clocksource-available known='no'/>\n"
        "      <tscgate:tsc-unstable known='no'/>\n"
        "      <tscgate:max-cstate known='yes' source='/proc/cmdline' set='no'/>\n"
        "      <tscgate:intel-idle-max-cstate known='no'/>\n"
        "      <tscgate:cpufreq-min-khz known='no'/>\n"
        "      <tscgate:cpufreq-max-khz known='no'/>\n"
        "      <tscgate:cpufreq-pinned known='no'/>\n"
        "      <tscgate:cpufreq-highest-khz known='no'/>\n"
        "      <tscgate:clock-synchronized known='no'/>\n"
        "      <tscgate:clock-est-error-us known='no'/>\n"
        "      <tscgate:clock-max-error-us known='no'/>\n"
        "      <tscgate:tscgate-version known='no'/>\n"
        "      <tscgate:policy-digest known='no'/>\n"
        "      <tscgate:published-at known='no'/>\n"
        "    </tscgate:facts>\n"
        "  </host>\n"
        "</capabilities>\n");
}

/* Characters XML 1.0 cannot carry (C0 controls, invalid UTF-8) are
 * replaced, and the output stays well-formed and valid. */
static void
test_format_unrepresentable(void **state)
{
    g_autoptr(TgHostFacts) f = tg_host_facts_new();
    g_autoptr(TgHostFacts) back = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;
    xmlRelaxNGPtr schema = load_schema();

    tg_str_fact_set(&f->hostname, "a\x01" "b\xff" "c\x7f", "src\x02");
    xml = tg_host_facts_format_xml(f);
    assert_int_equal(rng_validate(schema, xml, strlen(xml)), 0);
    back = tg_host_facts_parse_xml(xml, strlen(xml), "p.xml", &err);
    assert_non_null(back);
    assert_string_equal(back->hostname.value,
                        "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd");
    assert_string_equal(back->hostname.note.source, "src\xef\xbf\xbd");
    xmlRelaxNGFree(schema);
}

/* ---- tsc_invariant ---- */

typedef struct {
    TgTri constant;
    TgTri nonstop;
    TgTri expected;
} InvCase;

static const InvCase inv_cases[] = {
    { TG_TRI_YES, TG_TRI_YES, TG_TRI_YES },
    { TG_TRI_YES, TG_TRI_NO, TG_TRI_NO },
    { TG_TRI_NO, TG_TRI_YES, TG_TRI_NO },
    { TG_TRI_NO, TG_TRI_NO, TG_TRI_NO },
    { TG_TRI_YES, TG_TRI_UNKNOWN, TG_TRI_UNKNOWN },
    { TG_TRI_UNKNOWN, TG_TRI_YES, TG_TRI_UNKNOWN },
    { TG_TRI_UNKNOWN, TG_TRI_UNKNOWN, TG_TRI_UNKNOWN },
    { TG_TRI_NO, TG_TRI_UNKNOWN, TG_TRI_NO },
    { TG_TRI_UNKNOWN, TG_TRI_NO, TG_TRI_NO },
};

static void
set_tri(TgBoolFact *f, TgTri t)
{
    if (t == TG_TRI_UNKNOWN)
        tg_fact_set_unknown(&f->note, "not probed");
    else
        tg_bool_fact_set(f, t == TG_TRI_YES, "test");
}

static void
test_tsc_invariant(void **state)
{
    for (gsize i = 0; i < G_N_ELEMENTS(inv_cases); i++) {
        g_autoptr(TgHostFacts) f = tg_host_facts_new();

        set_tri(&f->constant_tsc, inv_cases[i].constant);
        set_tri(&f->nonstop_tsc, inv_cases[i].nonstop);
        assert_int_equal(tg_host_facts_tsc_invariant(f), inv_cases[i].expected);
    }
}

/* ---- the power-management checklist of a host without constant_tsc ---- */

typedef struct {
    const char *name;
    TgTri constant;
    const char *max_cstate; /* NULL: not set; "?": unknown */
    TgTri pinned;
    TgTri expected;
} PmCase;

static const PmCase pm_cases[] = {
    { "remediated", TG_TRI_NO, "1", TG_TRI_YES, TG_TRI_YES },
    { "cstates on", TG_TRI_NO, NULL, TG_TRI_YES, TG_TRI_NO },
    { "max_cstate=2", TG_TRI_NO, "2", TG_TRI_YES, TG_TRI_NO },
    { "cpufreq not pinned", TG_TRI_NO, "1", TG_TRI_NO, TG_TRI_NO },
    { "neither", TG_TRI_NO, NULL, TG_TRI_NO, TG_TRI_NO },
    { "pinning unknown", TG_TRI_NO, "1", TG_TRI_UNKNOWN, TG_TRI_UNKNOWN },
    { "cmdline unknown", TG_TRI_NO, "?", TG_TRI_YES, TG_TRI_UNKNOWN },
    { "cmdline unknown, not pinned", TG_TRI_NO, "?", TG_TRI_NO, TG_TRI_NO },
    /* the checklist is for hosts without constant_tsc only */
    { "constant_tsc", TG_TRI_YES, "1", TG_TRI_YES, TG_TRI_UNKNOWN },
    { "constant_tsc unknown", TG_TRI_UNKNOWN, "1", TG_TRI_YES, TG_TRI_UNKNOWN },
};

static void
test_pm_remediated(void **state)
{
    const PmCase *c = *state;
    g_autoptr(TgHostFacts) f = tg_host_facts_new();

    set_tri(&f->constant_tsc, c->constant);
    if (!c->max_cstate || strcmp(c->max_cstate, "?") != 0)
        tg_str_fact_set(&f->max_cstate, c->max_cstate, "/proc/cmdline");
    else
        tg_fact_set_unknown(&f->max_cstate.note, "/proc/cmdline: Permission denied");
    set_tri(&f->cpufreq_pinned, c->pinned);
    assert_int_equal(tg_host_facts_pm_remediated(f), c->expected);
    assert_int_equal(tg_host_facts_cstates_off(f), c->max_cstate && strcmp(c->max_cstate, "1") == 0);
}

/* host.xml's known facts replace the probed ones, labelled; its unknown
 * facts leave the probed ones alone. */
static void
test_overlay(void **state)
{
    g_autoptr(TgHostFacts) probed = tg_host_facts_new();
    g_autoptr(TgHostFacts) given = tg_host_facts_new();

    tg_u64_fact_set(&probed->tsc_hz, 2596120000u, "KVM_GET_TSC_KHZ on /dev/kvm");
    tg_bool_fact_set(&probed->clock_synchronized, true, "adjtimex(2)");
    tg_str_fact_set(&probed->hostname, "hosta", "uname(2)");
    tg_u64_fact_set(&given->tsc_hz, 2100000000u, "capabilities XML <counter name='tsc'>");
    tg_fact_set_unknown(&given->clock_synchronized.note, "not in capabilities XML");
    tg_str_fact_set(&given->max_cstate, NULL, NULL);
    tg_host_facts_overlay(probed, given, "/etc/tscgate/host.xml");
    assert_field(probed, "tsc_hz",
                 "known|/etc/tscgate/host.xml: capabilities XML <counter name='tsc'>|2100000000");
    assert_field(probed, "clock_synchronized", "known|adjtimex(2)|yes");
    assert_field(probed, "hostname", "known|uname(2)|hosta");
    assert_field(probed, "max_cstate", "known|/etc/tscgate/host.xml|(unset)");
}

static void
test_policy_digest(void **state)
{
    g_autofree char *empty = tg_host_facts_policy_digest("", 0);
    g_autofree char *abc = tg_host_facts_policy_digest("abc", 3);

    /* FIPS 180-2 test vectors */
    assert_string_equal(empty, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(abc, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_free_null(void **state)
{
    tg_host_facts_free(NULL);
    assert_null(tg_host_facts_copy(NULL));
}

int
main(void)
{
    PtTests *t = pt_tests_new();

    PT_ADD_ROWS(t, test_parse, caps_cases);
    PT_ADD(t, test_parse_probe_full);
    PT_ADD(t, test_load_missing);
    PT_ADD_ROWS(t, test_rng_fixtures, rng_cases);
    PT_ADD(t, test_round_trip);
    PT_ADD(t, test_format_exact);
    PT_ADD(t, test_format_unrepresentable);
    PT_ADD(t, test_tsc_invariant);
    PT_ADD_ROWS(t, test_pm_remediated, pm_cases);
    PT_ADD(t, test_overlay);
    PT_ADD(t, test_policy_digest);
    PT_ADD(t, test_free_null);
    return pt_tests_run(t, "test-hostfacts");
}
