/* tscgate: host TSC facts, read from / written as capabilities-shaped XML
 * (see tg-hostfacts.h, schema xml/hostfacts.rng).
 */
#include <config.h>

#include "tg-hostfacts.h"
#include "tg-xml.h"

#include <stddef.h>
#include <string.h>

typedef enum {
    TG_FIELD_STR,
    TG_FIELD_U64,
    TG_FIELD_BOOL,
} TgFieldKind;

/* One TgHostFacts field and its <tscgate:ELEMENT> in the facts XML. */
typedef struct {
    const char *element;
    TgFieldKind kind;
    size_t offset;
} TgFieldDesc;

#define TG_FIELD(el, kind, member) { el, kind, offsetof(TgHostFacts, member) }

static const TgFieldDesc tg_fields[] = {
    TG_FIELD("hostname", TG_FIELD_STR, hostname),
    TG_FIELD("cpu-vendor", TG_FIELD_STR, cpu_vendor),
    TG_FIELD("tsc-frequency", TG_FIELD_U64, tsc_hz),
    TG_FIELD("tsc-scaling", TG_FIELD_BOOL, tsc_scaling),
    TG_FIELD("kvm-tsc-tolerance-ppm", TG_FIELD_U64, kvm_tolerance_ppm),
    TG_FIELD("constant-tsc", TG_FIELD_BOOL, constant_tsc),
    TG_FIELD("nonstop-tsc", TG_FIELD_BOOL, nonstop_tsc),
    TG_FIELD("tsc-known-freq", TG_FIELD_BOOL, tsc_known_freq),
    TG_FIELD("cpu-tsc-scaling-flag", TG_FIELD_BOOL, cpu_tsc_scaling_flag),
    TG_FIELD("clocksource-current", TG_FIELD_STR, clocksource_current),
    TG_FIELD("clocksource-available", TG_FIELD_STR, clocksource_available),
    TG_FIELD("tsc-unstable", TG_FIELD_BOOL, tsc_unstable),
    TG_FIELD("max-cstate", TG_FIELD_STR, max_cstate),
    TG_FIELD("cpufreq-min-khz", TG_FIELD_U64, cpufreq_min_khz),
    TG_FIELD("cpufreq-max-khz", TG_FIELD_U64, cpufreq_max_khz),
    TG_FIELD("clock-synchronized", TG_FIELD_BOOL, clock_synchronized),
    TG_FIELD("clock-est-error-us", TG_FIELD_U64, clock_est_error_us),
    TG_FIELD("clock-max-error-us", TG_FIELD_U64, clock_max_error_us),
};

static void *
tg_field_ptr(TgHostFacts *f, const TgFieldDesc *d)
{
    return (char *)f + d->offset;
}

static const void *
tg_field_cptr(const TgHostFacts *f, const TgFieldDesc *d)
{
    return (const char *)f + d->offset;
}

/* Every fact struct starts with its TgFactNote. */
static TgFactNote *
tg_field_note(TgHostFacts *f, const TgFieldDesc *d)
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
        const TgFieldDesc *d = &tg_fields[i];
        if (d->kind == TG_FIELD_STR)
            tg_str_fact_clear(tg_field_ptr(facts, d));
        else
            tg_fact_note_clear(tg_field_note(facts, d));
    }
    g_free(facts);
}

TgHostFacts *
tg_host_facts_copy(const TgHostFacts *facts)
{
    TgHostFacts *c;

    if (!facts)
        return NULL;
    c = tg_host_facts_new();
    for (gsize i = 0; i < G_N_ELEMENTS(tg_fields); i++) {
        const TgFieldDesc *d = &tg_fields[i];

        tg_fact_note_copy(tg_field_note(c, d), tg_field_cptr(facts, d));
        switch (d->kind) {
        case TG_FIELD_STR: {
            TgStrFact *dst = tg_field_ptr(c, d);
            const TgStrFact *src = tg_field_cptr(facts, d);
            dst->value = g_strdup(src->value);
            break;
        }
        case TG_FIELD_U64: {
            TgU64Fact *dst = tg_field_ptr(c, d);
            const TgU64Fact *src = tg_field_cptr(facts, d);
            dst->value = src->value;
            break;
        }
        case TG_FIELD_BOOL: {
            TgBoolFact *dst = tg_field_ptr(c, d);
            const TgBoolFact *src = tg_field_cptr(facts, d);
            dst->value = src->value;
            break;
        }
        }
    }
    return c;
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

TgHostFacts *
tg_host_facts_parse_xml(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(xmlDoc) doc = tg_xml_parse(buf, len, filename, error);

    if (!doc)
        return NULL;
    g_set_error(error, TG_ERROR, TG_ERROR_UNSUPPORTED, "%s: not implemented yet", filename);
    return NULL;
}

TgHostFacts *
tg_host_facts_load(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, error))
        return NULL;
    return tg_host_facts_parse_xml(buf, len, g_strcmp0(path, "-") == 0 ? "(stdin)" : path,
                                   error);
}

char *
tg_host_facts_format_xml(const TgHostFacts *facts)
{
    return g_strdup("<capabilities><host/></capabilities>\n");
}
