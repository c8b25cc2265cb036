/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the pinned-rate chooser and the definition edit (tg-pin.h). */
#include <config.h>

#include <string.h>

#include "tg-evaluate.h"
#include "tg-pin.h"
#include "tg-xml.h"

void
tg_pin_profile(const TgGuestProfile *guest, guint64 hz, TgGuestProfile *out)
{
    *out = *guest;
    out->has_explicit_hz = true;
    out->explicit_hz = hz;
    out->first_explicit_hz = hz;
    out->lineage = NULL;
    out->dependence = tg_guest_derive_dependence(out);
}

struct _TgPinTable {
    TgHostFacts *const *hosts;  /* borrowed */
    gsize n_hosts;
    TgSettings settings;        /* the pinned guest's, from the policy */
    TgGuestProfile pinned;      /* shallow copy of the guest (borrowed pointers) */
    GArray *rates;              /* guint64, ascending, distinct */
    GArray *host_rate;          /* gboolean per rate: some host's own rate */
    guint8 *fits;               /* rates x hosts */
    gsize *counts;              /* per rate */
};

static gint
tg_u64_cmp(gconstpointer a, gconstpointer b)
{
    guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

    return x < y ? -1 : x > y;
}

/* Does the guest pinned at `hz` boot and run on `host`? */
static bool
tg_pin_fits(TgPinTable *t, guint64 hz, const TgHostFacts *host)
{
    TgDecision d;

    t->pinned.explicit_hz = t->pinned.first_explicit_hz = hz;
    tg_evaluate_outcome(&t->pinned, host, &t->settings, &d);
    return d.verdict != TG_VERDICT_DENY;
}

TgPinTable *
tg_pin_table_new(const TgGuestProfile *guest, const TgPolicy *policy,
                 TgHostFacts *const *hosts, gsize n_hosts)
{
    TgPinTable *t = g_new0(TgPinTable, 1);
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(guint64));
    TgMode mode;
    gsize n;

    t->hosts = hosts;
    t->n_hosts = n_hosts;
    for (gsize i = 0; i < n_hosts; i++) {
        const TgHostFacts *h = hosts[i];
        guint64 hz = h->tsc_hz.note.known ? h->tsc_hz.value : 0;

        if (!hz)
            continue;
        g_array_append_val(all, hz);
    }
    /* the settings do not depend on the rate: take them at the first one */
    tg_pin_profile(guest, all->len ? g_array_index(all, guint64, 0) : 1, &t->pinned);
    tg_evaluate_settings(&t->pinned, policy, &t->settings, &mode, NULL);
    n = all->len;
    for (gsize i = 0; i < n; i++) {
        guint64 hz = g_array_index(all, guint64, i), lo, hi;

        tg_tolerance_window(hz, t->settings.tolerance_ppm, &lo, &hi);
        g_array_append_val(all, lo);
        g_array_append_val(all, hi);
    }
    g_array_sort(all, tg_u64_cmp);
    t->rates = g_array_new(FALSE, FALSE, sizeof(guint64));
    t->host_rate = g_array_new(FALSE, FALSE, sizeof(gboolean));
    for (guint i = 0; i < all->len; i++) {
        guint64 hz = g_array_index(all, guint64, i);

        if (t->rates->len && g_array_index(t->rates, guint64, t->rates->len - 1) == hz)
            continue;
        g_array_append_val(t->rates, hz);
    }
    for (guint i = 0; i < t->rates->len; i++) {
        guint64 hz = g_array_index(t->rates, guint64, i);
        gboolean is_own = FALSE;

        for (gsize j = 0; j < n_hosts && !is_own; j++)
            is_own = hosts[j]->tsc_hz.note.known && hosts[j]->tsc_hz.value == hz;
        g_array_append_val(t->host_rate, is_own);
    }
    t->fits = g_new0(guint8, (gsize)t->rates->len * MAX(n_hosts, 1));
    t->counts = g_new0(gsize, MAX(t->rates->len, 1));
    for (guint r = 0; r < t->rates->len; r++) {
        guint64 hz = g_array_index(t->rates, guint64, r);

        for (gsize j = 0; j < n_hosts; j++) {
            if (tg_pin_fits(t, hz, hosts[j])) {
                t->fits[(gsize)r * n_hosts + j] = 1;
                t->counts[r]++;
            }
        }
    }
    return t;
}

void
tg_pin_table_free(TgPinTable *t)
{
    if (!t)
        return;
    if (t->rates)
        g_array_unref(t->rates);
    if (t->host_rate)
        g_array_unref(t->host_rate);
    g_free(t->fits);
    g_free(t->counts);
    g_free(t);
}

bool
tg_pin_table_applies(const TgPinTable *t, const TgGuestProfile *guest, const TgPolicy *policy)
{
    TgGuestProfile pinned;
    TgSettings s;
    TgMode mode;

    if (guest->kind != t->pinned.kind)
        return false;
    tg_pin_profile(guest, t->pinned.explicit_hz, &pinned);
    tg_evaluate_settings(&pinned, policy, &s, &mode, NULL);
    /* both from tg_settings_init (memset) and the same policy: equal
     * bytes are equal settings */
    return memcmp(&s, &t->settings, sizeof(s)) == 0;
}

/* How many hosts but `exclude` fit rate `hz`, evaluated afresh. */
static gsize
tg_pin_count(TgPinTable *t, guint64 hz, gsize exclude)
{
    gsize n = 0;

    for (gsize j = 0; j < t->n_hosts; j++)
        if (j != exclude && tg_pin_fits(t, hz, t->hosts[j]))
            n++;
    return n;
}

bool
tg_pin_table_best(const TgPinTable *t, gsize exclude, guint64 prefer_hz, TgPinChoice *out)
{
    gssize best = -1;
    gsize best_n = 0;

    out->hz = 0;
    out->n_hosts = 0;
    for (guint r = 0; r < t->rates->len; r++) {
        gsize n = t->counts[r];
        guint64 hz = g_array_index(t->rates, guint64, r);
        bool better;

        if (exclude < t->n_hosts && t->fits[(gsize)r * t->n_hosts + exclude])
            n--;
        if (!n)
            continue;
        if (best < 0 || n > best_n) {
            better = true;
        } else if (n < best_n) {
            better = false;
        } else {
            gboolean own_r = g_array_index(t->host_rate, gboolean, r);
            gboolean own_b = g_array_index(t->host_rate, gboolean, best);
            guint64 best_hz = g_array_index(t->rates, guint64, best);

            if (own_r != own_b)
                better = own_r;
            else
                better = prefer_hz && hz == prefer_hz && best_hz != prefer_hz;
        }
        if (better) {
            best = r;
            best_n = n;
        }
    }
    if (best < 0)
        return false;
    out->hz = g_array_index(t->rates, guint64, best);
    out->n_hosts = best_n;
    if (!g_array_index(t->host_rate, gboolean, best)) {
        /* A window edge: the middle of the windows of the hosts without
         * scaling it fits is as good and not at the edge of any. */
        guint64 lo = 0, hi = G_MAXUINT64;
        TgPinTable *mt = (TgPinTable *)t;   /* the scratch profile only */

        for (gsize j = 0; j < t->n_hosts; j++) {
            const TgHostFacts *h = t->hosts[j];
            guint64 wlo, whi;

            if (j == exclude || !t->fits[(gsize)best * t->n_hosts + j] ||
                tg_bool_fact_tri(&h->tsc_scaling) == TG_TRI_YES)
                continue;
            tg_tolerance_window(h->tsc_hz.value, t->settings.tolerance_ppm, &wlo, &whi);
            lo = MAX(lo, wlo);
            hi = MIN(hi, whi);
        }
        if (lo && hi != G_MAXUINT64 && lo <= hi) {
            guint64 mid = lo + (hi - lo) / 2;

            if (tg_pin_count(mt, mid, exclude) >= best_n)
                out->hz = mid;
        }
    }
    return true;
}

bool
tg_pin_choose(const TgGuestProfile *guest, const TgPolicy *policy,
              TgHostFacts *const *hosts, gsize n_hosts, TgPinChoice *out)
{
    g_autoptr(TgPinTable) t = tg_pin_table_new(guest, policy, hosts, n_hosts);

    return tg_pin_table_best(t, G_MAXSIZE, 0, out);
}

/* ---- the definition edit ---- */

char *
tg_pin_edit_xml(const char *xml, gsize len, const char *filename, guint64 hz, bool force,
                GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlBuffer *buf = NULL;
    char *out;
    g_autofree char *value = g_strdup_printf("%" G_GUINT64_FORMAT, hz);
    xmlNode *root, *clock = NULL, *last_tsc = NULL;
    guint64 pinned = 0;

    if (hz == 0) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "a TSC rate of 0 Hz cannot be pinned");
        return NULL;
    }
    if (!(doc = tg_xml_parse(xml, len, filename, error)))
        return NULL;
    if (!(root = tg_xml_root(doc, NULL, "domain", "a libvirt domain definition", error)))
        return NULL;
    clock = tg_xml_child(root, NULL, "clock");
    if (clock) {
        for (xmlNode *t = tg_xml_child(clock, NULL, "timer"); t; t = tg_xml_next_same(t)) {
            g_autofree char *name = tg_xml_prop(t, "name");
            g_autofree char *freq = NULL;

            if (g_strcmp0(name, "tsc") != 0)
                continue;
            last_tsc = t;
            if ((freq = tg_xml_prop(t, "frequency"))) {
                guint64 v = 0;

                if (!tg_parse_u64(freq, &v) || v == 0)
                    v = 1; /* pins something, if not a rate */
                pinned = v;
            }
        }
    }
    if (pinned && !force) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s already pins a TSC rate (<timer name='tsc' frequency='%" G_GUINT64_FORMAT
                    "'/>); give --force to replace it", filename ? filename : TG_STDIN_NAME,
                    pinned);
        return NULL;
    }
    if (!clock) {
        clock = xmlNewChild(root, NULL, BAD_CAST "clock", NULL);
        xmlNewProp(clock, BAD_CAST "offset", BAD_CAST "utc");
    }
    if (pinned) {
        for (xmlNode *t = tg_xml_child(clock, NULL, "timer"); t; t = tg_xml_next_same(t)) {
            g_autofree char *name = tg_xml_prop(t, "name");
            g_autofree char *freq = tg_xml_prop(t, "frequency");

            if (g_strcmp0(name, "tsc") == 0 && freq)
                xmlSetProp(t, BAD_CAST "frequency", BAD_CAST value);
        }
    } else if (last_tsc) {
        xmlSetProp(last_tsc, BAD_CAST "frequency", BAD_CAST value);
    } else {
        xmlNode *t = xmlNewChild(clock, NULL, BAD_CAST "timer", NULL);

        xmlNewProp(t, BAD_CAST "name", BAD_CAST "tsc");
        xmlNewProp(t, BAD_CAST "frequency", BAD_CAST value);
    }
    buf = xmlBufferCreate();
    if (!buf || xmlNodeDump(buf, doc, root, 0, 0) < 0) {
        if (buf)
            xmlBufferFree(buf);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "cannot serialise the edited definition");
        return NULL;
    }
    out = g_strndup((const char *)xmlBufferContent(buf), xmlBufferLength(buf));
    xmlBufferFree(buf);
    return out;
}
