/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: text and JSON reports of an evaluation (tg-report.h). */
#include <config.h>

#include "tg-report.h"

#include <string.h>

#include "tg-fields.h"

static const char *
tg_report_verdict_label(const TgEvaluation *e)
{
    if (e->decision->verdict == TG_VERDICT_DENY && e->mode == TG_MODE_AUDIT)
        return "deny (audit mode: allowed)";
    return tg_verdict_to_string(e->decision->verdict);
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

char *
tg_report_text(const TgGuestProfile *guest, const TgEvaluation *e)
{
    return tg_report_text_dest(guest, e, NULL);
}

/* The decision's fields (tg-fields.h) as this report gives them: the
 * reason naming the destination, and what the caller knows of the
 * destination, the source and the policy. */
static void
tg_report_fields(TgFields *f, const TgGuestProfile *guest, const TgEvaluation *e,
                 const TgReportDest *dest)
{
    tg_fields_from_evaluation(f, guest, e);
    if (!dest)
        return;
    {
        g_autofree char *named = tg_report_name_destination(e->decision->reason, dest->name);

        tg_fields_set(f, TG_F_REASON, named);
    }
    tg_fields_set(f, TG_F_DESTINATION, dest->name);
    if (dest->source_name)
        tg_fields_set(f, TG_F_SOURCE, dest->source_name);
    tg_fields_set(f, TG_F_POLICY_DIGEST, dest->policy_digest);
}

char *
tg_report_text_dest(const TgGuestProfile *guest, const TgEvaluation *e, const TgReportDest *dest)
{
    GString *out = g_string_new(NULL);
    g_auto(TgFields) f = { 0 };
    /* the verdict and the reason are the first line */
    bool skip[TG_F_COUNT] = { [TG_F_VERDICT] = true, [TG_F_REASON] = true,
                              [TG_F_DESTINATION] = !dest };
    g_autofree char *reason = NULL;

    tg_report_fields(&f, guest, e, dest);
    reason = tg_escape(f.v[TG_F_REASON], TG_ESCAPE_CONTROLS);
    g_string_append_printf(out, "%s: %s\n", tg_report_verdict_label(e), reason);
    tg_fields_text_append(out, &f, skip);
    /* what only this report says: where the facts it decided with came from */
    if (e->source_from_lineage) {
        g_string_append_printf(out, "  %-16s %s\n", "source facts", "from the guest's lineage record");
    } else if (dest && dest->source_from) {
        g_autofree char *sf = tg_escape_untrusted(dest->source_from);

        g_string_append_printf(out, "  %-16s facts from %s\n", "source facts", sf);
    } else if (dest) {
        g_string_append_printf(out, "  %-16s %s\n", "source facts",
                               "none given and no lineage record");
    }
    if (dest) {
        g_autofree char *dname = dest->name ? tg_escape_untrusted(dest->name)
                                            : g_strdup("the destination");
        g_autofree char *from = tg_escape_untrusted(dest->facts_from);
        g_autofree char *policy = tg_escape_untrusted(dest->policy_note);

        g_string_append_printf(out, "  %-16s %s\n", "dest facts", from);
        g_string_append_printf(out, "  %-16s %s\n", "dest policy", policy);
        if (dest->facts) {
            g_string_append_printf(out, "  every fact of %s and where it came from:\n", dname);
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
tg_report_json_members_dest(const TgGuestProfile *guest, const TgEvaluation *e,
                            const TgReportDest *dest)
{
    g_auto(TgFields) f = { 0 };
    /* a report without a destination: where it goes is not known */
    bool skip[TG_F_COUNT] = { [TG_F_DESTINATION] = !dest };
    GString *out = g_string_new(NULL);

    tg_report_fields(&f, guest, e, dest);
    tg_fields_json_append(out, &f, skip);
    if (dest) {
        g_autofree char *from = tg_json_string(dest->facts_path);
        g_autofree char *policy = tg_json_string(dest->policy_note);

        g_string_append_printf(out, ",\"dest_facts_from\":%s,\"dest_policy_known\":%s,"
                               "\"dest_policy\":%s", from,
                               dest->policy_known ? "true" : "false", policy);
    }
    return g_string_free(out, FALSE);
}

char *
tg_report_json_dest(const TgGuestProfile *guest, const TgEvaluation *e, const TgReportDest *dest)
{
    g_autofree char *members = tg_report_json_members_dest(guest, e, dest);

    return g_strdup_printf("{%s}\n", members);
}

int
tg_report_exit_status(const TgEvaluation *e)
{
    return tg_evaluation_allows(e) ? TG_EXIT_ALLOW : TG_EXIT_DENY;
}
