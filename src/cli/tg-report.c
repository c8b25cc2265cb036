/* tscgate: text and JSON reports of an evaluation (tg-report.h). */
#include <config.h>

#include "tg-report.h"

#include <string.h>

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
tg_report_text(const TgGuestProfile *guest, const TgEvaluation *e)
{
    const TgDecision *d = e->decision;
    GString *out = g_string_new(NULL);
    g_autofree char *name = tg_escape_untrusted(guest->name ? guest->name : "(unnamed)");
    g_autofree char *origin = g_strdup_printf("origin %s",
                                              tg_nominal_origin_to_string(d->guest_hz_origin));
    g_autofree char *scaling = g_strdup_printf("scaling %s", tg_tri_to_string(d->dest_scaling));

    g_string_append_printf(out, "%s: %s\n", tg_report_verdict_label(e), d->reason);
    g_string_append_printf(out, "  %-16s %s%s%s\n", "guest", name,
                           guest->uuid ? " " : "", guest->uuid ? guest->uuid : "");
    g_string_append_printf(out, "  %-16s %s\n", "clock class", tg_dependence_to_string(d->dependence));
    tg_report_hz_line(out, "guest TSC", d->guest_hz, origin);
    tg_report_hz_line(out, "destination TSC", d->dest_hz, scaling);
    if (d->window_hi)
        g_string_append_printf(out, "  %-16s [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                               "] Hz (+/-%u ppm)\n", "window", d->window_lo, d->window_hi,
                               d->tolerance_ppm);
    tg_report_hz_line(out, "effective TSC", d->effective_hz,
                      d->effective_changed ? "rate changes" : NULL);
    g_string_append_printf(out, "  %-16s %s (rule %d)\n", "reason code", d->code, d->rule);
    if (d->policy_rule)
        g_string_append_printf(out, "  %-16s %s\n", "policy rule", d->policy_rule);
    if (e->why)
        g_string_append_printf(out, "  %-16s %s\n", "policy", e->why);
    if (e->source_from_lineage)
        g_string_append_printf(out, "  %-16s %s\n", "source host", "from the guest's lineage record");
    return g_string_free(out, FALSE);
}

char *
tg_report_json(const TgGuestProfile *guest, const TgEvaluation *e)
{
    const TgDecision *d = e->decision;
    g_autofree char *name = tg_json_string(guest->name);
    g_autofree char *uuid = tg_json_string(guest->uuid);
    g_autofree char *reason = tg_json_string(d->reason);
    g_autofree char *rule = tg_json_string(d->policy_rule);
    g_autofree char *why = tg_json_string(e->why);

    return g_strdup_printf(
        "{\"verdict\":\"%s\",\"allowed\":%s,\"mode\":\"%s\",\"code\":\"%s\",\"rule\":%d,"
        "\"reason\":%s,\"guest\":%s,\"uuid\":%s,\"clock_class\":\"%s\","
        "\"guest_hz\":%" G_GUINT64_FORMAT ",\"guest_hz_origin\":\"%s\","
        "\"dest_hz\":%" G_GUINT64_FORMAT ",\"dest_scaling\":\"%s\","
        "\"window_lo\":%" G_GUINT64_FORMAT ",\"window_hi\":%" G_GUINT64_FORMAT ","
        "\"tolerance_ppm\":%u,\"effective_hz\":%" G_GUINT64_FORMAT ",\"effective_changed\":%s,"
        "\"policy_rule\":%s,\"policy_why\":%s}\n",
        tg_verdict_to_string(d->verdict), tg_evaluation_allows(e) ? "true" : "false",
        tg_mode_to_string(e->mode), d->code, d->rule, reason, name, uuid,
        tg_dependence_to_string(d->dependence), d->guest_hz,
        tg_nominal_origin_to_string(d->guest_hz_origin), d->dest_hz,
        tg_tri_to_string(d->dest_scaling), d->window_lo, d->window_hi, d->tolerance_ppm,
        d->effective_hz, d->effective_changed ? "true" : "false", rule, why);
}

int
tg_report_exit_status(const TgEvaluation *e)
{
    return tg_evaluation_allows(e) ? TG_EXIT_ALLOW : TG_EXIT_DENY;
}
