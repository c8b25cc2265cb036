/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the one list of a decision's fields (tg-fields.h). */
#include <config.h>

#include "tg-fields.h"

#include <string.h>

static const TgFieldDef tg_field_defs[TG_F_COUNT] = {
    [TG_F_VERDICT] = { "verdict", TG_FIELD_TEXT, "verdict", true, false, "unknown", NULL },
    [TG_F_ALLOWED] = { "allowed", TG_FIELD_BOOL, "allowed", true, false, "unknown", NULL },
    [TG_F_MODE] = { "mode", TG_FIELD_TEXT, "mode", true, false, "unknown", NULL },
    [TG_F_CODE] = { "code", TG_FIELD_TEXT, "reason code", true, false, "unknown", NULL },
    [TG_F_RULE] = { "rule", TG_FIELD_NUMBER, "rule", true, false, "unknown", NULL },
    [TG_F_REASON] = { "reason", TG_FIELD_TEXT, "reason", false, false, "unknown", NULL },
    [TG_F_GUEST] = { "guest", TG_FIELD_TEXT, "guest", true, true, "", NULL },
    [TG_F_UUID] = { "uuid", TG_FIELD_TEXT, "uuid", true, true, "", NULL },
    [TG_F_CLOCK_CLASS] = { "clock_class", TG_FIELD_TEXT, "clock class", true, false, "unknown", NULL },
    [TG_F_GUEST_HZ] = { "guest_hz", TG_FIELD_NUMBER, "guest TSC", true, false, "unknown", "Hz" },
    [TG_F_GUEST_HZ_ORIGIN] = { "guest_hz_origin", TG_FIELD_TEXT, "guest TSC origin", true, false, "unknown", NULL },
    [TG_F_DEST_HZ] = { "dest_hz", TG_FIELD_NUMBER, "destination TSC", true, false, "unknown", "Hz" },
    [TG_F_DEST_SCALING] = { "dest_scaling", TG_FIELD_TEXT, "dest scaling", true, false, "unknown", NULL },
    [TG_F_WINDOW_LO] = { "window_lo", TG_FIELD_NUMBER, "window low", true, false, "unknown", "Hz" },
    [TG_F_WINDOW_HI] = { "window_hi", TG_FIELD_NUMBER, "window high", true, false, "unknown", "Hz" },
    [TG_F_TOLERANCE_PPM] = { "tolerance_ppm", TG_FIELD_NUMBER, "tolerance", true, false, "unknown", "ppm" },
    [TG_F_EFFECTIVE_HZ] = { "effective_hz", TG_FIELD_NUMBER, "effective TSC", true, false, "unknown", "Hz" },
    [TG_F_EFFECTIVE_CHANGED] = { "effective_changed", TG_FIELD_BOOL, "rate changes", true, false, "unknown", NULL },
    [TG_F_POLICY_RULE] = { "policy_rule", TG_FIELD_TEXT, "policy rule", true, false, "", NULL },
    [TG_F_POLICY_WHY] = { "policy_why", TG_FIELD_TEXT, "policy why", true, false, "", NULL },
    [TG_F_OP] = { "op", TG_FIELD_TEXT, "operation", true, false, "unknown", NULL },
    [TG_F_SOURCE] = { "source", TG_FIELD_TEXT, "source host", true, true, "unknown", NULL },
    [TG_F_POLICY_DIGEST] = { "policy_digest", TG_FIELD_TEXT, "policy digest", true, false, "unknown", NULL },
    [TG_F_TSCGATE_VERSION] = { "tscgate_version", TG_FIELD_TEXT, "tscgate version", true, false, "unknown", NULL },
    [TG_F_DESTINATION] = { "destination", TG_FIELD_TEXT, "destination", true, true, "unknown", NULL },
};

const TgFieldDef *
tg_field_def(TgFieldId id)
{
    g_return_val_if_fail(id < TG_F_COUNT, NULL);
    return &tg_field_defs[id];
}

TgFieldId
tg_field_by_name(const char *name)
{
    for (int i = 0; i < TG_F_COUNT; i++)
        if (g_strcmp0(tg_field_defs[i].name, name) == 0)
            return (TgFieldId)i;
    return TG_F_COUNT;
}

/* Forget field `id`'s value, freeing it when owned. */
static void
tg_fields_drop(TgFields *f, TgFieldId id)
{
    if (!f->borrowed[id])
        g_free(f->v[id]);
    f->v[id] = NULL;
    f->borrowed[id] = false;
}

void
tg_fields_set(TgFields *f, TgFieldId id, const char *value)
{
    g_return_if_fail(id < TG_F_COUNT);
    /* the same value again (a plan sets a row's fields pair after pair) */
    if (!f->borrowed[id] && g_strcmp0(f->v[id], value) == 0)
        return;
    tg_fields_drop(f, id);
    f->v[id] = g_strdup(value);
}

void
tg_fields_set_static(TgFields *f, TgFieldId id, const char *value)
{
    g_return_if_fail(id < TG_F_COUNT);
    tg_fields_drop(f, id);
    f->v[id] = (char *)value;
    f->borrowed[id] = value != NULL;
}

void
tg_fields_set_u64(TgFields *f, TgFieldId id, guint64 value, bool known)
{
    g_return_if_fail(id < TG_F_COUNT);
    tg_fields_drop(f, id);
    if (!known)
        return;
    g_snprintf(f->num[id], sizeof(f->num[id]), "%" G_GUINT64_FORMAT, value);
    f->v[id] = f->num[id];
    f->borrowed[id] = true;
}

void
tg_fields_clear(TgFields *f)
{
    for (int i = 0; i < TG_F_COUNT; i++)
        tg_fields_drop(f, (TgFieldId)i);
}

void
tg_fields_from_evaluation(TgFields *f, const TgGuestProfile *guest, const TgEvaluation *e)
{
    const TgDecision *d = e->decision;
    const TgHop *hop = guest ? tg_lineage_last_hop(guest->lineage) : NULL;
    bool window = d->window_hi != 0;

    tg_fields_set_static(f, TG_F_VERDICT, tg_verdict_to_string(d->verdict));
    tg_fields_set_static(f, TG_F_ALLOWED, tg_evaluation_allows(e) ? "yes" : "no");
    tg_fields_set_static(f, TG_F_MODE, tg_mode_to_string(e->mode));
    tg_fields_set_static(f, TG_F_CODE, d->code);
    tg_fields_set_u64(f, TG_F_RULE, (guint64)MAX(d->rule, 0), true);
    tg_fields_set(f, TG_F_REASON, d->reason);
    tg_fields_set(f, TG_F_GUEST, guest ? guest->name : NULL);
    tg_fields_set(f, TG_F_UUID, guest ? guest->uuid : NULL);
    tg_fields_set_static(f, TG_F_CLOCK_CLASS, tg_dependence_to_string(d->dependence));
    tg_fields_set_u64(f, TG_F_GUEST_HZ, d->guest_hz, d->guest_hz != 0);
    tg_fields_set_static(f, TG_F_GUEST_HZ_ORIGIN,
                         d->guest_hz_origin == TG_NOMINAL_UNKNOWN
                             ? NULL : tg_nominal_origin_to_string(d->guest_hz_origin));
    tg_fields_set_u64(f, TG_F_DEST_HZ, d->dest_hz, d->dest_hz != 0);
    tg_fields_set_static(f, TG_F_DEST_SCALING, d->dest_scaling == TG_TRI_UNKNOWN
                                                   ? NULL : tg_tri_to_string(d->dest_scaling));
    tg_fields_set_u64(f, TG_F_WINDOW_LO, d->window_lo, window);
    tg_fields_set_u64(f, TG_F_WINDOW_HI, d->window_hi, window);
    tg_fields_set_u64(f, TG_F_TOLERANCE_PPM, d->tolerance_ppm, true);
    tg_fields_set_u64(f, TG_F_EFFECTIVE_HZ, d->effective_hz, d->effective_hz != 0);
    /* "no" is known only with the rate it keeps */
    tg_fields_set_static(f, TG_F_EFFECTIVE_CHANGED,
                         d->effective_changed ? "yes" : d->effective_hz ? "no" : NULL);
    tg_fields_set(f, TG_F_POLICY_RULE, d->policy_rule);
    tg_fields_set(f, TG_F_POLICY_WHY, e->why);
    tg_fields_set_static(f, TG_F_OP, "migrate");
    tg_fields_set(f, TG_F_SOURCE, e->source_from_lineage && hop ? hop->host : NULL);
    tg_fields_set_static(f, TG_F_TSCGATE_VERSION, PACKAGE_VERSION);
}

char *
tg_fields_json_members(const TgFields *f, const bool *skip)
{
    GString *out = g_string_new(NULL);

    tg_fields_json_append(out, f, skip);
    return g_string_free(out, FALSE);
}

void
tg_fields_json_append(GString *out, const TgFields *f, const bool *skip)
{
    bool first = true;

    for (int i = 0; i < TG_F_COUNT; i++) {
        const TgFieldDef *def = &tg_field_defs[i];
        const char *v = f->v[i];

        if (skip && skip[i])
            continue;
        /* `,"name":` in one append (GLib 2.74 does not inline them) */
        {
            char key[64];
            gsize n = strlen(def->name), k = 0;

            if (!first)
                key[k++] = ',';
            key[k++] = '"';
            memcpy(key + k, def->name, n);
            k += n;
            key[k++] = '"';
            key[k++] = ':';
            g_string_append_len(out, key, (gssize)k);
        }
        first = false;
        if (!v) {
            g_string_append(out, "null");
        } else if (def->type == TG_FIELD_BOOL) {
            g_string_append(out, strcmp(v, "yes") == 0 ? "true" : "false");
        } else if (def->type == TG_FIELD_NUMBER) {
            g_string_append(out, v);
        } else {
            tg_json_string_append(out, v);
        }
    }
}

void
tg_fields_text_append(GString *out, const TgFields *f, const bool *skip)
{
    for (int i = 0; i < TG_F_COUNT; i++) {
        const TgFieldDef *def = &tg_field_defs[i];
        const char *v = f->v[i];
        g_autofree char *esc = NULL;

        if ((skip && skip[i]) || (!v && !*def->record_null))
            continue;
        if (!v) {
            g_string_append_printf(out, "  %-16s unknown\n", def->label);
            continue;
        }
        esc = tg_escape_untrusted(v);
        if (def->unit && strcmp(def->unit, "Hz") == 0) {
            g_autofree char *mhz = tg_format_mhz(g_ascii_strtoull(v, NULL, 10));

            g_string_append_printf(out, "  %-16s %s Hz (%s)\n", def->label, esc, mhz);
        } else if (def->unit) {
            g_string_append_printf(out, "  %-16s %s %s\n", def->label, esc, def->unit);
        } else {
            g_string_append_printf(out, "  %-16s %s\n", def->label, esc);
        }
    }
}
