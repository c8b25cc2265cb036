/* tscgate: guest clock profile from domain XML (see tg-guest.h, schema of
 * the lineage record xml/lineage.rng).
 */
#include <config.h>

#include "tg-guest.h"
#include "tg-xml.h"

#include <string.h>

static const char *const tg_dep_names[] = {
    [TG_DEP_EXPLICIT_FREQUENCY] = "explicit-frequency",
    [TG_DEP_REENLIGHTENMENT] = "reenlightenment",
    [TG_DEP_TSC_SENSITIVE] = "tsc-sensitive",
    [TG_DEP_PARAVIRT] = "paravirt-clock",
};

const char *
tg_dependence_to_string(TgDependence d)
{
    if ((unsigned)d < G_N_ELEMENTS(tg_dep_names))
        return tg_dep_names[d];
    return "unknown";
}

bool
tg_dependence_from_string(const char *s, TgDependence *out)
{
    if (!s)
        return false;
    for (gsize i = 0; i < G_N_ELEMENTS(tg_dep_names); i++) {
        if (strcmp(s, tg_dep_names[i]) == 0) {
            *out = (TgDependence)i;
            return true;
        }
    }
    return false;
}

static const char *const tg_origin_names[] = {
    [TG_NOMINAL_UNKNOWN] = "unknown",
    [TG_NOMINAL_EXPLICIT] = "explicit",
    [TG_NOMINAL_LINEAGE] = "lineage",
    [TG_NOMINAL_SOURCE_HOST] = "source-host",
    [TG_NOMINAL_ASSUMED] = "assumed",
};

const char *
tg_nominal_origin_to_string(TgNominalOrigin o)
{
    if ((unsigned)o < G_N_ELEMENTS(tg_origin_names))
        return tg_origin_names[o];
    return "unknown";
}

bool
tg_nominal_origin_from_string(const char *s, TgNominalOrigin *out)
{
    if (!s)
        return false;
    for (gsize i = 0; i < G_N_ELEMENTS(tg_origin_names); i++) {
        if (strcmp(s, tg_origin_names[i]) == 0) {
            *out = (TgNominalOrigin)i;
            return true;
        }
    }
    return false;
}

void
tg_hop_free(TgHop *h)
{
    if (!h)
        return;
    g_free(h->op);
    g_free(h->host);
    g_free(h->verdict);
    g_free(h->reason_code);
    g_free(h);
}

static TgHop *
tg_hop_copy(const TgHop *h)
{
    TgHop *c = g_new0(TgHop, 1);

    c->op = g_strdup(h->op);
    c->host = g_strdup(h->host);
    c->host_hz = h->host_hz;
    c->scaling = h->scaling;
    c->time = h->time;
    c->verdict = g_strdup(h->verdict);
    c->reason_code = g_strdup(h->reason_code);
    return c;
}

TgLineage *
tg_lineage_new(void)
{
    TgLineage *l = g_new0(TgLineage, 1);

    l->version = 1;
    l->nominal_origin = TG_NOMINAL_UNKNOWN;
    l->hops = g_ptr_array_new_with_free_func((GDestroyNotify)tg_hop_free);
    return l;
}

void
tg_lineage_free(TgLineage *l)
{
    if (!l)
        return;
    if (l->hops)
        g_ptr_array_unref(l->hops);
    g_free(l);
}

TgLineage *
tg_lineage_copy(const TgLineage *l)
{
    TgLineage *c;

    if (!l)
        return NULL;
    c = tg_lineage_new();
    c->version = l->version;
    c->nominal_hz = l->nominal_hz;
    c->nominal_origin = l->nominal_origin;
    c->effective_hz = l->effective_hz;
    c->effective_changed = l->effective_changed;
    for (guint i = 0; l->hops && i < l->hops->len; i++)
        g_ptr_array_add(c->hops, tg_hop_copy(g_ptr_array_index(l->hops, i)));
    return c;
}

const TgHop *
tg_lineage_last_hop(const TgLineage *l)
{
    if (!l || !l->hops || l->hops->len == 0)
        return NULL;
    return g_ptr_array_index(l->hops, l->hops->len - 1);
}

static void
tg_timer_free(TgTimer *t)
{
    if (!t)
        return;
    g_free(t->name);
    g_free(t->mode);
    g_free(t->tickpolicy);
    g_free(t);
}

void
tg_guest_profile_free(TgGuestProfile *g)
{
    if (!g)
        return;
    g_free(g->name);
    g_free(g->uuid);
    g_free(g->clock_offset);
    if (g->timers)
        g_ptr_array_unref(g->timers);
    g_free(g->cpu_mode);
    g_free(g->invtsc_policy);
    tg_lineage_free(g->lineage);
    if (g->tags)
        g_ptr_array_unref(g->tags);
    g_free(g);
}

static TgGuestProfile *
tg_guest_profile_new(void)
{
    TgGuestProfile *g = g_new0(TgGuestProfile, 1);

    g->timers = g_ptr_array_new_with_free_func((GDestroyNotify)tg_timer_free);
    g->tags = g_ptr_array_new_with_free_func(g_free);
    g->dependence = TG_DEP_PARAVIRT;
    return g;
}

TgDependence
tg_guest_derive_dependence(const TgGuestProfile *g)
{
    if (g->has_explicit_hz)
        return TG_DEP_EXPLICIT_FREQUENCY;
    if (g->hv_reenlightenment == TG_TRI_YES)
        return TG_DEP_REENLIGHTENMENT;
    if (g->invtsc_exposed || g->kvmclock_disabled)
        return TG_DEP_TSC_SENSITIVE;
    return TG_DEP_PARAVIRT;
}

guint64
tg_guest_nominal_hz(const TgGuestProfile *g, guint64 source_hz, TgNominalOrigin *origin)
{
    TgNominalOrigin o = TG_NOMINAL_UNKNOWN;
    guint64 hz = 0;

    if (g && g->has_explicit_hz) {
        hz = g->explicit_hz;
        o = TG_NOMINAL_EXPLICIT;
    } else if (g && g->lineage && g->lineage->nominal_hz != 0) {
        hz = g->lineage->nominal_hz;
        o = TG_NOMINAL_LINEAGE;
    } else if (source_hz != 0) {
        hz = source_hz;
        o = TG_NOMINAL_SOURCE_HOST;
    }
    if (origin)
        *origin = o;
    return hz;
}

TgGuestProfile *
tg_guest_profile_parse_xml(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(xmlDoc) doc = tg_xml_parse(buf, len, filename, error);

    if (!doc)
        return NULL;
    g_set_error(error, TG_ERROR, TG_ERROR_UNSUPPORTED, "%s: not implemented yet", filename);
    (void)tg_guest_profile_new;
    return NULL;
}

TgGuestProfile *
tg_guest_profile_load(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, error))
        return NULL;
    return tg_guest_profile_parse_xml(buf, len, g_strcmp0(path, "-") == 0 ? "(stdin)" : path,
                                      error);
}
