/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the decision engine (see tg-decide.h and doc/reason-codes.md).
 *
 * tg_decide() is a pure function: it reads only its arguments, keeps no
 * state, does no I/O and uses neither the clock nor the locale (integers are
 * printed with GLib's C-locale formats). Every verdict carries a stable
 * reason code documented in doc/reason-codes.md.
 *
 * Precedence (first match decides; rule numbers as in doc/reason-codes.md):
 *   0  policy: force_deny, then require_scaling            -> deny
 *   2  Hyper-V re-enlightenment without explicit frequency -> deny
 *   3  invtsc exposed without explicit frequency           -> deny
 *   6  destination TSC not invariant / marked unstable, destination clock
 *      not synchronised: a deny here decides; a warning is remembered and
 *      joined to the outcome of rules 7/1/4/5
 *   7  destination TSC frequency unknown
 *   1  explicit frequency
 *   4  nominal frequency known
 *   5  nominal frequency unknown (host inventory first)
 *   0  policy force_warn turns a plain allow into allow-with-warning
 * Before all of these (after rule 8, guests without a TSC):
 *  10  an offline migration (policy offline_detect and a definition that
 *      does not look running): allowed, the record taken out; only a
 *      policy deny applies (the definition moves)
 *  11  a restore on the host that saved the image: not a move, so rule 0
 *      and the clock checks of rule 6 do not apply; the TSC checks of
 *      rule 6 do; same boot: E = N, allowed; an earlier boot: allowed,
 *      except a pinned rate, which libvirt checks again (rules 1-7)
 * Rules 2 and 3 come before 6 because they fail whatever the host (their
 * fix, pinning a frequency, is what the admin needs to read first); rule 6
 * comes before 1-5 because a stable frequency match is worthless on a TSC
 * that drifts.
 *
 * Facts used (cite, never copy):
 * - libvirt src/qemu/qemu_process.c qemuProcessStartValidateTSC: tolerance
 *   = host_hz * 250 / 1000000 in integer Hz, [host - tol, host + tol]
 *   inclusive; scaling='yes' passes; scaling unknown passes (QEMU may fail).
 * - QEMU target/i386/kvm/kvm.c kvm_arch_set_tsc_khz: KVM_SET_TSC_KHZ with the
 *   migrated rate; a user-set tsc-frequency that cannot be applied is fatal,
 *   an implicit one only warns and the guest runs at the host's rate.
 * - QEMU target/i386/cpu.c: tsc-frequency is passed to KVM in kHz (Hz/1000).
 * - Linux arch/x86/kvm/x86.c set_tsc_khz: ratio = (1 << frac_bits) *
 *   user_khz / host_khz must be non-zero and below max_tsc_scaling_ratio
 *   (rejected when ratio >= max); kvm_x86_vendor_init: the ioctl also
 *   rejects user_khz >= min(0x7fffffff, host_khz * max_ratio >> frac_bits).
 *   VMX (arch/x86/kvm/vmx): 48 fraction bits, KVM_VMX_TSC_MULTIPLIER_MAX
 *   0xffffffffffffffff; SVM (arch/x86/kvm/svm): 32 fraction bits,
 *   SVM_TSC_RATIO_MAX 0x000000ffffffffff.
 * - QEMU >= 6.0 target/i386/kvm/kvm.c: re-enlightenment without
 *   tsc-frequency fails the migration at the end; libvirt
 *   qemuMigrationSrcIsAllowed refuses invtsc without a frequency.
 */
#include <config.h>

#include "tg-decide-priv.h"

#include <string.h>


static const char *const tg_verdict_names[] = {
    [TG_VERDICT_ALLOW] = "allow",
    [TG_VERDICT_WARN] = "allow-with-warning",
    [TG_VERDICT_DENY] = "deny",
};

const TgEnumTable tg_verdict_table = TG_ENUM_TABLE(tg_verdict_names);

const char *
tg_verdict_to_string(TgVerdict v)
{
    const char *s = tg_enum_to_string(&tg_verdict_table, (int)v);

    return s ? s : "deny";
}

static const char *const tg_unknown_action_names[] = {
    [TG_UNKNOWN_DENY] = "deny",
    [TG_UNKNOWN_WARN] = "warn",
    [TG_UNKNOWN_ALLOW] = "allow",
};

const TgEnumTable tg_unknown_action_table = TG_ENUM_TABLE(tg_unknown_action_names);

const char *
tg_unknown_action_to_string(TgUnknownAction a)
{
    const char *s = tg_enum_to_string(&tg_unknown_action_table, (int)a);

    return s ? s : "deny";
}

bool
tg_unknown_action_from_string(const char *s, TgUnknownAction *out)
{
    int v = tg_enum_from_string(&tg_unknown_action_table, s);

    if (v < 0)
        return false;
    if (out)
        *out = (TgUnknownAction)v;
    return true;
}

void
tg_settings_init(TgSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->tolerance_ppm = TG_DEFAULT_TOLERANCE_PPM;
    s->unknown_dest_scaling = TG_UNKNOWN_DENY;
    s->unknown_dest_frequency = TG_UNKNOWN_DENY;
    s->unknown_guest_frequency = TG_UNKNOWN_DENY;
    s->unknown_clock_sync = TG_UNKNOWN_ALLOW;
    s->unknown_tsc_stability = TG_UNKNOWN_ALLOW;
    s->offline_detect = false;
    s->unplaced_restore_same_host = false;
    s->deny_unsynchronized_clock = false;
    s->deny_unstable_tsc = true;
    s->dependence_override = TG_DEP_PARAVIRT;
    s->record_lineage = true;
    s->hop_limit = TG_DEFAULT_HOP_LIMIT;
}

void
tg_tolerance_window(guint64 hz, guint32 ppm, guint64 *lo, guint64 *hi)
{
    /* 128-bit product: hz * ppm can exceed 64 bits for large ppm. */
    TgU128 tol = (TgU128)hz * ppm / 1000000u;

    if (lo)
        *lo = tol >= hz ? 0 : hz - (guint64)tol;
    if (hi)
        *hi = tol > (TgU128)(G_MAXUINT64 - hz) ? G_MAXUINT64 : hz + (guint64)tol;
}

static bool
vendor_is_intel(const char *vendor)
{
    return vendor && (g_ascii_strcasecmp(vendor, "GenuineIntel") == 0 ||
                      g_ascii_strcasecmp(vendor, "Intel") == 0);
}

bool
tg_kvm_ratio_ok(guint64 guest_hz, guint64 host_hz, const char *vendor)
{
    /* KVM works in kHz (QEMU passes tsc-frequency / 1000). */
    guint64 guest_khz = guest_hz / 1000;
    guint64 host_khz = host_hz / 1000;
    unsigned frac_bits;
    guint64 max_ratio;
    TgU128 max_guest_khz, ratio;

    if (vendor_is_intel(vendor)) {
        frac_bits = 48;
        max_ratio = G_GUINT64_CONSTANT(0xffffffffffffffff);
    } else {
        /* AMD, or unknown: the stricter SVM limits. */
        frac_bits = 32;
        max_ratio = G_GUINT64_CONSTANT(0x000000ffffffffff);
    }
    if (guest_khz == 0 || host_khz == 0)
        return false;
    max_guest_khz = ((TgU128)host_khz * max_ratio) >> frac_bits;
    if (max_guest_khz > 0x7fffffffu)
        max_guest_khz = 0x7fffffffu;
    if ((TgU128)guest_khz >= max_guest_khz)
        return false;
    /* set_tsc_khz's own test; implied by the bound above, kept to mirror
     * KVM should the ioctl bound change. */
    ratio = ((TgU128)guest_khz << frac_bits) / host_khz;
    return ratio != 0 && ratio < (TgU128)max_ratio;
}

void
tg_decision_free(TgDecision *d)
{
    if (!d)
        return;
    g_free(d->reason);
    g_free(d->policy_rule);
    if (d->adjustments)
        g_array_unref(d->adjustments);
    g_free(d);
}

/* ---- helpers of every rule ---- */

void
tg_decide_fmt_hz(char *buf, gsize size, guint64 hz)
{
    if (hz)
        g_snprintf(buf, size, "%" G_GUINT64_FORMAT " Hz", hz);
    else
        g_snprintf(buf, size, "unknown");
}

/* Admin text (policy rule name, message): escaped to one line, capped. */
char *
tg_decide_admin_text(const char *s)
{
    g_autofree char *esc = tg_escape_untrusted(s);

    if (strlen(esc) > TG_REASON_TEXT_MAX) {
        gsize cut = TG_REASON_TEXT_MAX - 3;

        /* Cut before a character, not inside one: a byte cut through a
         * multi-byte UTF-8 character left invalid UTF-8 in the reason that
         * virsh, journald and the JSON audit record get (found by
         * tests/fuzz/fuzz-policy). Continuation bytes are 10xxxxxx. */
        while (cut > 0 && ((guchar)esc[cut] & 0xc0) == 0x80)
            cut--;
        esc[cut] = '\0';
        return g_strconcat(esc, "...", NULL);
    }
    return g_steal_pointer(&esc);
}


void
tg_decide_set_outcome(TgCtx *c, TgVerdict v, const char *code, int rule,
            const char *fmt, ...)
{
    va_list ap;

    c->d->verdict = v;
    c->d->code = code;
    c->d->rule = rule;
    if (c->quiet)
        return;
    g_free(c->d->reason);
    va_start(ap, fmt);
    c->d->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* What an unknown fact means: as set for guests whose outcome depends on
 * the TSC; DENY is weakened to WARN for paravirtual-clock guests. */
TgVerdict
tg_decide_unknown_verdict(TgUnknownAction a, bool dependent)
{
    switch (a) {
    case TG_UNKNOWN_ALLOW:
        return TG_VERDICT_ALLOW;
    case TG_UNKNOWN_WARN:
        return TG_VERDICT_WARN;
    case TG_UNKNOWN_DENY:
    default:
        return dependent ? TG_VERDICT_DENY : TG_VERDICT_WARN;
    }
}

bool
tg_decide_in_window(const TgCtx *c, guint64 hz)
{
    return c->d->dest_hz && hz >= c->d->window_lo && hz <= c->d->window_hi;
}

/* Signed ppm difference of `to` relative to `from`, rounded to nearest. */
gint64
tg_decide_ppm_diff(guint64 from, guint64 to)
{
    TgU128 diff = to >= from ? to - from : from - to;
    TgU128 ppm;
    gint64 v;

    if (from == 0)
        return 0;
    ppm = (diff * 1000000u + from / 2) / from;
    v = ppm > G_MAXINT64 ? G_MAXINT64 : (gint64)ppm;

    return to >= from ? v : -v;
}

/* ---- precedence ---- */

static void
finish(TgCtx *c)
{
    TgDecision *d = c->d;

    if (d->verdict != TG_VERDICT_DENY && c->n_warn) {
        if (!c->quiet) {
            char *joined = g_strdup_printf("%s; %s", c->warn->str, d->reason);

            g_free(d->reason);
            d->reason = joined;
        }
        /* A warning of its own (e.g. a kvm-clock guest's rate change) keeps
         * its code, so log queries on rate changes still find the hop; a
         * plain allow takes rule 6's code. */
        if (d->verdict == TG_VERDICT_ALLOW) {
            d->code = c->warn_code;
            d->rule = 6;
        }
        d->verdict = TG_VERDICT_WARN;
    }
    if (d->verdict == TG_VERDICT_ALLOW && c->s->force_warn) {
        if (!c->quiet) {
            g_autofree char *rule = tg_decide_admin_text(c->s->policy_rule ? c->s->policy_rule
                                                                 : "(unnamed)");
            char *joined = g_strdup_printf("policy rule '%s' asks for a warning; %s",
                                           rule, d->reason);

            g_free(d->reason);
            d->reason = joined;
        }
        d->verdict = TG_VERDICT_WARN;
        d->code = "policy-force-warn";
        d->rule = 0;
    }
    if (!c->quiet && d->verdict == TG_VERDICT_DENY && c->s->policy_rule &&
        !g_str_has_prefix(d->code, "policy-")) {
        /* A policy rule selected the settings behind this denial (its
         * tolerance, unknown actions, class): name it, so the virsh-visible
         * line tells the admin which rule to look at. */
        g_autofree char *rule = tg_decide_admin_text(c->s->policy_rule);
        char *joined = g_strdup_printf("%s (policy rule '%s')", d->reason, rule);

        g_free(d->reason);
        d->reason = joined;
    }
    if (d->verdict == TG_VERDICT_DENY) {
        d->effective_hz = 0;
        d->effective_changed = false;
    } else if (d->rule == 10) {
        /* No record in a definition that does not run: it would be stale
         * at the guest's next boot. */
        if (d->adjustments && (c->guest->lineage || c->guest->lineage_ignored)) {
            TgAdjustment a = { .kind = TG_ADJUST_STRIP_LINEAGE };

            g_array_append_val(d->adjustments, a);
        }
    } else if (d->adjustments && c->s->record_lineage && c->guest->kind != TG_GUEST_NO_TSC) {
        /* A guest without a TSC gets no record: there is nothing to note. */
        TgAdjustment a = { .kind = TG_ADJUST_RECORD_LINEAGE, .hop_limit = c->s->hop_limit };

        g_array_append_val(d->adjustments, a);
    }
}

/* Decide into `d` (zeroed by the caller); `quiet`: no reason, no
 * allocation (tg_decide_outcome). */
static void
tg_decide_into(TgDecision *d, const TgGuestProfile *guest, const TgHostFacts *dest,
               const TgSettings *settings, bool quiet)
{
    TgCtx c = { 0 };

    d->verdict = TG_VERDICT_DENY;
    if (!guest || !dest || !settings) {
        d->code = "engine-input-missing";
        d->rule = 0;
        if (!quiet)
            d->reason = g_strdup_printf("internal error: decision engine called without %s",
                                        !guest ? "a guest profile"
                                        : !dest ? "destination facts" : "settings");
        return;
    }

    c.guest = guest;
    c.s = settings;
    c.same_host = settings->run.same_host;
    c.same_host_why = settings->run.same_host_why;
    if (settings->run.operation == TG_OP_RESTORE && c.same_host == TG_SAME_HOST_NO &&
        settings->unplaced_restore_same_host) {
        c.same_host = TG_SAME_HOST_EARLIER_BOOT;
        c.same_host_why = "the policy's <unplaced-restore>same-host";
    }
    c.not_a_move = settings->run.operation == TG_OP_RESTORE && c.same_host != TG_SAME_HOST_NO;
    c.op_noun = settings->run.operation == TG_OP_RESTORE ? "restore" : "move";
    c.go = settings->run.operation == TG_OP_RESTORE ? "restore it on" : "migrate to";
    c.go_elsewhere = settings->run.operation == TG_OP_RESTORE ? "restore it" : "migrate";
    c.d = d;
    c.quiet = quiet;
    if (!quiet) {
        c.warn = g_string_new("");
        d->policy_rule = g_strdup(settings->policy_rule);
    }
    d->tolerance_ppm = settings->tolerance_ppm;
    d->dest_hz = dest->tsc_hz.note.known ? dest->tsc_hz.value : 0;
    d->dest_scaling = tg_bool_fact_tri(&dest->tsc_scaling);
    if (d->dest_hz)
        tg_tolerance_window(d->dest_hz, settings->tolerance_ppm, &d->window_lo, &d->window_hi);
    /* The source host's facts say nothing about the guest's rate: it runs
     * at the source's rate only if it booted there or every hop since kept
     * it, which the source's rate cannot tell (doc/tsc-model.md). */
    d->guest_hz = tg_guest_nominal_hz(guest, &d->guest_hz_origin);
    if (!d->guest_hz)
        d->guest_hz_origin = TG_NOMINAL_UNKNOWN;
    d->dependence = settings->override_dependence ? settings->dependence_override
                                                  : guest->dependence;
    c.dest_hz_known_zero = dest->tsc_hz.note.known && dest->tsc_hz.value == 0;
    c.kvm_ppm = dest->kvm_tolerance_ppm.note.known ? dest->kvm_tolerance_ppm.value : 0;
    /* A probe that failed says why (e.g. "/dev/kvm: Permission denied");
     * capabilities without a counter keep the short form. */
    c.dest_hz_why = "no <counter name='tsc'>";
    if (!dest->tsc_hz.note.known && dest->tsc_hz.note.reason &&
        !g_str_has_prefix(dest->tsc_hz.note.reason, c.dest_hz_why))
        c.dest_hz_why = dest->tsc_hz.note.reason;
    c.vendor = dest->cpu_vendor.note.known ? dest->cpu_vendor.value : NULL;
    c.pins = guest->has_explicit_hz;
    c.sensitive = d->dependence != TG_DEP_PARAVIRT;
    if (quiet) {
        c.ghz[0] = c.dhz[0] = c.win[0] = '\0';
    } else {
        tg_decide_fmt_hz(c.ghz, sizeof(c.ghz), d->guest_hz);
        tg_decide_fmt_hz(c.dhz, sizeof(c.dhz), d->dest_hz);
    }
    if (quiet) {
        /* no reason: nothing to format */
    } else if (d->dest_hz) {
        bool kvm_differs = dest->kvm_tolerance_ppm.note.known &&
                           dest->kvm_tolerance_ppm.value != settings->tolerance_ppm;

        if (kvm_differs)
            g_snprintf(c.win, sizeof(c.win),
                       "%" G_GUINT64_FORMAT " Hz +/-%u ppm [%" G_GUINT64_FORMAT ", %"
                       G_GUINT64_FORMAT "] (KVM tsc_tolerance_ppm %" G_GUINT64_FORMAT ")",
                       d->dest_hz, settings->tolerance_ppm, d->window_lo,
                       d->window_hi, dest->kvm_tolerance_ppm.value);
        else
            g_snprintf(c.win, sizeof(c.win),
                       "%" G_GUINT64_FORMAT " Hz +/-%u ppm [%" G_GUINT64_FORMAT ", %"
                       G_GUINT64_FORMAT "]",
                       d->dest_hz, settings->tolerance_ppm, d->window_lo, d->window_hi);
    } else {
        g_snprintf(c.win, sizeof(c.win), "unknown");
    }

    if (guest->kind == TG_GUEST_NO_TSC && !settings->force_deny) {
        tg_decide_rule8_no_tsc(&c);
    } else if (tg_decide_rule10_offline(&c) || (c.not_a_move && tg_decide_rule11_same_host(&c, dest))) {
        /* decided: not a move of a running guest */
    } else if (tg_decide_rule0_policy(&c) || tg_decide_rule23_needs_frequency(&c) || tg_decide_rule6_health(&c, dest) ||
        tg_decide_rule7_dest_unknown(&c)) {
        /* decided */
    } else if (guest->kind == TG_GUEST_TCG) {
        tg_decide_rule9_tcg(&c);
    } else if (guest->has_explicit_hz) {
        if (!tg_decide_several_pins_first(&c)) {
            tg_decide_rule1_explicit(&c);
            tg_decide_several_pins_note(&c);
        }
    } else if (d->guest_hz) {
        tg_decide_rule4_nominal(&c);
    } else {
        tg_decide_rule5_unknown_nominal(&c);
    }
    finish(&c);
    if (c.warn)
        g_string_free(c.warn, TRUE);
}

TgDecision *
tg_decide(const TgGuestProfile *guest, const TgHostFacts *source,
          const TgHostFacts *dest, const TgSettings *settings)
{
    TgDecision *d = g_new0(TgDecision, 1);

    (void)source;
    d->adjustments = g_array_new(FALSE, TRUE, sizeof(TgAdjustment));
    tg_decide_into(d, guest, dest, settings, false);
    return d;
}

void
tg_decide_outcome(const TgGuestProfile *guest, const TgHostFacts *dest,
                  const TgSettings *settings, TgDecision *out)
{
    memset(out, 0, sizeof(*out));
    tg_decide_into(out, guest, dest, settings, true);
}
