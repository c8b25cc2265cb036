/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: text and JSON reports of an evaluation (tg-report.h). */
#include <config.h>

#include "tg-report.h"

#include <string.h>

#include "tg-fields.h"

char *
tg_json_string(const char *s)
{
    g_autofree char *body = NULL;

    if (!s)
        return g_strdup("null");
    body = tg_escape(s, TG_ESCAPE_JSON);
    return g_strdup_printf("\"%s\"", body);
}

static const char *
tg_report_verdict_label(const TgEvaluation *e)
{
    if (e->decision->verdict == TG_VERDICT_DENY && e->mode == TG_MODE_AUDIT)
        return "deny (audit mode: allowed)";
    return tg_verdict_to_string(e->decision->verdict);
}

static void
tg_report_hz_line(GString *out, const char *label, guint64 hz, const char *extra)
{
    if (hz) {
        g_autofree char *mhz = tg_format_mhz(hz);
        g_string_append_printf(out, "  %-16s %" G_GUINT64_FORMAT " Hz (%s)%s%s\n",
                               label, hz, mhz, extra ? ", " : "", extra ? extra : "");
    } else {
        g_string_append_printf(out, "  %-16s unknown%s%s\n", label,
                               extra ? ", " : "", extra ? extra : "");
    }
}

char *
tg_report_name_destination(const char *reason, const char *name)
{
    g_autofree char *esc = name ? tg_escape_untrusted(name) : NULL;
    g_autofree char *who = esc ? g_strconcat("destination ", esc, NULL)
                               : g_strdup("the destination");
    g_autofree char *whose = g_strconcat(who, "'s", NULL);
    g_autofree char *advice = g_strdup_printf("publish the facts of %s (tscgate probe "
                                              "--publish) or", who);
    GString *s = g_string_new(reason);

    /* the fix the destination's hook would read; a report made elsewhere
     * did not read that host.xml: the destination publishes its facts */
    g_string_replace(s, "give this host's facts in host.xml or", advice, 0);
    g_string_replace(s, "this host's", whose, 0);
    g_string_replace(s, "this host", who, 0);
    return g_string_free(s, FALSE);
}

/* "  LABEL  VALUE (SOURCE)" / "unknown (REASON)" for every destination fact. */
static void
tg_report_fact_lines(GString *out, const TgHostFacts *f)
{
    gsize n = 0;
    const TgHostFactField *fields = tg_host_facts_fields(&n);

    for (gsize i = 0; i < n; i++) {
        const TgHostFactField *d = &fields[i];
        const void *p = (const char *)f + d->offset;
        const TgFactNote *note = p; /* every fact starts with its note */
        g_autofree char *value = NULL;
        g_autofree char *why = NULL;

        if (!note->known) {
            why = tg_escape_untrusted(note->reason ? note->reason : "no reason given");
            g_string_append_printf(out, "    %-24s unknown (%s)\n", d->element, why);
            continue;
        }
        switch (d->kind) {
        case TG_FACT_STR: {
            const char *v = ((const TgStrFact *)p)->value;

            value = v ? tg_escape_untrusted(v) : g_strdup("not set");
            break;
        }
        case TG_FACT_U64:
            value = g_strdup_printf("%" G_GUINT64_FORMAT, ((const TgU64Fact *)p)->value);
            break;
        case TG_FACT_BOOL:
        default:
            value = g_strdup(((const TgBoolFact *)p)->value ? "yes" : "no");
            break;
        }
        why = tg_escape_untrusted(note->source ? note->source : "no source given");
        g_string_append_printf(out, "    %-24s %s (%s)\n", d->element, value, why);
    }
}

/* The text report's label of a field: the field list's (tg-fields.h). */
#define L(id) (tg_field_def(id)->label)

char *
tg_report_text(const TgGuestProfile *guest, const TgEvaluation *e)
{
    return tg_report_text_dest(guest, e, NULL);
}

char *
tg_report_text_dest(const TgGuestProfile *guest, const TgEvaluation *e, const TgReportDest *dest)
{
    const TgDecision *d = e->decision;
    GString *out = g_string_new(NULL);
    g_autofree char *reason = dest ? tg_report_name_destination(d->reason, dest->name)
                                   : g_strdup(d->reason);
    g_autofree char *name = tg_escape_untrusted(guest->name ? guest->name : "(unnamed)");
    g_autofree char *origin = g_strdup_printf("origin %s",
                                              tg_nominal_origin_to_string(d->guest_hz_origin));
    g_autofree char *scaling = g_strdup_printf("scaling %s", tg_tri_to_string(d->dest_scaling));

    g_string_append_printf(out, "%s: %s\n", tg_report_verdict_label(e), reason);
    g_string_append_printf(out, "  %-16s %s%s%s\n", L(TG_F_GUEST), name,
                           guest->uuid ? " " : "", guest->uuid ? guest->uuid : "");
    g_string_append_printf(out, "  %-16s %s\n", L(TG_F_CLOCK_CLASS), tg_dependence_to_string(d->dependence));
    tg_report_hz_line(out, L(TG_F_GUEST_HZ), d->guest_hz, origin);
    tg_report_hz_line(out, L(TG_F_DEST_HZ), d->dest_hz, scaling);
    if (d->window_hi)
        g_string_append_printf(out, "  %-16s [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                               "] Hz (+/-%u ppm)\n", L(TG_F_WINDOW_LO), d->window_lo, d->window_hi,
                               d->tolerance_ppm);
    tg_report_hz_line(out, L(TG_F_EFFECTIVE_HZ), d->effective_hz,
                      d->effective_changed ? "rate changes" : NULL);
    g_string_append_printf(out, "  %-16s %s (rule %d)\n", L(TG_F_CODE), d->code, d->rule);
    if (d->policy_rule)
        g_string_append_printf(out, "  %-16s %s\n", L(TG_F_POLICY_RULE), d->policy_rule);
    if (e->why)
        g_string_append_printf(out, "  %-16s %s\n", L(TG_F_POLICY_WHY), e->why);
    if (e->source_from_lineage) {
        g_string_append_printf(out, "  %-16s %s\n", L(TG_F_SOURCE), "from the guest's lineage record");
    } else if (dest && dest->source_from) {
        g_autofree char *sf = tg_escape_untrusted(dest->source_from);

        g_string_append_printf(out, "  %-16s facts from %s\n", L(TG_F_SOURCE), sf);
    } else if (dest) {
        g_string_append_printf(out, "  %-16s %s\n", L(TG_F_SOURCE),
                               "none given and no lineage record");
    }
    if (dest) {
        g_autofree char *dname = dest->name ? tg_escape_untrusted(dest->name)
                                            : g_strdup("the destination");
        g_autofree char *from = tg_escape_untrusted(dest->facts_from);
        g_autofree char *policy = tg_escape_untrusted(dest->policy_note);

        g_string_append_printf(out, "  %-16s %s, %s\n", L(TG_F_DESTINATION), dname, from);
        g_string_append_printf(out, "  %-16s %s\n", "dest policy", policy);
        if (dest->facts) {
            g_string_append_printf(out, "  %-16s every fact of %s and where it came from:\n",
                                   "dest facts", dname);
            tg_report_fact_lines(out, dest->facts);
        }
    }
    return g_string_free(out, FALSE);
}

char *
tg_report_json(const TgGuestProfile *guest, const TgEvaluation *e)
{
    return tg_report_json_dest(guest, e, NULL);
}

char *
tg_report_json_dest(const TgGuestProfile *guest, const TgEvaluation *e, const TgReportDest *dest)
{
    const TgDecision *d = e->decision;
    g_auto(TgFields) f = { 0 };
    g_autofree char *members = NULL;
    g_autofree char *extra = NULL;
    bool skip[TG_F_COUNT] = { false };

    tg_fields_from_evaluation(&f, guest, e);
    if (dest) {
        g_autofree char *named = tg_report_name_destination(d->reason, dest->name);
        g_autofree char *from = tg_json_string(dest->facts_path);
        g_autofree char *policy = tg_json_string(dest->policy_note);

        tg_fields_set(&f, TG_F_REASON, named);
        tg_fields_set(&f, TG_F_DESTINATION, dest->name);
        if (dest->source_name)
            tg_fields_set(&f, TG_F_SOURCE, dest->source_name);
        tg_fields_set(&f, TG_F_POLICY_DIGEST, dest->policy_digest);
        extra = g_strdup_printf(",\"dest_facts_from\":%s,\"dest_policy_known\":%s,"
                                "\"dest_policy\":%s", from,
                                dest->policy_known ? "true" : "false", policy);
    } else {
        /* a report without a destination: where it goes is not known */
        skip[TG_F_DESTINATION] = true;
    }
    members = tg_fields_json_members(&f, skip);
    return g_strdup_printf("{%s%s}\n", members, extra ? extra : "");
}

int
tg_report_exit_status(const TgEvaluation *e)
{
    return tg_evaluation_allows(e) ? TG_EXIT_ALLOW : TG_EXIT_DENY;
}
