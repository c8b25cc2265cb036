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

/* ---- parsing helpers ---- */

/* Attribute with a fixed set of values: 'yes'/'no' style tristate.
 * Returns false with an error when present with another value. */
static bool
tg_prop_tri(const xmlNode *node, const char *name, const char *yes, const char *no,
            const char *filename, TgTri *out, GError **error)
{
    g_autofree char *v = tg_xml_prop(node, name);

    *out = TG_TRI_UNKNOWN;
    if (!v)
        return true;
    if (strcmp(v, yes) == 0) {
        *out = TG_TRI_YES;
        return true;
    }
    if (strcmp(v, no) == 0) {
        *out = TG_TRI_NO;
        return true;
    }
    {
        g_autofree char *esc = tg_escape_untrusted(v);
        g_autofree char *qn = tg_xml_qname(node);
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> attribute %s='%s' must be '%s' or '%s'", filename,
                    tg_xml_line(node), qn, name, esc, yes, no);
    }
    return false;
}

/* Text of the first child element `name` (no namespace), or NULL. */
static char *
tg_child_text(const xmlNode *parent, const char *name)
{
    xmlNode *c = tg_xml_child(parent, NULL, name);

    return c ? tg_xml_text(c) : NULL;
}

/* Parse a version attribute "MAJOR" or "MAJOR.MINOR"; refuse major >
 * `supported` as TG_ERROR_UNSUPPORTED. */
static bool
tg_check_version(const xmlNode *el, guint supported, const char *filename, guint *major_out,
                 GError **error)
{
    g_autofree char *what = tg_xml_qname(el);
    g_autofree char *version = tg_xml_prop(el, "version");
    g_autofree char *esc = NULL;
    g_auto(GStrv) parts = NULL;
    guint64 major = 0;
    guint64 minor = 0;

    if (!version) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> has no version attribute", filename, tg_xml_line(el), what);
        return false;
    }
    esc = tg_escape_untrusted(version);
    parts = g_strsplit(version, ".", 3);
    if (!parts[0] || !tg_parse_u64(parts[0], &major) || major == 0 || major > G_MAXUINT ||
        (parts[1] && (!tg_parse_u64(parts[1], &minor) || parts[2]))) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> attribute version='%s' is not a version number", filename,
                    tg_xml_line(el), what, esc);
        return false;
    }
    if (major > supported) {
        g_set_error(error, TG_ERROR, TG_ERROR_UNSUPPORTED,
                    "%s:%d: <%s> version '%s' is newer than this tscgate understands "
                    "(major version %u); upgrade tscgate",
                    filename, tg_xml_line(el), what, esc, supported);
        return false;
    }
    *major_out = (guint)major;
    return true;
}

/* ---- lineage record ---- */

static bool
tg_parse_hop(const xmlNode *el, const char *filename, TgHop **out, GError **error)
{
    g_autoptr(GDateTime) dt = NULL;
    g_autofree char *time_str = NULL;
    g_autofree char *scaling = NULL;
    g_autofree char *qn = tg_xml_qname(el);
    TgHop *h = g_new0(TgHop, 1);
    int line = tg_xml_line(el);

    h->op = tg_xml_prop(el, "op");
    h->host = tg_xml_prop(el, "host");
    h->verdict = tg_xml_prop(el, "verdict");
    h->reason_code = tg_xml_prop(el, "reason");
    if (!h->op || (strcmp(h->op, "migrate") != 0 && strcmp(h->op, "restore") != 0)) {
        g_autofree char *esc = tg_escape_untrusted(h->op);
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> attribute op='%s' must be 'migrate' or 'restore'",
                    filename, line, qn, h->op ? esc : "");
        goto fail;
    }
    if (tg_xml_prop_u64(el, "hz", TG_XML_PROP_OPTIONAL, &h->host_hz, error) < 0)
        goto fail;
    scaling = tg_xml_prop(el, "scaling");
    if (!scaling || strcmp(scaling, "unknown") == 0) {
        h->scaling = TG_TRI_UNKNOWN;
    } else if (strcmp(scaling, "yes") == 0) {
        h->scaling = TG_TRI_YES;
    } else if (strcmp(scaling, "no") == 0) {
        h->scaling = TG_TRI_NO;
    } else {
        g_autofree char *esc = tg_escape_untrusted(scaling);
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> attribute scaling='%s' must be 'yes', 'no' or 'unknown'",
                    filename, line, qn, esc);
        goto fail;
    }
    time_str = tg_xml_prop(el, "time");
    if (time_str) {
        dt = g_date_time_new_from_iso8601(time_str, NULL);
        if (!dt || !g_str_has_suffix(time_str, "Z")) {
            g_autofree char *esc = tg_escape_untrusted(time_str);
            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s:%d: <%s> attribute time='%s' is not a UTC time "
                        "(YYYY-MM-DDTHH:MM:SSZ)", filename, line, qn, esc);
            goto fail;
        }
        h->time = g_date_time_to_unix(dt);
    }
    *out = h;
    return true;

fail:
    tg_hop_free(h);
    return false;
}

static TgLineage *
tg_parse_lineage(const xmlNode *el, const char *filename, GError **error)
{
    g_autoptr(TgLineage) l = tg_lineage_new();
    xmlNode *c;

    if (!tg_check_version(el, 1, filename, &l->version, error))
        return NULL;

    c = tg_xml_child(el, TG_LINEAGE_NS, "nominal");
    if (c) {
        g_autofree char *origin = tg_xml_prop(c, "origin");

        if (tg_xml_prop_u64(c, "hz", TG_XML_PROP_OPTIONAL, &l->nominal_hz, error) < 0)
            return NULL;
        if (origin && !tg_nominal_origin_from_string(origin, &l->nominal_origin)) {
            g_autofree char *esc = tg_escape_untrusted(origin);
            g_autofree char *qn = tg_xml_qname(c);
            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s:%d: <%s> attribute origin='%s' must be one of "
                        "explicit, source-host, assumed, unknown", filename, tg_xml_line(c), qn, esc);
            return NULL;
        }
    }
    c = tg_xml_child(el, TG_LINEAGE_NS, "effective");
    if (c) {
        TgTri changed;

        if (tg_xml_prop_u64(c, "hz", TG_XML_PROP_OPTIONAL, &l->effective_hz, error) < 0)
            return NULL;
        if (!tg_prop_tri(c, "changed", "yes", "no", filename, &changed, error)) {
            return NULL;
        }
        l->effective_changed = changed == TG_TRI_YES;
    }
    for (c = tg_xml_child(el, TG_LINEAGE_NS, "hop"); c; c = tg_xml_next_same(c)) {
        TgHop *h = NULL;

        if (!tg_parse_hop(c, filename, &h, error))
            return NULL;
        g_ptr_array_add(l->hops, h);
    }
    return g_steal_pointer(&l);
}

/* ---- domain ---- */

static bool
tg_parse_timers(TgGuestProfile *g, const xmlNode *clock, const char *filename, GError **error)
{
    for (xmlNode *el = tg_xml_child(clock, NULL, "timer"); el; el = tg_xml_next_same(el)) {
        TgTimer *t = g_new0(TgTimer, 1);
        guint64 hz = 0;
        int r;

        g_ptr_array_add(g->timers, t);
        t->line = tg_xml_line(el);
        t->name = tg_xml_prop(el, "name");
        t->mode = tg_xml_prop(el, "mode");
        t->tickpolicy = tg_xml_prop(el, "tickpolicy");
        if (!t->name || !*t->name) {
            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s:%d: <timer> has no name attribute", filename, t->line);
            return false;
        }
        if (!tg_prop_tri(el, "present", "yes", "no", filename, &t->present, error))
            return false;
        r = tg_xml_prop_u64(el, "frequency", TG_XML_PROP_OPTIONAL, &hz, error);
        if (r < 0)
            return false;
        /* libvirt formats frequency only when non-zero and its TSC checks
         * skip a zero frequency (virDomainTimerDefFormat,
         * qemuProcessStartValidateTSC): frequency='0' means none. */
        if (r > 0 && hz > 0) {
            t->has_frequency = true;
            t->frequency = hz;
        }

        if (strcmp(t->name, "tsc") == 0) {
            /* libvirt uses the first tsc timer that has a frequency
             * (qemuProcessStartValidateTSC, src/qemu/qemu_process.c). */
            if (t->has_frequency && !g->has_explicit_hz) {
                g->has_explicit_hz = true;
                g->explicit_hz = t->frequency;
            }
        } else if (strcmp(t->name, "kvmclock") == 0) {
            /* Only present='no' turns kvm-clock off (qemu_command.c). */
            if (t->present == TG_TRI_NO)
                g->kvmclock_disabled = true;
        } else if (strcmp(t->name, "hypervclock") == 0) {
            if (g->hypervclock == TG_TRI_UNKNOWN)
                g->hypervclock = t->present;
        }
    }
    return true;
}

static bool
tg_parse_cpu(TgGuestProfile *g, const xmlNode *cpu, const char *filename, GError **error)
{
    xmlNode *invtsc = NULL;
    const char *mode;

    g->cpu_mode = tg_xml_prop(cpu, "mode");
    if (!tg_prop_tri(cpu, "migratable", "on", "off", filename, &g->cpu_migratable, error))
        return false;
    for (xmlNode *f = tg_xml_child(cpu, NULL, "feature"); f; f = tg_xml_next_same(f)) {
        g_autofree char *name = tg_xml_prop(f, "name");
        if (g_strcmp0(name, "invtsc") == 0) {
            invtsc = f;
            break;
        }
    }
    if (invtsc) {
        g->invtsc_policy = tg_xml_prop(invtsc, "policy");
        /* A guest CPU feature without a policy is 'require' (libvirt
         * src/conf/cpu_conf.c virCPUDefParseXML, VIR_CPU_TYPE_GUEST). */
        if (!g->invtsc_policy)
            g->invtsc_policy = g_strdup("require");
    }

    mode = g->cpu_mode ? g->cpu_mode : "custom";
    if (g->invtsc_policy && (strcmp(g->invtsc_policy, "require") == 0 ||
                             strcmp(g->invtsc_policy, "force") == 0)) {
        g->invtsc_exposed = true;
    } else if (g->invtsc_policy && (strcmp(g->invtsc_policy, "disable") == 0 ||
                                    strcmp(g->invtsc_policy, "forbid") == 0)) {
        g->invtsc_exposed = false;
    } else if (strcmp(mode, "host-passthrough") == 0 || strcmp(mode, "maximum") == 0) {
        /* The host's invtsc reaches the guest only when the CPU is not
         * restricted to migratable features (migratable='off'); the default
         * is on. */
        g->invtsc_exposed = g->cpu_migratable == TG_TRI_NO;
    } else if (strcmp(mode, "host-model") == 0) {
        /* libvirt's cpu_map marks invtsc migratable='no': host-model never
         * includes it. */
        g->invtsc_exposed = false;
    } else {
        /* custom model with policy='optional': enabled when the host has
         * it, which is the case wherever TSC matters. */
        g->invtsc_exposed = g->invtsc_policy != NULL;
    }
    return true;
}

static bool
tg_parse_hyperv(TgGuestProfile *g, const xmlNode *hv, const char *filename, GError **error)
{
    g_autofree char *mode = tg_xml_prop(hv, "mode");
    xmlNode *el;

    g->hyperv_enabled = true;
    if (g_strcmp0(mode, "passthrough") == 0) {
        /* hv-passthrough enables every enlightenment KVM supports,
         * re-enlightenment and frequencies included, unless the XML says
         * otherwise. */
        g->hv_frequencies = TG_TRI_YES;
        g->hv_reenlightenment = TG_TRI_YES;
    }
    el = tg_xml_child(hv, NULL, "frequencies");
    if (el) {
        TgTri t;
        if (!tg_prop_tri(el, "state", "on", "off", filename, &t, error))
            return false;
        if (t != TG_TRI_UNKNOWN)
            g->hv_frequencies = t;
    }
    el = tg_xml_child(hv, NULL, "reenlightenment");
    if (el) {
        TgTri t;
        if (!tg_prop_tri(el, "state", "on", "off", filename, &t, error))
            return false;
        if (t != TG_TRI_UNKNOWN)
            g->hv_reenlightenment = t;
    }
    return true;
}

static bool
tg_parse_metadata(TgGuestProfile *g, const xmlNode *md, const char *filename, GError **error)
{
    xmlNode *el;

    /* libvirt keeps one element per namespace; take the first. */
    el = tg_xml_child(md, TG_LINEAGE_NS, "lineage");
    if (el) {
        g->lineage = tg_parse_lineage(el, filename, error);
        if (!g->lineage)
            return false;
    }
    el = tg_xml_child(md, TG_TAGS_NS, "tags");
    if (el) {
        for (xmlNode *t = tg_xml_child(el, TG_TAGS_NS, "tag"); t; t = tg_xml_next_same(t)) {
            char *text = tg_xml_text(t);
            if (*text)
                g_ptr_array_add(g->tags, text);
            else
                g_free(text);
        }
    }
    return true;
}

TgGuestProfile *
tg_guest_profile_parse_xml(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(TgGuestProfile) g = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    const char *fname = filename ? filename : "(input)";
    xmlNode *root;
    xmlNode *el;

    doc = tg_xml_parse(buf, len, fname, error);
    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!tg_xml_is(root, NULL, "domain")) {
        g_autofree char *root_ns =
            root->ns && root->ns->href ? tg_escape_untrusted((const char *)root->ns->href) : NULL;

        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: root element is <%s>%s%s%s, expected <domain> (`virsh dumpxml` output)",
                    fname, tg_xml_line(root), (const char *)root->name,
                    root_ns ? " in namespace '" : "", root_ns ? root_ns : "",
                    root_ns ? "'" : "");
        return NULL;
    }

    g = tg_guest_profile_new();
    g->name = tg_child_text(root, "name");
    g->uuid = tg_child_text(root, "uuid");

    el = tg_xml_child(root, NULL, "clock");
    if (el) {
        g->clock_offset = tg_xml_prop(el, "offset");
        if (!tg_parse_timers(g, el, fname, error))
            return NULL;
    }
    el = tg_xml_child(root, NULL, "cpu");
    if (el && !tg_parse_cpu(g, el, fname, error))
        return NULL;
    el = tg_xml_child(root, NULL, "features");
    el = el ? tg_xml_child(el, NULL, "hyperv") : NULL;
    if (el && !tg_parse_hyperv(g, el, fname, error))
        return NULL;
    el = tg_xml_child(root, NULL, "metadata");
    if (el && !tg_parse_metadata(g, el, fname, error))
        return NULL;

    g->dependence = tg_guest_derive_dependence(g);
    return g_steal_pointer(&g);
}

