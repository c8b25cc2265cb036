/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: host TSC facts, read from / written as capabilities-shaped XML
 * (see tg-hostfacts.h, schema xml/hostfacts.rng).
 */
#include <config.h>

#include "tg-hostfacts.h"
#include "tg-xml.h"

#include <stddef.h>
#include <string.h>

#define TG_FIELD(el, kind, member) \
    { #member, el, kind, offsetof(TgHostFacts, member), false }
/* A fact that changes during a boot (tg_host_facts_drop_per_run). */
#define TG_FIELD_RUN(el, kind, member) \
    { #member, el, kind, offsetof(TgHostFacts, member), true }

static const TgHostFactField tg_fields[] = {
    TG_FIELD("hostname", TG_FACT_STR, hostname),
    TG_FIELD("cpu-vendor", TG_FACT_STR, cpu_vendor),
    TG_FIELD("tsc-frequency", TG_FACT_U64, tsc_hz),
    TG_FIELD("tsc-scaling", TG_FACT_BOOL, tsc_scaling),
    TG_FIELD("kvm-tsc-tolerance-ppm", TG_FACT_U64, kvm_tolerance_ppm),
    TG_FIELD("constant-tsc", TG_FACT_BOOL, constant_tsc),
    TG_FIELD("nonstop-tsc", TG_FACT_BOOL, nonstop_tsc),
    TG_FIELD("tsc-known-freq", TG_FACT_BOOL, tsc_known_freq),
    TG_FIELD("cpu-tsc-scaling-flag", TG_FACT_BOOL, cpu_tsc_scaling_flag),
    TG_FIELD_RUN("clocksource-current", TG_FACT_STR, clocksource_current),
    TG_FIELD_RUN("clocksource-available", TG_FACT_STR, clocksource_available),
    TG_FIELD_RUN("tsc-unstable", TG_FACT_BOOL, tsc_unstable),
    TG_FIELD("max-cstate", TG_FACT_STR, max_cstate),
    TG_FIELD("intel-idle-max-cstate", TG_FACT_STR, intel_idle_max_cstate),
    TG_FIELD("cpufreq-min-khz", TG_FACT_U64, cpufreq_min_khz),
    TG_FIELD("cpufreq-max-khz", TG_FACT_U64, cpufreq_max_khz),
    TG_FIELD_RUN("cpufreq-pinned", TG_FACT_BOOL, cpufreq_pinned),
    TG_FIELD_RUN("cpufreq-highest-khz", TG_FACT_U64, cpufreq_highest_khz),
    TG_FIELD_RUN("clock-synchronized", TG_FACT_BOOL, clock_synchronized),
    TG_FIELD_RUN("clock-est-error-us", TG_FACT_U64, clock_est_error_us),
    TG_FIELD_RUN("clock-max-error-us", TG_FACT_U64, clock_max_error_us),
    TG_FIELD("tscgate-version", TG_FACT_STR, tscgate_version),
    TG_FIELD("policy-digest", TG_FACT_STR, policy_digest),
    TG_FIELD("published-at", TG_FACT_STR, published_at),
};

/* Every member of TgHostFacts is in the table. */
G_STATIC_ASSERT(sizeof(TgHostFacts) ==
                9 * sizeof(TgStrFact) + 7 * sizeof(TgU64Fact) + 8 * sizeof(TgBoolFact));
G_STATIC_ASSERT(G_N_ELEMENTS(tg_fields) == 24);

const TgHostFactField *
tg_host_facts_fields(gsize *n_fields)
{
    *n_fields = G_N_ELEMENTS(tg_fields);
    return tg_fields;
}

const TgHostFactField *
tg_host_facts_field(const char *name)
{
    for (gsize i = 0; name && i < G_N_ELEMENTS(tg_fields); i++) {
        if (strcmp(tg_fields[i].member, name) == 0 || strcmp(tg_fields[i].element, name) == 0)
            return &tg_fields[i];
    }
    return NULL;
}

static void *
tg_field_ptr(TgHostFacts *f, const TgHostFactField *d)
{
    return (char *)f + d->offset;
}

static const void *
tg_field_cptr(const TgHostFacts *f, const TgHostFactField *d)
{
    return (const char *)f + d->offset;
}

/* Every fact struct starts with its TgFactNote. */
static TgFactNote *
tg_field_note(TgHostFacts *f, const TgHostFactField *d)
{
    return (TgFactNote *)tg_field_ptr(f, d);
}

TgHostFacts *
tg_host_facts_new(void)
{
    return g_new0(TgHostFacts, 1);
}

void
tg_host_facts_free(TgHostFacts *facts)
{
    if (!facts)
        return;
    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++) {
        const TgHostFactField *d = &tg_fields[i];
        if (d->kind == TG_FACT_STR)
            tg_str_fact_clear(tg_field_ptr(facts, d));
        else
            tg_fact_note_clear(tg_field_note(facts, d));
    }
    g_free(facts);
}

/* Copy fact `d` of `src` into `dst` (note and value, deep). */
static void
tg_field_copy(TgHostFacts *dst, const TgHostFacts *src, const TgHostFactField *d);

void
tg_host_facts_drop_per_run(TgHostFacts *facts, const char *reason)
{
    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++) {
        const TgHostFactField *d = &tg_fields[i];

        if (!d->per_run)
            continue;
        if (d->kind == TG_FACT_STR)
            g_clear_pointer(&((TgStrFact *)tg_field_ptr(facts, d))->value, g_free);
        else if (d->kind == TG_FACT_U64)
            ((TgU64Fact *)tg_field_ptr(facts, d))->value = 0;
        else
            ((TgBoolFact *)tg_field_ptr(facts, d))->value = false;
        tg_fact_set_unknown(tg_field_note(facts, d), "%s", reason);
    }
}

void
tg_host_facts_take_per_run(TgHostFacts *dst, const TgHostFacts *src)
{
    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++)
        if (tg_fields[i].per_run)
            tg_field_copy(dst, src, &tg_fields[i]);
}

static void
tg_field_copy(TgHostFacts *dst, const TgHostFacts *src, const TgHostFactField *d)
{
    tg_fact_note_copy(tg_field_note(dst, d), tg_field_cptr(src, d));
    switch (d->kind) {
    case TG_FACT_STR: {
        TgStrFact *to = tg_field_ptr(dst, d);
        const TgStrFact *from = tg_field_cptr(src, d);

        g_free(to->value);
        to->value = g_strdup(from->value);
        break;
    }
    case TG_FACT_U64:
        ((TgU64Fact *)tg_field_ptr(dst, d))->value =
            ((const TgU64Fact *)tg_field_cptr(src, d))->value;
        break;
    case TG_FACT_BOOL:
        ((TgBoolFact *)tg_field_ptr(dst, d))->value =
            ((const TgBoolFact *)tg_field_cptr(src, d))->value;
        break;
    }
}

TgHostFacts *
tg_host_facts_copy(const TgHostFacts *facts)
{
    TgHostFacts *c;

    if (!facts)
        return NULL;
    c = tg_host_facts_new();
    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++)
        tg_field_copy(c, facts, &tg_fields[i]);
    return c;
}

void
tg_host_facts_overlay(TgHostFacts *dst, const TgHostFacts *src, const char *label)
{
    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++) {
        const TgHostFactField *d = &tg_fields[i];
        const TgFactNote *n = tg_field_cptr(src, d);
        TgFactNote *out;
        char *source;

        if (!n->known)
            continue;
        tg_field_copy(dst, src, d);
        out = tg_field_note(dst, d);
        source = n->source ? g_strdup_printf("%s: %s", label, n->source) : g_strdup(label);
        g_free(out->source);
        out->source = source;
    }
}

char *
tg_host_facts_policy_digest(const char *buf, gsize len)
{
    g_autofree char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)buf,
                                                       len);

    return g_strconcat("sha256:", hex, NULL);
}

TgTri
tg_host_facts_tsc_invariant(const TgHostFacts *facts)
{
    TgTri c = tg_bool_fact_tri(&facts->constant_tsc);
    TgTri n = tg_bool_fact_tri(&facts->nonstop_tsc);

    if (c == TG_TRI_NO || n == TG_TRI_NO)
        return TG_TRI_NO;
    if (c == TG_TRI_YES && n == TG_TRI_YES)
        return TG_TRI_YES;
    return TG_TRI_UNKNOWN;
}

bool
tg_host_facts_cstates_off(const TgHostFacts *facts)
{
    return facts->max_cstate.note.known && g_strcmp0(facts->max_cstate.value, "1") == 0;
}

TgTri
tg_host_facts_pm_remediated(const TgHostFacts *facts)
{
    if (tg_bool_fact_tri(&facts->constant_tsc) != TG_TRI_NO)
        return TG_TRI_UNKNOWN;
    if ((facts->max_cstate.note.known && !tg_host_facts_cstates_off(facts)) ||
        tg_bool_fact_tri(&facts->cpufreq_pinned) == TG_TRI_NO)
        return TG_TRI_NO;
    if (tg_host_facts_cstates_off(facts) && tg_bool_fact_tri(&facts->cpufreq_pinned) == TG_TRI_YES)
        return TG_TRI_YES;
    return TG_TRI_UNKNOWN;
}

/* Index of the field for `element` in tg_fields, or -1. */
static int
tg_field_index(const char *element)
{
    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++) {
        if (strcmp(tg_fields[i].element, element) == 0)
            return (int)i;
    }
    return -1;
}

static const char *const tg_set_names[] = { "no" };
static const TgEnumTable tg_set_table = TG_ENUM_TABLE(tg_set_names);

/* Parse one <tscgate:ELEMENT known=... source=|reason=>value</...>. */
static bool
tg_parse_fact_element(TgHostFacts *facts, const TgHostFactField *d, const xmlNode *node,
                      GError **error)
{
    g_autofree char *source = tg_xml_prop(node, "source");
    g_autofree char *reason = tg_xml_prop(node, "reason");
    bool is_known = false;

    if (tg_xml_prop_bool(node, "known", TG_XML_YES_NO, TG_XML_PROP_REQUIRED, &is_known,
                         error) < 0)
        return false;
    if (!is_known) {
        TgFactNote *n = tg_field_note(facts, d);

        tg_fact_note_clear(n);
        n->reason = g_steal_pointer(&reason);
        if (d->kind == TG_FACT_STR)
            g_clear_pointer(&((TgStrFact *)tg_field_ptr(facts, d))->value, g_free);
        return true;
    }

    switch (d->kind) {
    case TG_FACT_STR: {
        TgStrFact *f = tg_field_ptr(facts, d);
        int set = -1;
        xmlChar *raw;
        int r = tg_xml_prop_enum(node, "set", &tg_set_table, TG_XML_PROP_OPTIONAL, &set, error);

        if (r < 0)
            return false;
        /* the text as written: a string fact keeps its spaces */
        raw = r > 0 ? NULL : xmlNodeGetContent(node);
        tg_str_fact_set(f, r > 0 ? NULL : raw ? (const char *)raw : "", source);
        xmlFree(raw);
        break;
    }
    case TG_FACT_U64: {
        guint64 v;

        if (!tg_xml_text_u64_range(node, 0, G_MAXUINT64, &v, error))
            return false;
        tg_u64_fact_set(tg_field_ptr(facts, d), v, source);
        break;
    }
    case TG_FACT_BOOL: {
        bool v;

        if (!tg_xml_text_bool(node, TG_XML_YES_NO, &v, error))
            return false;
        tg_bool_fact_set(tg_field_ptr(facts, d), v, source);
        break;
    }
    }
    return true;
}

/* <tscgate:facts version='MAJOR[.MINOR]'>: refuse newer majors. Unknown
 * elements of the namespace are ignored (minor additions). */
static bool
tg_parse_facts(TgHostFacts *facts, const xmlNode *el, bool *seen, GError **error)
{
    if (!tg_xml_prop_version(el, 1, NULL, NULL, error))
        return false;
    for (xmlNode *c = el->children; c; c = c->next) {
        int i;

        if (c->type != XML_ELEMENT_NODE || !c->ns || !c->ns->href ||
            strcmp((const char *)c->ns->href, TG_HOSTFACTS_NS) != 0)
            continue;
        i = tg_field_index((const char *)c->name);
        if (i < 0 || seen[i])
            continue; /* unknown (newer minor) element, or a duplicate: first wins */
        seen[i] = true;
        if (!tg_parse_fact_element(facts, &tg_fields[i], c, error))
            return false;
    }
    return true;
}

#define TG_COUNTER_SOURCE "capabilities XML <counter name='tsc'>"

/* libvirt's <counter name='tsc' frequency='HZ' scaling='yes|no'/> in
 * <host><cpu>, written by virCPUDefFormatBuf (src/conf/cpu_conf.c; scaling
 * only when known) from virHostCPUGetTscInfo (src/util/virhostcpu.c); only
 * present when the host CPU has invtsc.
 * The counter wins over tscgate facts; when both agree the facts' more
 * specific source is kept. */
static bool
tg_parse_counter(TgHostFacts *facts, const xmlNode *counter, bool scaling_in_facts,
                 GError **error)
{
    guint64 hz = 0;
    bool scaling = false;
    int r;

    if (tg_xml_prop_u64_range(counter, "frequency", 1, G_MAXUINT64, TG_XML_PROP_REQUIRED, &hz,
                              error) < 0)
        return false;
    if (!facts->tsc_hz.note.known || facts->tsc_hz.value != hz)
        tg_u64_fact_set(&facts->tsc_hz, hz, TG_COUNTER_SOURCE);

    r = tg_xml_prop_bool(counter, "scaling", TG_XML_YES_NO, TG_XML_PROP_OPTIONAL, &scaling,
                         error);
    if (r < 0)
        return false;
    if (r > 0) {
        if (!facts->tsc_scaling.note.known || facts->tsc_scaling.value != scaling)
            tg_bool_fact_set(&facts->tsc_scaling, scaling, TG_COUNTER_SOURCE);
    } else if (!facts->tsc_scaling.note.known && !facts->tsc_scaling.note.reason &&
               !scaling_in_facts) {
        tg_fact_set_unknown(&facts->tsc_scaling.note,
                            "<counter name='tsc'> has no scaling attribute: libvirt could not "
                            "tell whether the host can scale the TSC");
    }
    return true;
}

TgHostFacts *
tg_host_facts_parse_xml(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(TgHostFacts) facts = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *root;
    xmlNode *host;
    xmlNode *cpu;
    xmlNode *el;
    xmlNode *counter = NULL;
    xmlNode *facts_el;
    bool seen[G_N_ELEMENTS(tg_fields)] = { false };

    doc = tg_xml_parse(buf, len, filename, error);
    if (!doc)
        return NULL;
    root = tg_xml_root(doc, NULL, "capabilities",
                       "<capabilities> (`virsh capabilities` or `tscgate probe` output)", error);
    if (!root)
        return NULL;
    host = tg_xml_child(root, NULL, "host");
    if (!host) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <capabilities> has no <host> element", tg_xml_filename(root),
                    tg_xml_line(root));
        return NULL;
    }

    facts = tg_host_facts_new();
    facts_el = tg_xml_child(host, TG_HOSTFACTS_NS, "facts");
    if (facts_el && !tg_parse_facts(facts, facts_el, seen, error))
        return NULL;

    cpu = tg_xml_child(host, NULL, "cpu");
    if (cpu && !facts->cpu_vendor.note.known) {
        el = tg_xml_child(cpu, NULL, "vendor");
        if (el) {
            g_autofree char *v = tg_xml_text(el);
            if (*v)
                tg_str_fact_set(&facts->cpu_vendor, v, "capabilities XML <cpu><vendor>");
        }
    }
    for (el = cpu ? tg_xml_child(cpu, NULL, "counter") : NULL; el; el = tg_xml_next_same(el)) {
        g_autofree char *name = tg_xml_prop(el, "name");
        if (g_strcmp0(name, "tsc") == 0) {
            counter = el;
            break;
        }
    }
    if (counter) {
        if (!tg_parse_counter(facts, counter, seen[tg_field_index("tsc-scaling")], error))
            return NULL;
    } else if (!facts->tsc_hz.note.known && !facts->tsc_hz.note.reason &&
               !seen[tg_field_index("tsc-frequency")]) {
        tg_fact_set_unknown(&facts->tsc_hz.note,
                            "no <counter name='tsc'> in capabilities: host CPU lacks invtsc "
                            "or libvirt could not probe it");
    }
    if (!counter && !facts->tsc_scaling.note.known && !facts->tsc_scaling.note.reason &&
        !seen[tg_field_index("tsc-scaling")])
        tg_fact_set_unknown(&facts->tsc_scaling.note, "no <counter name='tsc'> in capabilities");

    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++) {
        TgFactNote *n = tg_field_note(facts, &tg_fields[i]);
        if (!n->known && !n->reason && !seen[i])
            n->reason = g_strdup(facts_el ? "not in the tscgate facts" : "not in capabilities XML");
    }
    return g_steal_pointer(&facts);
}

/* Append `s` escaped for XML text or a quoted attribute: markup characters
 * as entities, tab/LF/CR as character references (so they survive
 * attribute-value and end-of-line normalisation), other control characters
 * (not allowed in XML 1.0) and invalid UTF-8 as U+FFFD. */
static void
tg_append_escaped(GString *out, const char *s)
{
    g_autofree char *valid = g_utf8_make_valid(s, -1);

    for (const char *p = valid; *p; p++) {
        unsigned char c = (unsigned char)*p;

        switch (c) {
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '\'':
            g_string_append(out, "&apos;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\t':
        case '\n':
        case '\r':
            g_string_append_printf(out, "&#%u;", c);
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                g_string_append(out, "\xef\xbf\xbd");
            else
                g_string_append_c(out, (char)c);
        }
    }
}

/* libvirt's capabilities spell the vendor "Intel"/"AMD" (cpu_map vendor
 * names); /proc/cpuinfo's vendor_id is "GenuineIntel"/"AuthenticAMD". */
static const char *
tg_capabilities_vendor(const char *v)
{
    if (g_strcmp0(v, "GenuineIntel") == 0)
        return "Intel";
    if (g_strcmp0(v, "AuthenticAMD") == 0)
        return "AMD";
    return v;
}

char *
tg_host_facts_format_xml(const TgHostFacts *facts)
{
    GString *out = g_string_new("<capabilities>\n  <host>\n");
    bool have_vendor = facts->cpu_vendor.note.known && facts->cpu_vendor.value &&
                       *facts->cpu_vendor.value;

    bool have_counter = facts->tsc_hz.note.known && facts->tsc_hz.value != 0;

    if (have_vendor || have_counter) {
        g_string_append(out, "    <cpu>\n");
        if (have_vendor) {
            g_string_append(out, "      <vendor>");
            tg_append_escaped(out, tg_capabilities_vendor(facts->cpu_vendor.value));
            g_string_append(out, "</vendor>\n");
        }
        if (have_counter) {
            g_string_append_printf(out, "      <counter name='tsc' frequency='%" G_GUINT64_FORMAT "'",
                                   facts->tsc_hz.value);
            if (facts->tsc_scaling.note.known)
                g_string_append_printf(out, " scaling='%s'",
                                       facts->tsc_scaling.value ? "yes" : "no");
            g_string_append(out, "/>\n");
        }
        g_string_append(out, "    </cpu>\n");
    }

    g_string_append_printf(out, "    <%s:facts xmlns:%s='%s' version='1'>\n",
                           TG_HOSTFACTS_NS_PREFIX, TG_HOSTFACTS_NS_PREFIX, TG_HOSTFACTS_NS);
    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++) {
        const TgHostFactField *d = &tg_fields[i];
        const TgFactNote *n = tg_field_cptr(facts, d);
        const char *note_attr = n->known ? "source" : "reason";
        const char *note_val = n->known ? n->source : n->reason;

        g_string_append_printf(out, "      <%s:%s known='%s'", TG_HOSTFACTS_NS_PREFIX,
                               d->element, n->known ? "yes" : "no");
        if (note_val) {
            g_string_append_printf(out, " %s='", note_attr);
            tg_append_escaped(out, note_val);
            g_string_append_c(out, '\'');
        }
        if (!n->known) {
            g_string_append(out, "/>\n");
            continue;
        }
        switch (d->kind) {
        case TG_FACT_STR: {
            const TgStrFact *f = tg_field_cptr(facts, d);
            if (!f->value) {
                g_string_append(out, " set='no'/>\n");
                continue;
            }
            g_string_append_c(out, '>');
            tg_append_escaped(out, f->value);
            break;
        }
        case TG_FACT_U64:
            g_string_append_printf(out, ">%" G_GUINT64_FORMAT,
                                   ((const TgU64Fact *)tg_field_cptr(facts, d))->value);
            break;
        case TG_FACT_BOOL:
            g_string_append_printf(out, ">%s",
                                   ((const TgBoolFact *)tg_field_cptr(facts, d))->value
                                       ? "yes" : "no");
            break;
        }
        g_string_append_printf(out, "</%s:%s>\n", TG_HOSTFACTS_NS_PREFIX, d->element);
    }
    g_string_append_printf(out, "    </%s:facts>\n  </host>\n</capabilities>\n",
                           TG_HOSTFACTS_NS_PREFIX);
    return g_string_free(out, FALSE);
}
