/* tscgate: the human checklist of `tscgate probe --human` (see
 * tg-checklist.h). */
#include <config.h>

#include "tg-checklist.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Human checklist                                                     */
/* ------------------------------------------------------------------ */

/* Width of "label ....." before " : ", as virt-host-validate pads its
 * "Checking ..." column to a fixed width. */
#define TG_HUMAN_LABEL_WIDTH 52

const char *
tg_check_level_to_string(TgCheckLevel l)
{
    switch (l) {
    case TG_CHECK_PASS:
        return "PASS";
    case TG_CHECK_WARN:
        return "WARN";
    case TG_CHECK_FAIL:
        return "FAIL";
    case TG_CHECK_INFO:
    default:
        return "INFO";
    }
}

/* Append "  LABEL ....... : [VALUE][ LEVEL][ (HINT)]\n". */
static void
tg_human_line(GString *out, TgCheckLevel *worst, const char *label, const char *value,
              TgCheckLevel level, const char *hint)
{
    gsize len = strlen(label);
    bool any = false;

    g_string_append_printf(out, "  %s ", label);
    for (gsize i = len + 1; i < TG_HUMAN_LABEL_WIDTH || i < len + 4; i++)
        g_string_append_c(out, '.');
    g_string_append(out, " :");
    if (value) {
        g_string_append_printf(out, " %s", value);
        any = true;
    }
    if (level != TG_CHECK_INFO) {
        g_string_append_printf(out, " %s", tg_check_level_to_string(level));
        any = true;
    }
    if (hint)
        g_string_append_printf(out, any ? " (%s)" : " %s", hint);
    g_string_append_c(out, '\n');
    if (level > *worst)
        *worst = level;
}

static char *
tg_unknown_text(const TgFactNote *n)
{
    g_autofree char *esc = tg_escape_untrusted(n->reason ? n->reason : "no reason given");

    return g_strdup_printf("unknown (%s)", esc);
}

/* A string fact shown as its (escaped) value, or "unknown (reason)"; no
 * judgement. */
static void
tg_human_str_info(GString *out, TgCheckLevel *worst, const char *label, const TgStrFact *f)
{
    g_autofree char *text = f->note.known ? tg_escape_untrusted(f->value)
                                          : tg_unknown_text(&f->note);

    tg_human_line(out, worst, label, text, TG_CHECK_INFO, NULL);
}

/* An invariance flag: PASS when present, FAIL when absent, WARN unknown. */
static void
tg_human_flag(GString *out, TgCheckLevel *worst, const char *label, const TgBoolFact *b,
              const char *fail_hint)
{
    if (!b->note.known) {
        g_autofree char *u = tg_unknown_text(&b->note);

        tg_human_line(out, worst, label, u, TG_CHECK_WARN, NULL);
    } else if (b->value) {
        tg_human_line(out, worst, label, NULL, TG_CHECK_PASS, NULL);
    } else {
        tg_human_line(out, worst, label, NULL, TG_CHECK_FAIL, fail_hint);
    }
}

static char *
tg_format_khz_as_mhz(guint64 khz)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT ".%03u MHz", khz / 1000,
                           (unsigned)(khz % 1000));
}

char *
tg_probe_format_human(const TgHostFacts *f, TgCheckLevel *worst_out)
{
    GString *out = g_string_new(NULL);
    TgCheckLevel worst = TG_CHECK_INFO;
    guint64 ppm = f->kvm_tolerance_ppm.note.known ? f->kvm_tolerance_ppm.value : 250;
    g_autofree char *mhz = f->tsc_hz.note.known ? tg_format_mhz(f->tsc_hz.value) : NULL;
    const char *invariant_hint = "TSC not invariant: guests reading the TSC directly will drift";

    /* Host name, vendor: values only. */
    tg_human_str_info(out, &worst, "Host name", &f->hostname);
    tg_human_str_info(out, &worst, "CPU vendor", &f->cpu_vendor);

    /* TSC frequency: unknown means the gate cannot check TSC-dependent guests. */
    if (mhz) {
        tg_human_line(out, &worst, "TSC frequency", mhz, TG_CHECK_INFO, NULL);
    } else {
        g_autofree char *u = tg_unknown_text(&f->tsc_hz.note);

        tg_human_line(out, &worst, "TSC frequency", u, TG_CHECK_WARN,
                      "guests with an explicit or TSC-dependent clock will be refused here");
    }

    /* KVM scaling. */
    if (!f->tsc_scaling.note.known) {
        g_autofree char *u = tg_unknown_text(&f->tsc_scaling.note);

        tg_human_line(out, &worst, "TSC scaling (KVM_CAP_TSC_CONTROL)", u, TG_CHECK_WARN, NULL);
    } else if (f->tsc_scaling.value) {
        tg_human_line(out, &worst, "TSC scaling (KVM_CAP_TSC_CONTROL)", "yes", TG_CHECK_PASS,
                      NULL);
    } else {
        g_autofree char *hint = NULL;

        if (mhz)
            hint = g_strdup_printf("guests can only migrate here from hosts within %"
                                   G_GUINT64_FORMAT " ppm of %s unless they use kvm-clock",
                                   ppm, mhz);
        else
            hint = g_strdup_printf("guests can only migrate here from hosts within %"
                                   G_GUINT64_FORMAT " ppm of this host's TSC frequency "
                                   "unless they use kvm-clock", ppm);
        tg_human_line(out, &worst, "TSC scaling (KVM_CAP_TSC_CONTROL)", "no", TG_CHECK_WARN,
                      hint);
    }

    /* The CPU's scaling flag, for comparison with what KVM reports. */
    {
        const char *label = "CPU TSC scaling flag";

        if (f->cpu_vendor.note.known && f->cpu_vendor.value) {
            if (strcmp(f->cpu_vendor.value, "GenuineIntel") == 0)
                label = "CPU TSC scaling flag (vmx flags: tsc_scaling)";
            else if (strcmp(f->cpu_vendor.value, "AuthenticAMD") == 0 ||
                     strcmp(f->cpu_vendor.value, "HygonGenuine") == 0)
                label = "CPU TSC scaling flag (flags: tsc_scale)";
        }
        if (f->cpu_tsc_scaling_flag.note.known) {
            tg_human_line(out, &worst, label, f->cpu_tsc_scaling_flag.value ? "yes" : "no",
                          TG_CHECK_INFO, NULL);
        } else {
            g_autofree char *u = tg_unknown_text(&f->cpu_tsc_scaling_flag.note);

            tg_human_line(out, &worst, label, u, TG_CHECK_INFO, NULL);
        }
    }

    tg_human_flag(out, &worst, "constant_tsc", &f->constant_tsc, invariant_hint);
    tg_human_flag(out, &worst, "nonstop_tsc", &f->nonstop_tsc, invariant_hint);

    /* tsc_known_freq: without it the kernel calibrates the TSC at boot and the
     * measured rate (hence KVM's default guest rate) can differ by a few kHz
     * from one boot to the next. */
    if (!f->tsc_known_freq.note.known) {
        g_autofree char *u = tg_unknown_text(&f->tsc_known_freq.note);

        tg_human_line(out, &worst, "tsc_known_freq", u, TG_CHECK_WARN, NULL);
    } else if (f->tsc_known_freq.value) {
        tg_human_line(out, &worst, "tsc_known_freq", NULL, TG_CHECK_PASS, NULL);
    } else {
        tg_human_line(out, &worst, "tsc_known_freq", NULL, TG_CHECK_WARN,
                      "TSC rate calibrated at boot: it may differ by a few kHz after a reboot; "
                      "pin guests with <timer name='tsc' frequency=...>");
    }

    /* Clocksource. */
    if (!f->clocksource_current.note.known) {
        g_autofree char *u = tg_unknown_text(&f->clocksource_current.note);

        tg_human_line(out, &worst, "Current clocksource", u, TG_CHECK_WARN, NULL);
    } else {
        g_autofree char *esc = tg_escape_untrusted(f->clocksource_current.value);

        if (strcmp(f->clocksource_current.value, "tsc") == 0)
            tg_human_line(out, &worst, "Current clocksource", esc, TG_CHECK_PASS, NULL);
        else
            tg_human_line(out, &worst, "Current clocksource", esc, TG_CHECK_WARN,
                          "the host kernel does not keep time with the TSC");
    }
    tg_human_str_info(out, &worst, "Available clocksources", &f->clocksource_available);

    if (!f->tsc_unstable.note.known) {
        g_autofree char *u = tg_unknown_text(&f->tsc_unstable.note);

        tg_human_line(out, &worst, "TSC not marked unstable", u, TG_CHECK_WARN, NULL);
    } else if (!f->tsc_unstable.value) {
        tg_human_line(out, &worst, "TSC not marked unstable", NULL, TG_CHECK_PASS, NULL);
    } else {
        g_autofree char *hint = g_strdup_printf(
            "%s: TSC-dependent guests will be refused here",
            f->tsc_unstable.note.source ? f->tsc_unstable.note.source : "marked unstable");

        tg_human_line(out, &worst, "TSC not marked unstable", NULL, TG_CHECK_FAIL, hint);
    }

    /* C-states: informational. */
    if (!f->max_cstate.note.known) {
        g_autofree char *u = tg_unknown_text(&f->max_cstate.note);

        tg_human_line(out, &worst, "processor.max_cstate", u, TG_CHECK_INFO, NULL);
    } else {
        g_autofree char *v = f->max_cstate.value ? tg_escape_untrusted(f->max_cstate.value)
                                                 : g_strdup("not set");
        const char *src = f->max_cstate.note.source;
        const char *ii = src ? strstr(src, "intel_idle.max_cstate=") : NULL;
        g_autofree char *txt = NULL;

        if (ii) {
            gsize n = strcspn(ii, ")");

            txt = g_strdup_printf("%s (%.*s)", v, (int)n, ii);
        }
        tg_human_line(out, &worst, "processor.max_cstate", txt ? txt : v, TG_CHECK_INFO,
                      NULL);
    }

    if (f->cpufreq_min_khz.note.known && f->cpufreq_max_khz.note.known) {
        g_autofree char *lo = tg_format_khz_as_mhz(f->cpufreq_min_khz.value);
        g_autofree char *hi = tg_format_khz_as_mhz(f->cpufreq_max_khz.value);
        g_autofree char *txt = g_strdup_printf("%s - %s", lo, hi);

        tg_human_line(out, &worst, "cpufreq range", txt, TG_CHECK_INFO, NULL);
    } else {
        g_autofree char *u = tg_unknown_text(!f->cpufreq_min_khz.note.known
                                             ? &f->cpufreq_min_khz.note
                                             : &f->cpufreq_max_khz.note);

        tg_human_line(out, &worst, "cpufreq range", u, TG_CHECK_INFO, NULL);
    }

    /* NTP. */
    {
        const char *label = "Host clock synchronised (NTP)";
        const char *sync_hint = "run chronyd or systemd-timesyncd; QEMU carries kvm-clock "
                                "across migration using host wall-clock time, so an "
                                "unsynchronised destination shifts guest clocks";

        if (!f->clock_synchronized.note.known) {
            g_autofree char *u = tg_unknown_text(&f->clock_synchronized.note);

            tg_human_line(out, &worst, label, u, TG_CHECK_WARN, NULL);
        } else if (f->clock_synchronized.value) {
            g_autofree char *detail = NULL;

            if (f->clock_est_error_us.note.known && f->clock_max_error_us.note.known)
                detail = g_strdup_printf("estimated error %" G_GUINT64_FORMAT
                                         " us, maximum error %" G_GUINT64_FORMAT " us",
                                         f->clock_est_error_us.value,
                                         f->clock_max_error_us.value);
            tg_human_line(out, &worst, label, NULL, TG_CHECK_PASS, detail);
        } else {
            tg_human_line(out, &worst, label, NULL, TG_CHECK_FAIL, sync_hint);
        }
    }

    if (f->kvm_tolerance_ppm.note.known) {
        g_autofree char *v = g_strdup_printf("%" G_GUINT64_FORMAT, f->kvm_tolerance_ppm.value);

        tg_human_line(out, &worst, "KVM tsc_tolerance_ppm", v, TG_CHECK_INFO, NULL);
    } else {
        g_autofree char *u = tg_unknown_text(&f->kvm_tolerance_ppm.note);

        tg_human_line(out, &worst, "KVM tsc_tolerance_ppm", u, TG_CHECK_INFO, NULL);
    }

    if (worst_out)
        *worst_out = worst;
    return g_string_free(out, FALSE);
}
