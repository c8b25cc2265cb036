/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the human checklist of `tscgate probe --human` (see
 * tg-checklist.h). */
#include <config.h>

#include "tg-checklist.h"

#include <stddef.h>
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

static char *
tg_format_khz_as_mhz(guint64 khz)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT ".%03u MHz", khz / 1000,
                           (unsigned)(khz % 1000));
}

/* ------------------------------------------------------------------ */
/* The checklist: one row per line                                     */
/* ------------------------------------------------------------------ */

/* What a row prints after its label, once its fact is known. */
typedef struct {
    char *value;          /* nullable */
    TgCheckLevel level;
    char *hint;           /* nullable */
} TgCheckLine;

typedef enum {
    TG_ROW_STR,     /* the (escaped) string, INFO */
    TG_ROW_U64,     /* the number, INFO */
    TG_ROW_BOOL,    /* the yes_ or no_ columns */
    TG_ROW_CUSTOM,  /* judge() */
} TgRowKind;

typedef struct {
    const char *label;
    const char *(*label_of)(const TgHostFacts *f);  /* when the label depends on facts */
    TgRowKind kind;
    size_t fact;                /* offsetof(TgHostFacts, ...) of the fact shown */
    bool two_facts;             /* the line also needs fact2 (unknown if either is) */
    size_t fact2;
    TgCheckLevel unknown_level; /* the line's level when the fact is unknown */
    /* when set, the level of an unknown fact depends on other facts */
    TgCheckLevel (*unknown_level_of)(const TgHostFacts *f);
    const char *unknown_hint;
    /* TG_ROW_BOOL */
    const char *yes_value, *no_value;
    TgCheckLevel yes_level, no_level;
    const char *yes_hint, *no_hint;
    /* TG_ROW_CUSTOM: fills the line of a known fact */
    void (*judge)(const TgHostFacts *f, TgCheckLine *line);
} TgCheckRow;

#define TG_FACT(member) offsetof(TgHostFacts, member)

static const TgFactNote *
tg_row_note(const TgHostFacts *f, size_t offset)
{
    /* every fact struct starts with its TgFactNote */
    return (const TgFactNote *)(const void *)((const char *)f + offset);
}

static guint64
tg_ppm_or_default(const TgHostFacts *f)
{
    return f->kvm_tolerance_ppm.note.known ? f->kvm_tolerance_ppm.value : 250;
}

static void
tg_judge_tsc_hz(const TgHostFacts *f, TgCheckLine *line)
{
    line->value = tg_format_mhz(f->tsc_hz.value);
}

/* No KVM scaling: guests come here only from hosts within tolerance. */
static void
tg_judge_tsc_scaling(const TgHostFacts *f, TgCheckLine *line)
{
    if (f->tsc_scaling.value) {
        line->value = g_strdup("yes");
        line->level = TG_CHECK_PASS;
        return;
    }
    line->value = g_strdup("no");
    line->level = TG_CHECK_WARN;
    if (f->tsc_hz.note.known) {
        g_autofree char *mhz = tg_format_mhz(f->tsc_hz.value);

        line->hint = g_strdup_printf("guests can only migrate here from hosts within %"
                                     G_GUINT64_FORMAT " ppm of %s unless they use kvm-clock",
                                     tg_ppm_or_default(f), mhz);
    } else {
        line->hint = g_strdup_printf("guests can only migrate here from hosts within %"
                                     G_GUINT64_FORMAT " ppm of this host's TSC frequency "
                                     "unless they use kvm-clock", tg_ppm_or_default(f));
    }
}

/* Where the CPU reports TSC scaling depends on the vendor (Linux
 * arch/x86/kernel/cpu/proc.c: AMD "tsc_scale" in flags, Intel
 * "tsc_scaling" in "vmx flags"). */
static const char *
tg_label_cpu_scaling_flag(const TgHostFacts *f)
{
    if (f->cpu_vendor.note.known && f->cpu_vendor.value) {
        if (strcmp(f->cpu_vendor.value, "GenuineIntel") == 0)
            return "CPU TSC scaling flag (vmx flags: tsc_scaling)";
        if (strcmp(f->cpu_vendor.value, "AuthenticAMD") == 0 ||
            strcmp(f->cpu_vendor.value, "HygonGenuine") == 0)
            return "CPU TSC scaling flag (flags: tsc_scale)";
    }
    return "CPU TSC scaling flag";
}

static void
tg_judge_clocksource(const TgHostFacts *f, TgCheckLine *line)
{
    line->value = tg_escape_untrusted(f->clocksource_current.value);
    if (strcmp(f->clocksource_current.value, "tsc") == 0) {
        line->level = TG_CHECK_PASS;
    } else {
        line->level = TG_CHECK_WARN;
        line->hint = g_strdup("the host kernel does not keep time with the TSC");
    }
}

static void
tg_judge_tsc_unstable(const TgHostFacts *f, TgCheckLine *line)
{
    if (!f->tsc_unstable.value) {
        line->level = TG_CHECK_PASS;
        return;
    }
    line->level = TG_CHECK_FAIL;
    line->hint = g_strdup_printf("%s: TSC-dependent guests will be refused here",
                                 f->tsc_unstable.note.source ? f->tsc_unstable.note.source
                                                             : "marked unstable");
}

/* Red Hat's "KVM Guest Timing Management" checklist applies to hosts
 * without constant_tsc: their TSC ticks with the core clock (Linux
 * arch/x86/kernel/tsc.c time_cpufreq_notifier) and stops in deep C-states,
 * so C-states and cpufreq are judged there and informational elsewhere. */
static bool
tg_pm_checklist_applies(const TgHostFacts *f)
{
    return tg_bool_fact_tri(&f->constant_tsc) == TG_TRI_NO;
}

static TgCheckLevel
tg_pm_unknown_level(const TgHostFacts *f)
{
    return tg_pm_checklist_applies(f) ? TG_CHECK_WARN : TG_CHECK_INFO;
}

#define TG_HINT_INVARIANT "TSC not invariant: guests reading the TSC directly will drift"
#define TG_HINT_REMEDIATED "TSC not invariant, but processor.max_cstate=1 and cpufreq " \
    "pinned at the highest frequency keep its rate"

/* constant_tsc and nonstop_tsc: PASS, or FAIL unless the power-management
 * checklist keeps a TSC without constant_tsc at one rate. */
static void
tg_judge_invariant_flag(const TgBoolFact *flag, const TgHostFacts *f, TgCheckLine *line)
{
    if (flag->value) {
        line->level = TG_CHECK_PASS;
    } else if (tg_host_facts_pm_remediated(f) == TG_TRI_YES) {
        line->level = TG_CHECK_WARN;
        line->hint = g_strdup(TG_HINT_REMEDIATED);
    } else {
        line->level = TG_CHECK_FAIL;
        line->hint = g_strdup(TG_HINT_INVARIANT);
    }
}

static void
tg_judge_constant_tsc(const TgHostFacts *f, TgCheckLine *line)
{
    tg_judge_invariant_flag(&f->constant_tsc, f, line);
}

static void
tg_judge_nonstop_tsc(const TgHostFacts *f, TgCheckLine *line)
{
    tg_judge_invariant_flag(&f->nonstop_tsc, f, line);
}

/* processor.max_cstate, and intel_idle.max_cstate beside it when set;
 * judged on a host without constant_tsc. */
static void
tg_judge_max_cstate(const TgHostFacts *f, TgCheckLine *line)
{
    g_autofree char *v = f->max_cstate.value ? tg_escape_untrusted(f->max_cstate.value)
                                             : g_strdup("not set");

    if (f->intel_idle_max_cstate.note.known && f->intel_idle_max_cstate.value) {
        g_autofree char *ii = tg_escape_untrusted(f->intel_idle_max_cstate.value);

        line->value = g_strdup_printf("%s (intel_idle.max_cstate=%s)", v, ii);
    } else {
        line->value = g_steal_pointer(&v);
    }
    if (!tg_pm_checklist_applies(f))
        return;
    if (tg_host_facts_cstates_off(f)) {
        line->level = TG_CHECK_PASS;
    } else {
        line->level = TG_CHECK_FAIL;
        line->hint = g_strdup("no constant_tsc: add processor.max_cstate=1 to the kernel "
                              "command line (deep C-states stop the TSC)");
    }
}

/* The cpufreq policy of every CPU; judged on a host without constant_tsc,
 * where the fix names the frequency to pin at. */
static void
tg_judge_cpufreq_pinned(const TgHostFacts *f, TgCheckLine *line)
{
    g_autofree char *note = tg_escape_untrusted(f->cpufreq_pinned.note.source
                                                    ? f->cpufreq_pinned.note.source : "");
    bool judged = tg_pm_checklist_applies(f);

    line->value = g_strdup(f->cpufreq_pinned.value ? "yes" : "no");
    if (f->cpufreq_pinned.value) {
        line->level = judged ? TG_CHECK_PASS : TG_CHECK_INFO;
        line->hint = g_steal_pointer(&note);
        return;
    }
    if (!judged) {
        line->hint = g_steal_pointer(&note);
        return;
    }
    line->level = TG_CHECK_FAIL;
    if (f->cpufreq_highest_khz.note.known) {
        guint64 khz = f->cpufreq_highest_khz.value;

        line->hint = g_strdup_printf("%s; no constant_tsc: pin every CPU at its highest "
                                     "available frequency, scaling_min_freq = scaling_max_freq "
                                     "= %" G_GUINT64_FORMAT " kHz, e.g. cpupower -c all "
                                     "frequency-set -g performance -d %" G_GUINT64_FORMAT
                                     " -u %" G_GUINT64_FORMAT, note, khz, khz, khz);
    } else {
        line->hint = g_strdup_printf("%s; no constant_tsc: pin every CPU at its highest "
                                     "available frequency (scaling_min_freq = "
                                     "scaling_max_freq)", note);
    }
}

static void
tg_judge_cpufreq(const TgHostFacts *f, TgCheckLine *line)
{
    g_autofree char *lo = tg_format_khz_as_mhz(f->cpufreq_min_khz.value);
    g_autofree char *hi = tg_format_khz_as_mhz(f->cpufreq_max_khz.value);

    line->value = g_strdup_printf("%s - %s", lo, hi);
}

static void
tg_judge_clock_sync(const TgHostFacts *f, TgCheckLine *line)
{
    if (!f->clock_synchronized.value) {
        line->level = TG_CHECK_FAIL;
        line->hint = g_strdup("run chronyd or systemd-timesyncd; QEMU carries kvm-clock "
                              "across migration using host wall-clock time, so an "
                              "unsynchronised destination shifts guest clocks");
        return;
    }
    line->level = TG_CHECK_PASS;
    if (f->clock_est_error_us.note.known && f->clock_max_error_us.note.known)
        line->hint = g_strdup_printf("estimated error %" G_GUINT64_FORMAT
                                     " us, maximum error %" G_GUINT64_FORMAT " us",
                                     f->clock_est_error_us.value, f->clock_max_error_us.value);
}

static const TgCheckRow tg_check_rows[] = {
    { .label = "Host name", .kind = TG_ROW_STR, .fact = TG_FACT(hostname),
      .unknown_level = TG_CHECK_INFO },
    { .label = "CPU vendor", .kind = TG_ROW_STR, .fact = TG_FACT(cpu_vendor),
      .unknown_level = TG_CHECK_INFO },
    /* unknown: the gate cannot check TSC-dependent guests */
    { .label = "TSC frequency", .kind = TG_ROW_CUSTOM, .fact = TG_FACT(tsc_hz),
      .judge = tg_judge_tsc_hz, .unknown_level = TG_CHECK_WARN,
      .unknown_hint = "guests with an explicit or TSC-dependent clock will be refused here" },
    { .label = "TSC scaling (KVM_CAP_TSC_CONTROL)", .kind = TG_ROW_CUSTOM,
      .fact = TG_FACT(tsc_scaling), .judge = tg_judge_tsc_scaling,
      .unknown_level = TG_CHECK_WARN },
    /* the CPU's scaling flag, for comparison with what KVM reports */
    { .label_of = tg_label_cpu_scaling_flag, .kind = TG_ROW_BOOL,
      .fact = TG_FACT(cpu_tsc_scaling_flag), .unknown_level = TG_CHECK_INFO,
      .yes_value = "yes", .yes_level = TG_CHECK_INFO,
      .no_value = "no", .no_level = TG_CHECK_INFO },
    { .label = "constant_tsc", .kind = TG_ROW_CUSTOM, .fact = TG_FACT(constant_tsc),
      .unknown_level = TG_CHECK_WARN, .judge = tg_judge_constant_tsc },
    { .label = "nonstop_tsc", .kind = TG_ROW_CUSTOM, .fact = TG_FACT(nonstop_tsc),
      .unknown_level = TG_CHECK_WARN, .judge = tg_judge_nonstop_tsc },
    /* without tsc_known_freq the kernel calibrates the TSC at boot and the
     * measured rate (hence KVM's default guest rate) can differ by a few kHz
     * from one boot to the next */
    { .label = "tsc_known_freq", .kind = TG_ROW_BOOL, .fact = TG_FACT(tsc_known_freq),
      .unknown_level = TG_CHECK_WARN, .yes_level = TG_CHECK_PASS,
      .no_level = TG_CHECK_WARN,
      .no_hint = "TSC rate calibrated at boot: it may differ by a few kHz after a reboot; "
                 "pin guests with <timer name='tsc' frequency=...>" },
    { .label = "Current clocksource", .kind = TG_ROW_CUSTOM,
      .fact = TG_FACT(clocksource_current), .judge = tg_judge_clocksource,
      .unknown_level = TG_CHECK_WARN },
    { .label = "Available clocksources", .kind = TG_ROW_STR,
      .fact = TG_FACT(clocksource_available), .unknown_level = TG_CHECK_INFO },
    { .label = "TSC not marked unstable", .kind = TG_ROW_CUSTOM, .fact = TG_FACT(tsc_unstable),
      .judge = tg_judge_tsc_unstable, .unknown_level = TG_CHECK_WARN },
    /* C-states and cpufreq: judged without constant_tsc, informational otherwise */
    { .label = "processor.max_cstate", .kind = TG_ROW_CUSTOM, .fact = TG_FACT(max_cstate),
      .judge = tg_judge_max_cstate, .unknown_level = TG_CHECK_INFO,
      .unknown_level_of = tg_pm_unknown_level },
    { .label = "cpufreq range", .kind = TG_ROW_CUSTOM, .fact = TG_FACT(cpufreq_min_khz),
      .two_facts = true, .fact2 = TG_FACT(cpufreq_max_khz), .judge = tg_judge_cpufreq,
      .unknown_level = TG_CHECK_INFO },
    { .label = "cpufreq pinned at the highest frequency", .kind = TG_ROW_CUSTOM,
      .fact = TG_FACT(cpufreq_pinned), .judge = tg_judge_cpufreq_pinned,
      .unknown_level = TG_CHECK_INFO, .unknown_level_of = tg_pm_unknown_level },
    { .label = "Host clock synchronised (NTP)", .kind = TG_ROW_CUSTOM,
      .fact = TG_FACT(clock_synchronized), .judge = tg_judge_clock_sync,
      .unknown_level = TG_CHECK_WARN },
    { .label = "KVM tsc_tolerance_ppm", .kind = TG_ROW_U64, .fact = TG_FACT(kvm_tolerance_ppm),
      .unknown_level = TG_CHECK_INFO },
};

/* The line of one row: "unknown (REASON)" at the row's unknown level when
 * its fact is unknown, else what the row's kind makes of the value. */
static void
tg_check_row_line(const TgHostFacts *f, const TgCheckRow *row, TgCheckLine *line)
{
    const TgFactNote *n = tg_row_note(f, row->fact);
    const void *fact = n;

    if (n->known && row->two_facts)
        n = tg_row_note(f, row->fact2);
    if (!n->known) {
        line->value = tg_unknown_text(n);
        line->level = row->unknown_level_of ? row->unknown_level_of(f) : row->unknown_level;
        line->hint = g_strdup(row->unknown_hint);
        return;
    }
    line->level = TG_CHECK_INFO;
    switch (row->kind) {
    case TG_ROW_STR:
        line->value = tg_escape_untrusted(((const TgStrFact *)fact)->value);
        break;
    case TG_ROW_U64:
        line->value = g_strdup_printf("%" G_GUINT64_FORMAT, ((const TgU64Fact *)fact)->value);
        break;
    case TG_ROW_BOOL:
        if (((const TgBoolFact *)fact)->value) {
            line->value = g_strdup(row->yes_value);
            line->level = row->yes_level;
            line->hint = g_strdup(row->yes_hint);
        } else {
            line->value = g_strdup(row->no_value);
            line->level = row->no_level;
            line->hint = g_strdup(row->no_hint);
        }
        break;
    case TG_ROW_CUSTOM:
        row->judge(f, line);
        break;
    }
}

char *
tg_probe_format_human(const TgHostFacts *f, TgCheckLevel *worst_out)
{
    GString *out = g_string_new(NULL);
    TgCheckLevel worst = TG_CHECK_INFO;

    for (gsize i = 0; i < G_N_ELEMENTS(tg_check_rows); i++) {
        const TgCheckRow *row = &tg_check_rows[i];
        TgCheckLine line = { NULL, TG_CHECK_INFO, NULL };

        tg_check_row_line(f, row, &line);
        tg_human_line(out, &worst, row->label_of ? row->label_of(f) : row->label, line.value,
                      line.level, line.hint);
        g_free(line.value);
        g_free(line.hint);
    }
    if (worst_out)
        *worst_out = worst;
    return g_string_free(out, FALSE);
}
