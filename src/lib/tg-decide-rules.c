/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the decision engine's rules (tg-decide-priv.h); their
 * precedence, and the upstream facts each follows, are in tg-decide.c and
 * doc/reason-codes.md. */
#include <config.h>

#include "tg-decide-priv.h"

#include <string.h>

/* ---- rule 0: policy ---- */
bool
tg_decide_rule0_policy(TgCtx *c)
{
    const TgSettings *s = c->s;
    g_autofree char *rule = NULL;

    /* A guest restored where it was saved stays on its host. */
    if (c->not_a_move)
        return false;
    if (!s->force_deny && !s->require_scaling)
        return false;
    if (!c->quiet)
        rule = tg_decide_admin_text(s->policy_rule ? s->policy_rule : "(unnamed)");
    if (s->force_deny) {
        g_autofree char *msg = s->force_deny_message && !c->quiet
                                   ? tg_decide_admin_text(s->force_deny_message) : NULL;

        tg_decide_set_outcome(c, TG_VERDICT_DENY, "policy-force-deny", 0,
                    "policy rule '%s' denies this guest on any host%s%s "
                    "(guest TSC %s, this host %s, scaling %s)",
                    rule, msg ? ": " : "", msg ? msg : "",
                    c->ghz, c->dhz, tg_tri_to_string(c->d->dest_scaling));
        return true;
    }
    if (s->require_scaling && c->d->dest_scaling != TG_TRI_YES) {
        tg_decide_set_outcome(c, TG_VERDICT_DENY, "policy-require-scaling", 0,
                    "policy rule '%s' requires TSC scaling and this host's "
                    "scaling is %s (guest TSC %s, this host %s); "
                    "%s a host with TSC scaling",
                    rule, tg_tri_to_string(c->d->dest_scaling), c->ghz, c->dhz, c->go);
        return true;
    }
    return false;
}

/* The frequency to suggest pinning: destination, else nominal. */
static void
fmt_pin(const TgCtx *c, char *buf, gsize size)
{
    guint64 hz = c->d->dest_hz ? c->d->dest_hz : c->d->guest_hz;

    if (hz)
        g_snprintf(buf, size, "%" G_GUINT64_FORMAT, hz);
    else
        g_snprintf(buf, size, "HOST_TSC_HZ");
}

/* ---- rules 2 and 3: fail whatever the hosts ---- */
bool
tg_decide_rule23_needs_frequency(TgCtx *c)
{
    const TgGuestProfile *g = c->guest;
    char pin[32] = "";

    if (g->has_explicit_hz)
        return false;
    if (!c->quiet)
        fmt_pin(c, pin, sizeof(pin));
    /* Hyper-V enlightenments are KVM's (target/i386/kvm/kvm.c): under TCG
     * re-enlightenment does not exist. */
    if (g->kind != TG_GUEST_TCG &&
        (g->hv_reenlightenment == TG_TRI_YES || g->dependence == TG_DEP_REENLIGHTENMENT)) {
        tg_decide_set_outcome(c, TG_VERDICT_DENY, "reenlightenment-without-frequency", 2,
                    "Hyper-V re-enlightenment is on but the guest has no explicit "
                    "TSC frequency (guest TSC %s, this host %s): QEMU fails the "
                    "migration after the full memory transfer; set "
                    "<timer name='tsc' frequency='%s'/> and restart the guest",
                    c->ghz, c->dhz, pin);
        return true;
    }
    if (g->invtsc_exposed) {
        tg_decide_set_outcome(c, TG_VERDICT_DENY, "invtsc-without-frequency", 3,
                    "invtsc is exposed but the guest has no explicit TSC frequency "
                    "(guest TSC %s, this host %s): libvirt and QEMU refuse to "
                    "migrate it; set <timer name='tsc' frequency='%s'/> and "
                    "restart the guest",
                    c->ghz, c->dhz, pin);
        return true;
    }
    return false;
}

/* ---- rule 6: destination timekeeping health ---- */
static void
add_warning(TgCtx *c, const char *code, const char *text)
{
    if (!c->warn_code)
        c->warn_code = code;
    c->n_warn++;
    if (!c->warn)
        return;
    if (c->warn->len)
        g_string_append(c->warn, "; ");
    g_string_append(c->warn, text);
}

/* A host without constant_tsc keeps its TSC at one rate only with deep
 * C-states off (processor.max_cstate=1) and cpufreq pinned at the highest
 * frequency (Red Hat's "KVM Guest Timing Management" checklist; Linux
 * arch/x86/kernel/tsc.c time_cpufreq_notifier: without constant_tsc the TSC
 * follows every frequency change). Such a remediated host is not "not
 * invariant" for rule 6; the kernel's own unstable mark still is. Returns
 * NULL when the host is remediated, else what the reason adds ("" when the
 * checklist does not apply or its facts are unknown). */
static const char *
rule6_pm_checklist(const TgHostFacts *dest)
{
    bool cstates = tg_host_facts_cstates_off(dest);
    TgTri pinned = tg_bool_fact_tri(&dest->cpufreq_pinned);

    switch (tg_host_facts_pm_remediated(dest)) {
    case TG_TRI_YES:
        return NULL;
    case TG_TRI_NO:
        if (!cstates && pinned == TG_TRI_YES)
            return "; without constant_tsc it needs processor.max_cstate=1";
        if (cstates)
            return "; without constant_tsc it needs cpufreq pinned at the highest frequency";
        return "; without constant_tsc it needs processor.max_cstate=1 and pinned cpufreq";
    case TG_TRI_UNKNOWN:
    default:
        return ""; /* not a host without constant_tsc, or facts without the checklist */
    }
}

/* Health facts neither host.xml nor the probe could read: the policy's
 * <unknown clock-sync=... tsc-stability=...> (default allow). */
static bool
rule6_unknown_health(TgCtx *c, const TgHostFacts *dest)
{
    char text[320];
    TgVerdict v;

    if (!c->not_a_move && !dest->clock_synchronized.note.known &&
        c->s->unknown_clock_sync != TG_UNKNOWN_ALLOW) {
        g_snprintf(text, sizeof(text),
                   "this host's clock synchronisation is unknown (%s)",
                   dest->clock_synchronized.note.reason ? dest->clock_synchronized.note.reason
                                                        : "not stated, not probed");
        v = tg_decide_unknown_verdict(c->s->unknown_clock_sync, true);
        if (v == TG_VERDICT_DENY) {
            tg_decide_set_outcome(c, v, "dest-clock-sync-unknown", 6,
                        "%s; state clock-synchronized in host.xml or let tscgate read "
                        "adjtimex(2) on this host", text);
            return true;
        }
        add_warning(c, "dest-clock-sync-unknown", text);
    }
    if ((!dest->tsc_unstable.note.known || tg_host_facts_tsc_invariant(dest) == TG_TRI_UNKNOWN) &&
        c->s->unknown_tsc_stability != TG_UNKNOWN_ALLOW) {
        const char *why = !dest->tsc_unstable.note.known ? "tsc-unstable" : NULL;

        g_snprintf(text, sizeof(text),
                   "this host's TSC stability is unknown (%s%s%s%sconstant_tsc %s, nonstop_tsc %s)",
                   why ? why : "", why ? ": " : "",
                   why ? (dest->tsc_unstable.note.reason ? dest->tsc_unstable.note.reason
                                                          : "not stated") : "",
                   why ? "; " : "",
                   tg_tri_to_string(tg_bool_fact_tri(&dest->constant_tsc)),
                   tg_tri_to_string(tg_bool_fact_tri(&dest->nonstop_tsc)));
        v = tg_decide_unknown_verdict(c->s->unknown_tsc_stability, c->sensitive);
        if (v == TG_VERDICT_DENY) {
            tg_decide_set_outcome(c, v, "dest-tsc-stability-unknown", 6,
                        "%s: %s (guest TSC %s) may drift; state tsc-unstable, constant-tsc "
                        "and nonstop-tsc in host.xml or let tscgate read them on this host",
                        text, "a guest that reads the TSC", c->ghz);
            return true;
        }
        add_warning(c, "dest-tsc-stability-unknown", text);
    }
    return false;
}

bool
tg_decide_rule6_health(TgCtx *c, const TgHostFacts *dest)
{
    const char *cls = c->sensitive ? "a guest that reads the TSC" : "a kvm-clock guest";
    char text[256] = "";
    const char *code = NULL;
    const char *pm = rule6_pm_checklist(dest);

    if (dest->tsc_unstable.note.known && dest->tsc_unstable.value) {
        code = "dest-tsc-unstable";
        if (!c->quiet)
            g_snprintf(text, sizeof(text), "this host's kernel marked its TSC unstable");
    } else if (tg_host_facts_tsc_invariant(dest) == TG_TRI_NO && pm) {
        code = "dest-tsc-not-invariant";
        if (!c->quiet)
            g_snprintf(text, sizeof(text),
                   "this host's TSC is not invariant (constant_tsc %s, nonstop_tsc %s)%s",
                   tg_tri_to_string(tg_bool_fact_tri(&dest->constant_tsc)),
                   tg_tri_to_string(tg_bool_fact_tri(&dest->nonstop_tsc)), pm);
    }
    if (code) {
        if (c->sensitive && c->s->deny_unstable_tsc) {
            tg_decide_set_outcome(c, TG_VERDICT_DENY, code, 6,
                        "%s: %s (guest TSC %s) would drift; %s a host "
                        "with an invariant, stable TSC", text, cls, c->ghz, c->go);
            return true;
        }
        add_warning(c, code, text);
    }

    /* On the host that saved it the guest meets the clock it left. */
    if (!c->not_a_move && dest->clock_synchronized.note.known &&
        !dest->clock_synchronized.value) {
        if (!c->quiet)
            g_snprintf(text, sizeof(text),
                   "this host's clock is not NTP-synchronised, guest wall-clock "
                   "may jump after the %s", c->op_noun);
        if (c->s->deny_unsynchronized_clock) {
            tg_decide_set_outcome(c, TG_VERDICT_DENY, "dest-clock-unsynchronized", 6,
                        "%s; synchronise this host's clock (NTP) or %s "
                        "elsewhere", text, c->go_elsewhere);
            return true;
        }
        add_warning(c, "dest-clock-unsynchronized", text);
    }
    return rule6_unknown_health(c, dest);
}

/* ---- rule 7: destination frequency unknown ---- */
bool
tg_decide_rule7_dest_unknown(TgCtx *c)
{
    bool dependent = c->pins || c->sensitive;

    if (c->d->dest_hz)
        return false;
    tg_decide_set_outcome(c, tg_decide_unknown_verdict(c->s->unknown_dest_frequency, dependent),
                "dest-frequency-unknown", 7,
                "this host's TSC frequency is unknown (%s), guest TSC %s (%s, %s) "
                "cannot be checked; give this host's facts in host.xml or "
                "%s a host that reports its TSC",
                c->dest_hz_known_zero ? "reported as 0 Hz" : c->dest_hz_why,
                c->ghz, tg_nominal_origin_to_string(c->d->guest_hz_origin),
                tg_dependence_to_string(c->d->dependence), c->go);
    /* An explicit frequency is kept or QEMU does not start at all (under
     * KVM; TCG's TSC follows this host's unknown rate). */
    if (c->pins && c->guest->kind == TG_GUEST_KVM && c->d->verdict != TG_VERDICT_DENY)
        c->d->effective_hz = c->guest->explicit_hz;
    return true;
}

/* ---- KVM's own tolerance (rules 1 and 4) ----
 * Inside the window QEMU asks KVM for the guest's rate (kvm_arch_set_tsc_khz,
 * freq_within_bounds: 250 ppm). KVM compares it with its own
 * tsc_tolerance_ppm (kvm_set_tsc_khz): inside, no ratio; outside, it scales
 * where it can (set_tsc_khz), and without scaling runs the TSC in catch-up
 * mode for a rate above the host's (tsc_always_catchup: stepped forward on
 * every entry) and refuses a rate below it. That happens only on a host
 * whose tsc_tolerance_ppm was lowered below QEMU's 250. */

/* True when KVM's tolerance is known and `hz` is outside it. */
static bool
outside_kvm_tolerance(const TgCtx *c, guint64 hz)
{
    guint64 lo, hi;

    if (!c->kvm_ppm || c->kvm_ppm > G_MAXUINT32 || !c->d->dest_hz)
        return false;
    tg_tolerance_window(c->d->dest_hz, (guint32)c->kvm_ppm, &lo, &hi);
    return hz < lo || hz > hi;
}

/* Inside the window: what KVM does without scaling with a rate outside its
 * own tolerance. Returns true when that decides. */
static bool
kvm_tolerance_catchup(TgCtx *c, guint64 hz, int rule)
{
    TgDecision *d = c->d;
    bool dependent = c->pins || c->sensitive;

    if (d->dest_scaling != TG_TRI_NO || !outside_kvm_tolerance(c, hz))
        return false;
    if (hz < d->dest_hz) {
        if (!c->pins)
            return false;   /* QEMU ignores the refusal: the TSC runs at H */
        tg_decide_set_outcome(c, TG_VERDICT_DENY, "kvm-tolerance-refused", rule,
                    "guest TSC %s (explicit) is below this host's %s and outside KVM's "
                    "tsc_tolerance_ppm %" G_GUINT64_FORMAT " without TSC scaling: KVM "
                    "refuses it and QEMU does not start; %s a host with TSC scaling",
                    c->ghz, c->dhz, c->kvm_ppm, c->go);
        return true;
    }
    tg_decide_set_outcome(c, dependent ? TG_VERDICT_DENY : TG_VERDICT_WARN, "kvm-tolerance-catchup", rule,
                "guest TSC %s is above this host's %s and outside KVM's tsc_tolerance_ppm %"
                G_GUINT64_FORMAT " without TSC scaling: KVM keeps it in catch-up mode, "
                "stepping the TSC forward; %s%s", c->ghz, c->dhz, c->kvm_ppm,
                dependent ? c->go : "kvm-clock adapts",
                dependent ? " a host with TSC scaling" : "");
    if (!dependent)
        d->effective_hz = hz;
    return true;
}

/* ---- rule 1: explicit frequency ---- */
void
tg_decide_rule1_explicit(TgCtx *c)
{
    TgDecision *d = c->d;
    guint64 f = c->guest->explicit_hz;
    const char *sc = tg_tri_to_string(d->dest_scaling);

    if (tg_decide_in_window(c, f)) {
        if (kvm_tolerance_catchup(c, f, 1))
            return;
        tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "explicit-within-tolerance", 1,
                    "guest TSC %s (explicit) is within %s; scaling %s",
                    c->ghz, c->win, sc);
        /* Inside its tolerance KVM sets no ratio (kvm_set_tsc_khz): the
         * TSC ticks at this host's rate, within tolerance of F; outside
         * it, a scaling host scales. */
        d->effective_hz = outside_kvm_tolerance(c, f) && d->dest_scaling == TG_TRI_YES
                              ? f : d->dest_hz;
        return;
    }
    switch (d->dest_scaling) {
    case TG_TRI_YES:
        if (tg_kvm_ratio_ok(f, d->dest_hz, c->vendor)) {
            tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "explicit-scaled", 1,
                        "guest TSC %s (explicit) is outside %s; this host's TSC "
                        "scaling keeps it (%+" G_GINT64_FORMAT " ppm)",
                        c->ghz, c->win, tg_decide_ppm_diff(d->dest_hz, f));
            d->effective_hz = f;
        } else {
            tg_decide_set_outcome(c, TG_VERDICT_DENY, "explicit-ratio-out-of-range", 1,
                        "guest TSC %s (explicit) is outside %s and beyond KVM's "
                        "TSC scaling ratio limit for this host (%s); %s "
                        "a host within that window or with a closer TSC",
                        c->ghz, c->win, c->vendor ? c->vendor : "vendor unknown", c->go);
        }
        return;
    case TG_TRI_NO:
        tg_decide_set_outcome(c, TG_VERDICT_DENY, "explicit-outside-tolerance", 1,
                    "guest TSC %s (explicit) is outside %s and this host has no "
                    "TSC scaling; %s a host within that window or with "
                    "TSC scaling", c->ghz, c->win, c->go);
        return;
    case TG_TRI_UNKNOWN:
    default:
        tg_decide_set_outcome(c, tg_decide_unknown_verdict(c->s->unknown_dest_scaling, true),
                    "explicit-dest-scaling-unknown", 1,
                    "guest TSC %s (explicit) is outside %s and this host's TSC "
                    "scaling is unknown; QEMU may refuse to start it; "
                    "%s a host within that window or with TSC scaling",
                    c->ghz, c->win, c->go);
        if (c->d->verdict != TG_VERDICT_DENY)
            d->effective_hz = f;   /* QEMU starts at F or not at all */
        return;
    }
}

/* ---- several pinned rates (rule 1) ----
 * libvirt checks the first <timer name='tsc'> with a frequency
 * (qemuProcessStartValidateTSC: inside the window, or scaling yes, or
 * scaling unknown "QEMU will try harder", else it refuses to start QEMU);
 * QEMU applies the last (qemuBuildCpuCommandLine passes every one). */

/* libvirt's check of the first pinned rate, when it differs from the last:
 * returns true when libvirt refuses (decided). */
bool
tg_decide_several_pins_first(TgCtx *c)
{
    const TgGuestProfile *g = c->guest;
    char f1[32];

    if (!c->pins || !g->first_explicit_hz || g->first_explicit_hz == g->explicit_hz ||
        tg_decide_in_window(c, g->first_explicit_hz) || c->d->dest_scaling != TG_TRI_NO)
        return false;
    tg_decide_fmt_hz(f1, sizeof(f1), g->first_explicit_hz);
    tg_decide_set_outcome(c, TG_VERDICT_DENY, "explicit-first-outside-tolerance", 1,
                "the first <timer name='tsc'> (%s), which libvirt checks, is outside "
                "%s, no TSC scaling here: libvirt refuses to start the guest "
                "(qemuProcessStartValidateTSC); keep one <timer name='tsc'>", f1, c->win);
    return true;
}

/* After rule 1 denied a guest with several pinned rates: say which one QEMU
 * applies and which one libvirt checked. */
void
tg_decide_several_pins_note(TgCtx *c)
{
    const TgGuestProfile *g = c->guest;
    char *joined;

    if (c->quiet || c->d->verdict != TG_VERDICT_DENY || !g->first_explicit_hz ||
        g->first_explicit_hz == g->explicit_hz)
        return;
    joined = g_strdup_printf("%s; QEMU applies the last <timer name='tsc'> (%" G_GUINT64_FORMAT
                             " Hz), libvirt checks the first (%" G_GUINT64_FORMAT " Hz)",
                             c->d->reason, g->explicit_hz, g->first_explicit_hz);
    g_free(c->d->reason);
    c->d->reason = joined;
}

/* ---- rule 4: nominal frequency known, not explicit ---- */
void
tg_decide_rule4_nominal(TgCtx *c)
{
    TgDecision *d = c->d;
    guint64 n = d->guest_hz;
    const char *origin = tg_nominal_origin_to_string(d->guest_hz_origin);
    gint64 ppm = tg_decide_ppm_diff(n, d->dest_hz);

    if (tg_decide_in_window(c, n)) {
        if (kvm_tolerance_catchup(c, n, 4))
            return;
        tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "nominal-within-tolerance", 4,
                    "guest TSC %s (%s) is within %s; scaling %s",
                    c->ghz, origin, c->win, tg_tri_to_string(d->dest_scaling));
        /* no ratio inside KVM's tolerance */
        d->effective_hz = outside_kvm_tolerance(c, n) && d->dest_scaling == TG_TRI_YES
                              ? n : d->dest_hz;
        return;
    }
    if (d->dest_scaling == TG_TRI_YES && tg_kvm_ratio_ok(n, d->dest_hz, c->vendor)) {
        tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "nominal-scaled", 4,
                    "guest TSC %s (%s) is outside %s; this host's TSC scaling "
                    "keeps the guest's rate", c->ghz, origin, c->win);
        d->effective_hz = n;
        return;
    }
    if (d->dest_scaling == TG_TRI_UNKNOWN) {
        if (c->sensitive) {
            tg_decide_set_outcome(c, tg_decide_unknown_verdict(c->s->unknown_dest_scaling, true),
                        "tsc-sensitive-dest-scaling-unknown", 4,
                        "guest TSC %s (%s) reads the TSC directly and is outside "
                        "%s; this host's TSC scaling is unknown; %s a "
                        "host within that window or with TSC scaling",
                        c->ghz, origin, c->win, c->go);
        } else {
            tg_decide_set_outcome(c, tg_decide_unknown_verdict(c->s->unknown_dest_scaling, false),
                        "paravirt-dest-scaling-unknown", 4,
                        "guest TSC %s (%s) is outside %s and this host's TSC "
                        "scaling is unknown: its rate may change to %s "
                        "(%+" G_GINT64_FORMAT " ppm); kvm-clock adapts",
                        c->ghz, origin, c->win, c->dhz, ppm);
        }
        return;
    }
    /* No usable scaling: QEMU only warns and the guest runs at the
     * destination's rate (kvm_arch_set_tsc_khz). */
    {
        const char *why = d->dest_scaling == TG_TRI_YES
            ? "beyond KVM's TSC scaling ratio limit" : "no TSC scaling";

        if (c->sensitive) {
            tg_decide_set_outcome(c, TG_VERDICT_DENY, "tsc-sensitive-outside-tolerance", 4,
                        "guest TSC %s (%s) reads the TSC directly and is outside "
                        "%s, %s: it would run at %s (%+" G_GINT64_FORMAT " ppm) "
                        "and drift; %s a host within that window or with "
                        "TSC scaling", c->ghz, origin, c->win, why, c->dhz, ppm, c->go);
        } else {
            tg_decide_set_outcome(c, TG_VERDICT_WARN, "paravirt-rate-change", 4,
                        "guest TSC rate changes %s -> %s (%+" G_GINT64_FORMAT
                        " ppm, %s): outside %s, %s; kvm-clock adapts",
                        c->ghz, c->dhz, ppm, origin, c->win, why);
            d->effective_hz = d->dest_hz;
            d->effective_changed = true;
        }
    }
}

/* ---- rule 5: nominal frequency unknown ---- */

/* With the nominal rate N unknown: when the effective rate the record last
 * saw and this hop's are more than the tolerance apart, the guest's TSC
 * changed rate under it (at one of the two hosts it did not run at N):
 * effective_changed. */
static void
rate_moved(TgCtx *c)
{
    TgDecision *d = c->d;
    const TgLineage *l = c->guest->lineage;
    guint64 lo, hi;

    if (!d->effective_hz || !l || !l->effective_hz)
        return;
    tg_tolerance_window(l->effective_hz, c->s->tolerance_ppm, &lo, &hi);
    if (d->effective_hz < lo || d->effective_hz > hi)
        d->effective_changed = true;
}

/* The effective rate after a hop of a guest whose nominal rate N nobody
 * knows (doc/tsc-model.md, live migration table): without scaling every
 * possible outcome runs the TSC at this host's rate (inside KVM's tolerance
 * no ratio, outside it QEMU gives up on KVM_SET_TSC_KHZ,
 * kvm_arch_set_tsc_khz); with scaling it runs at N, unknown; with scaling
 * unknown nobody can say. */
static void
unknown_nominal_effective(TgCtx *c)
{
    c->d->effective_hz = c->d->dest_scaling == TG_TRI_NO ? c->d->dest_hz : 0;
    rate_moved(c);
}

static bool
candidate_ok(const TgCtx *c, const TgCandidateHost *h)
{
    if (!h->tsc_hz)
        return false;
    if (tg_decide_in_window(c, h->tsc_hz))
        return true;
    return c->d->dest_scaling == TG_TRI_YES &&
           tg_kvm_ratio_ok(h->tsc_hz, c->d->dest_hz, c->vendor);
}

void
tg_decide_rule5_unknown_nominal(TgCtx *c)
{
    const TgSettings *s = c->s;
    TgDecision *d = c->d;
    g_autoptr(GString) note = c->quiet ? NULL : g_string_new("");
    const char *note_str = "";

    if (s->candidates && s->n_candidates) {
        const TgCandidateHost *bad = NULL;

        for (gsize i = 0; i < s->n_candidates && !bad; i++)
            if (!candidate_ok(c, &s->candidates[i]))
                bad = &s->candidates[i];
        if (!bad) {
            g_autoptr(GString) names = g_string_new("");

            for (gsize i = 0; !c->quiet && i < s->n_candidates && i < TG_REASON_HOSTS_MAX; i++) {
                g_autofree char *n = tg_decide_admin_text(s->candidates[i].name ? s->candidates[i].name : "?");

                g_string_append_printf(names, "%s%s", i ? ", " : "", n);
            }
            if (!c->quiet && s->n_candidates > TG_REASON_HOSTS_MAX)
                g_string_append_printf(names, " and %" G_GSIZE_FORMAT " more",
                                       s->n_candidates - TG_REASON_HOSTS_MAX);
            tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "inventory-compatible", 5,
                        "guest TSC unknown but every inventory host it may come "
                        "from (%s) is within %s or scaled here (scaling %s)",
                        names->str, c->win, tg_tri_to_string(d->dest_scaling));
            d->guest_hz_origin = TG_NOMINAL_INVENTORY;
            unknown_nominal_effective(c);
            return;
        } else if (note) {
            g_autofree char *n = tg_decide_admin_text(bad->name ? bad->name : "?");
            char hz[32];

            tg_decide_fmt_hz(hz, sizeof(hz), bad->tsc_hz);
            g_string_printf(note, " (inventory host %s at %s does not fit)", n, hz);
        }
    }
    if (note)
        note_str = note->str;
    unknown_nominal_effective(c);
    if (d->dest_scaling == TG_TRI_YES) {
        /* KVM scales to any rate a real host gave: set_tsc_khz's ratio
         * limits (32 or 48 fraction bits, at most 256x or more) span every
         * TSC rate there is. */
        tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "nominal-unknown-dest-scaling", 5,
                    "guest TSC unknown%s but this host (%s) has TSC scaling "
                    "and keeps the guest's rate", note_str, c->dhz);
        return;
    }
    if (!c->sensitive) {
        tg_decide_set_outcome(c, tg_decide_unknown_verdict(s->unknown_guest_frequency, false),
                    "paravirt-nominal-unknown", 5,
                    "guest TSC unknown%s, this host %s, scaling %s: the guest's "
                    "rate may change; kvm-clock adapts",
                    note_str, c->dhz, tg_tri_to_string(d->dest_scaling));
        return;
    }
    tg_decide_set_outcome(c, tg_decide_unknown_verdict(s->unknown_guest_frequency, true),
                "guest-frequency-unknown", 5,
                "guest TSC frequency unknown%s and the guest reads the TSC "
                "directly (this host %s, scaling %s); set <timer name='tsc' "
                "frequency=...> or list its hosts in the policy inventory",
                note_str, c->win, tg_tri_to_string(d->dest_scaling));
}

/* ---- rule 8: guests without a TSC ----
 * Not x86: no TSC, no tsc_khz, nothing of doc/tsc-model.md applies. */
void
tg_decide_rule8_no_tsc(TgCtx *c)
{
    const TgGuestProfile *g = c->guest;
    g_autofree char *arch = g->arch && !c->quiet ? tg_decide_admin_text(g->arch) : NULL;
    g_autofree char *machine = g->machine && !c->quiet ? tg_decide_admin_text(g->machine) : NULL;

    tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "guest-without-tsc", 8,
                "guest %s%s%s%s has no TSC (not x86): nothing to check",
                arch ? "arch " : "machine ", arch ? arch : machine ? machine : "?",
                arch && machine ? ", machine " : "", arch && machine ? machine : "");
}

/* ---- rule 10: offline migration ----
 * `virsh migrate --offline --persistent` moves only the persistent
 * definition: libvirt runs the migrate hook (qemuMigrationDstPrepareAny,
 * src/qemu/qemu_migration.c) before it checks VIR_MIGRATE_OFFLINE, and no
 * QEMU starts. No TSC state moves; the guest's next start here is a boot
 * at this host's rate (doc/tsc-model.md). */
bool
tg_decide_rule10_offline(TgCtx *c)
{
    const TgSettings *s = c->s;

    if (s->run.operation != TG_OP_MIGRATE || !s->run.definition_not_running ||
        !s->offline_detect)
        return false;
    if (s->force_deny)
        return tg_decide_rule0_policy(c);
    tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "offline-migration", 10,
                "an offline migration (the definition carries no <resource>, which libvirt adds "
                "to every guest it starts): no TSC state moves; the guest's next start here is "
                "a boot at this host's rate (%s) or its pinned one", c->dhz);
    c->d->effective_hz = 0;
    return true;
}

/* ---- rule 11: a restore on the host that saved the image ----
 * The save image holds the migration stream (qemuSaveImageStartVM feeds
 * it to a QEMU started with -incoming): on the host that saved it, in the
 * same boot, H is unchanged and E = N; after a reboot H is this host's new
 * calibration (a few kHz at most without tsc_known_freq, inside the
 * tolerance), except that libvirt checks a pinned rate again
 * (qemuProcessStartValidateTSC): that one goes through rules 1-7. */
bool
tg_decide_rule11_same_host(TgCtx *c, const TgHostFacts *dest)
{
    const TgGuestProfile *g = c->guest;
    bool same_boot = c->same_host == TG_SAME_HOST_SAME_BOOT;
    g_autofree char *why = tg_decide_admin_text(c->same_host_why ? c->same_host_why
                                                       : "known to this host");

    if (!same_boot && g->has_explicit_hz && g->kind == TG_GUEST_KVM)
        return false;
    if (tg_decide_rule6_health(c, dest))
        return true;
    c->d->effective_hz = g->lineage && g->lineage->effective_hz ? g->lineage->effective_hz
                         : g->has_explicit_hz && g->kind == TG_GUEST_KVM ? g->explicit_hz
                         : c->d->dest_hz;
    if (same_boot)
        tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "restore-same-host", 11,
                    "restored on the host that saved it, in this boot (%s): its TSC keeps "
                    "the rate it ran at (guest TSC %s, this host %s)", why, c->ghz, c->dhz);
    else
        tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "restore-same-host-rebooted", 11,
                    "restored on the host that saved it, maybe at an earlier boot (%s): this "
                    "host's TSC (%s) was calibrated again at boot, within the tolerance "
                    "(guest TSC %s)", why, c->dhz, c->ghz);
    return true;
}

/* ---- rule 9: TCG guests (<domain type='qemu'>) ----
 * No KVM: the guest's TSC is this host's raw TSC plus an offset (QEMU
 * cpu_get_ticks, cpu_get_host_ticks), never scaled, with no kvm-clock: the
 * effective rate is this host's whatever the guest's nominal rate. The
 * guest keeps time only when its nominal rate (the pinned one, or the one
 * its record carries) is within tolerance of this host's. */
void
tg_decide_rule9_tcg(TgCtx *c)
{
    TgDecision *d = c->d;
    const TgGuestProfile *g = c->guest;
    guint64 n = d->guest_hz;
    const char *origin = tg_nominal_origin_to_string(d->guest_hz_origin);
    char f1[32];

    /* libvirt's own check of the first pinned rate applies under TCG too
     * (qemuProcessStartValidateTSC does not look at the domain type). */
    if (c->pins && !tg_decide_in_window(c, g->first_explicit_hz) && d->dest_scaling == TG_TRI_NO) {
        tg_decide_fmt_hz(f1, sizeof(f1), g->first_explicit_hz);
        tg_decide_set_outcome(c, TG_VERDICT_DENY,
                    g->first_explicit_hz == g->explicit_hz ? "explicit-outside-tolerance"
                                                           : "explicit-first-outside-tolerance",
                    1, "guest TSC %s (explicit) is outside %s and this host has no TSC "
                    "scaling: libvirt refuses to start the guest here "
                    "(qemuProcessStartValidateTSC); %s a host within that window",
                    f1, c->win, c->go);
        return;
    }
    d->effective_hz = d->dest_hz;
    if (!n) {
        tg_decide_set_outcome(c, tg_decide_unknown_verdict(c->s->unknown_guest_frequency, c->sensitive),
                    "tcg-nominal-unknown", 9,
                    "TCG guest (no KVM): its TSC runs at this host's raw rate %s and the "
                    "rate it calibrated at boot is unknown; pin <timer name='tsc' "
                    "frequency=...> or keep it on hosts of one TSC rate", c->dhz);
        rate_moved(c);
        return;
    }
    if (tg_decide_in_window(c, n)) {
        tg_decide_set_outcome(c, TG_VERDICT_ALLOW, "tcg-within-tolerance", 9,
                    "TCG guest (no KVM): its TSC runs at this host's raw rate, and guest "
                    "TSC %s (%s) is within %s", c->ghz, origin, c->win);
        return;
    }
    if (c->sensitive) {
        tg_decide_set_outcome(c, TG_VERDICT_DENY, "tcg-rate-change", 9,
                    "TCG guest (no KVM, no TSC scaling): its TSC would run at this host's "
                    "%s (%+" G_GINT64_FORMAT " ppm) instead of guest TSC %s (%s), outside "
                    "%s, and drift; %s a host within that window",
                    c->dhz, tg_decide_ppm_diff(n, d->dest_hz), c->ghz, origin, c->win, c->go);
        return;
    }
    tg_decide_set_outcome(c, TG_VERDICT_WARN, "tcg-rate-change", 9,
                "TCG guest (no KVM, no TSC scaling): its TSC rate changes %s -> %s "
                "(%+" G_GINT64_FORMAT " ppm, %s), outside %s",
                c->ghz, c->dhz, tg_decide_ppm_diff(n, d->dest_hz), origin, c->win);
    d->effective_changed = true;
}

/* Join rule 6 warnings and the policy's force_warn to the outcome. */
