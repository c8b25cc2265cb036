/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the lineage record in a domain's <metadata>: its model, its reader
 * and the next record after a hop (see tg-lineage.h, schema xml/lineage.rng;
 * writing it into the domain is tg-lineage-write.c).
 *
 * Why a record at all: the guest's TSC rate is fixed where it booted and
 * travels in the migration stream (QEMU target/i386/machine.c, subsection
 * cpu/tsc_khz), but libvirt gives the destination hook no way to learn it
 * nor the source host (the migration cookie is parsed after the hook runs,
 * libvirt src/qemu/qemu_migration.c). So each allowed hop leaves a note.
 *
 * libvirt compares nothing inside <metadata> when checking the hook's output
 * for ABI stability (virDomainDefCheckABIStabilityFlags), keeps only the
 * first metadata child per namespace (virXMLNodeSanitizeNamespaces), and
 * formats <metadata> right after name, uuid, genid, title and description
 * (virDomainDefFormatInternalSetRootName), which is where a new one goes.
 */
#include <config.h>

#include "tg-lineage-priv.h"
#include "tg-decide.h"
#include "tg-record.h"
#include "tg-xml.h"

#include <libxml/c14n.h>
#include <libxml/xmlsave.h>
#include <string.h>

/* ---- the model ---- */

static const char *const tg_origin_names[] = {
    [TG_NOMINAL_UNKNOWN] = "unknown",
    [TG_NOMINAL_EXPLICIT] = "explicit",
    [TG_NOMINAL_LINEAGE] = "lineage",
    [TG_NOMINAL_BOOT] = "boot",
    [TG_NOMINAL_INVENTORY] = "inventory",
};

const TgEnumTable tg_nominal_origin_table = TG_ENUM_TABLE(tg_origin_names);

/* Origins a record may carry: the ones of TgNominalOrigin a record stores
 * (no "inventory": a bound is no value), and two that tscgate before the
 * model of doc/tsc-model.md wrote for rates it made up. */
enum {
    TG_RECORD_ORIGIN_SOURCE_HOST = TG_NOMINAL_INVENTORY + 1, /* the source host's rate */
    TG_RECORD_ORIGIN_ASSUMED,                                 /* the first host's rate */
};

static const char *const tg_record_origin_names[] = {
    [TG_NOMINAL_UNKNOWN] = "unknown",
    [TG_NOMINAL_EXPLICIT] = "explicit",
    [TG_NOMINAL_LINEAGE] = "lineage",
    [TG_NOMINAL_BOOT] = "boot",
    [TG_RECORD_ORIGIN_SOURCE_HOST] = "source-host",
    [TG_RECORD_ORIGIN_ASSUMED] = "assumed",
};

static const TgEnumTable tg_record_origin_table = TG_ENUM_TABLE(tg_record_origin_names);

const char *
tg_nominal_origin_to_string(TgNominalOrigin o)
{
    const char *s = tg_enum_to_string(&tg_nominal_origin_table, (int)o);

    return s ? s : "unknown";
}

bool
tg_nominal_origin_from_string(const char *s, TgNominalOrigin *out)
{
    int v = tg_enum_from_string(&tg_nominal_origin_table, s);

    if (v < 0)
        return false;
    *out = (TgNominalOrigin)v;
    return true;
}

static const char *const tg_hop_op_names[] = {
    [TG_HOP_MIGRATE] = "migrate",
    [TG_HOP_RESTORE] = "restore",
    [TG_HOP_BOOT] = "boot",
};

const TgEnumTable tg_hop_op_table = TG_ENUM_TABLE(tg_hop_op_names);

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

/* A copy of `l` with only its newest `keep` hops. */
static TgLineage *
tg_lineage_copy_newest(const TgLineage *l, guint keep)
{
    TgLineage *c = tg_lineage_new();
    guint n = l->hops ? l->hops->len : 0;

    c->version = l->version;
    c->nominal_hz = l->nominal_hz;
    c->nominal_origin = l->nominal_origin;
    c->invented_hz = l->invented_hz;
    c->invented_origin = l->invented_origin;
    c->effective_hz = l->effective_hz;
    c->effective_changed = l->effective_changed;
    for (guint i = n > keep ? n - keep : 0; i < n; i++)
        g_ptr_array_add(c->hops, tg_hop_copy(g_ptr_array_index(l->hops, i)));
    return c;
}

TgLineage *
tg_lineage_copy(const TgLineage *l)
{
    return l ? tg_lineage_copy_newest(l, G_MAXUINT) : NULL;
}

const TgHop *
tg_lineage_last_hop(const TgLineage *l)
{
    if (!l || !l->hops || l->hops->len == 0)
        return NULL;
    return g_ptr_array_index(l->hops, l->hops->len - 1);
}

/* ---- reading the record ---- */

static TgHop *
tg_parse_hop(const xmlNode *el, GError **error)
{
    g_autoptr(GDateTime) dt = NULL;
    g_autofree char *time_str = NULL;
    TgHop *h = g_new0(TgHop, 1);
    int op = 0;
    int scaling = TG_TRI_UNKNOWN;

    h->host = tg_xml_prop(el, "host");
    h->verdict = tg_xml_prop(el, "verdict");
    h->reason_code = tg_xml_prop(el, "reason");
    if (tg_xml_prop_enum(el, "op", &tg_hop_op_table, TG_XML_PROP_REQUIRED, &op, error) < 0)
        goto fail;
    h->op = g_strdup(tg_enum_to_string(&tg_hop_op_table, op));
    if (tg_xml_prop_u64(el, "hz", TG_XML_PROP_OPTIONAL, &h->host_hz, error) < 0)
        goto fail;
    /* scaling: yes | no | unknown, absent = unknown (as written: only when known) */
    if (tg_xml_prop_enum(el, "scaling", &tg_tri_table, TG_XML_PROP_OPTIONAL, &scaling, error) < 0)
        goto fail;
    h->scaling = (TgTri)scaling;
    time_str = tg_xml_prop(el, "time");
    if (time_str) {
        dt = g_date_time_new_from_iso8601(time_str, NULL);
        if (!dt || !g_str_has_suffix(time_str, "Z")) {
            g_autofree char *esc = tg_escape_untrusted(time_str);
            g_autofree char *qn = tg_xml_qname(el);

            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s:%d: <%s> attribute time='%s' is not a UTC time "
                        "(YYYY-MM-DDTHH:MM:SSZ)", tg_xml_filename(el), tg_xml_line(el), qn, esc);
            goto fail;
        }
        h->time = g_date_time_to_unix(dt);
    }
    return h;

fail:
    tg_hop_free(h);
    return NULL;
}

TgLineage *
tg_lineage_parse_node(const xmlNode *el, GError **error)
{
    g_autoptr(TgLineage) l = tg_lineage_new();
    xmlNode *c;

    if (!tg_xml_prop_version(el, TG_LINEAGE_VERSION, &l->version, NULL, error))
        return NULL;

    c = tg_xml_child(el, TG_LINEAGE_NS, "nominal");
    if (c) {
        int origin = TG_NOMINAL_UNKNOWN;

        if (tg_xml_prop_u64(c, "hz", TG_XML_PROP_OPTIONAL, &l->nominal_hz, error) < 0 ||
            tg_xml_prop_enum(c, "origin", &tg_record_origin_table, TG_XML_PROP_OPTIONAL,
                             &origin, error) < 0)
            return NULL;
        if (origin == TG_RECORD_ORIGIN_SOURCE_HOST || origin == TG_RECORD_ORIGIN_ASSUMED) {
            /* Written by an earlier tscgate, which took a host's rate for
             * the guest's: it never was (doc/tsc-model.md). Not an error:
             * the rate is unknown, the hops stay. */
            l->invented_hz = l->nominal_hz;
            l->invented_origin = tg_record_origin_names[origin];
            l->nominal_hz = 0;
            origin = TG_NOMINAL_UNKNOWN;
        } else if (l->nominal_hz == 0) {
            origin = TG_NOMINAL_UNKNOWN;
        }
        l->nominal_origin = (TgNominalOrigin)origin;
    }
    c = tg_xml_child(el, TG_LINEAGE_NS, "effective");
    if (c) {
        if (tg_xml_prop_u64(c, "hz", TG_XML_PROP_OPTIONAL, &l->effective_hz, error) < 0 ||
            tg_xml_prop_bool(c, "changed", TG_XML_YES_NO, TG_XML_PROP_OPTIONAL,
                             &l->effective_changed, error) < 0)
            return NULL;
    }
    for (c = tg_xml_child(el, TG_LINEAGE_NS, "hop"); c; c = tg_xml_next_same(c)) {
        TgHop *h = tg_parse_hop(c, error);

        if (!h)
            return NULL;
        g_ptr_array_add(l->hops, h);
    }
    return g_steal_pointer(&l);
}

xmlNode *
tg_lineage_find(const xmlNode *domain)
{
    /* libvirt keeps one element per namespace; take the first. */
    return tg_xml_child(tg_xml_child(domain, NULL, "metadata"), TG_LINEAGE_NS, "lineage");
}

/* ---- the next record ---- */

/* The nominal rate the next record stores (doc/tsc-model.md, "What
 * tscgate knows about the nominal rate"): the pinned rate; else the one
 * the previous record carried, with the origin it was first known with;
 * else unknown. No operation short of a cold boot changes the nominal rate
 * (QEMU carries tsc_khz in the migration stream, target/i386/machine.c
 * vmstate_tsc_khz), and no host's rate ever becomes it. */
static void
next_nominal(TgLineage *l, const TgLineage *prev, const TgDecision *d)
{
    l->invented_hz = 0;
    l->invented_origin = NULL;
    if (d->guest_hz_origin == TG_NOMINAL_EXPLICIT && d->guest_hz) {
        l->nominal_hz = d->guest_hz;
        l->nominal_origin = TG_NOMINAL_EXPLICIT;
    } else if (d->guest_hz_origin == TG_NOMINAL_LINEAGE && prev && prev->nominal_hz) {
        l->nominal_hz = prev->nominal_hz;
        l->nominal_origin = prev->nominal_origin;
    } else {
        l->nominal_hz = 0;
        l->nominal_origin = TG_NOMINAL_UNKNOWN;
    }
}

TgLineage *
tg_lineage_next(const TgLineage *prev, const struct _TgDecision *decision,
                const char *op, const char *host, gint64 now,
                guint hop_limit)
{
    TgLineage *l;
    TgHop *hop = g_new0(TgHop, 1);

    /* The newest hop must stay: it is the next hop's source host. Only the
     * hops that stay beside the new one are copied (the record is the
     * guest's: it may hold many). */
    if (hop_limit == 0)
        hop_limit = 1;
    l = prev ? tg_lineage_copy_newest(prev, hop_limit - 1) : tg_lineage_new();
    l->version = 1;
    next_nominal(l, prev, decision);
    /* What the guest's TSC ticks at on this host, as the engine worked it
     * out from the model (0 = unknown). */
    l->effective_hz = decision->effective_hz;
    /* Sticky: once a hop changed the rate the guest runs at (allowed
     * without scaling outside tolerance), the guest's calibration is off. */
    l->effective_changed = (prev && prev->effective_changed) || decision->effective_changed;

    hop->op = g_strdup(op);
    hop->host = g_strdup(host);
    hop->host_hz = decision->dest_hz;
    hop->scaling = decision->dest_scaling;
    hop->time = now;
    hop->verdict = g_strdup(tg_verdict_to_string(decision->verdict));
    hop->reason_code = g_strdup(decision->code);
    g_ptr_array_add(l->hops, hop);
    return l;
}
