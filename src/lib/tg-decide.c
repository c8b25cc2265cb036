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

#include "tg-decide.h"

#include <string.h>

__extension__ typedef unsigned __int128 TgU128;

/* Cap for admin-provided text (policy rule name, message) in a reason. */
#define TG_REASON_TEXT_MAX 80
/* At most this many inventory hosts are named in a reason. */
#define TG_REASON_HOSTS_MAX 3

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

/* ---- the engine ------------------------------------------------------ */

typedef struct {
    const TgGuestProfile *guest;
    const TgSettings *s;
    TgDecision *d;
    const char *vendor;
    bool pins;       /* explicit frequency: QEMU enforces the rate */
    bool sensitive;  /* effective class reads the TSC (not paravirt) */
    bool dest_hz_known_zero; /* the facts say 0 Hz: treated as unknown */
    guint64 kvm_ppm; /* the destination's KVM tsc_tolerance_ppm, 0 = unknown */
    const char *dest_hz_why; /* why the destination rate is unknown */
    char win[160];   /* "D Hz +/-P ppm [lo, hi]" or "unknown" */
    char ghz[32];    /* guest nominal "N Hz" or "unknown" */
    char dhz[32];    /* destination "D Hz" or "unknown" */
    bool not_a_move; /* a restore on the host that saved it (rule 11) */
    TgSameHost same_host;       /* run.same_host, or the policy's unplaced-restore */
    const char *same_host_why;
    const char *op_noun; /* "move" or "restore", for the reason */
    const char *go;      /* the fix: "migrate to" or "restore it on" (a host ...) */
    const char *go_elsewhere; /* "migrate" or "restore it" (elsewhere) */
    GString *warn;   /* rule 6 warnings to join to an allow (NULL when quiet) */
    guint n_warn;    /* how many there are */
    const char *warn_code;
    bool quiet;      /* tg_decide_outcome(): decide, format no reason */
} TgCtx;

static void
fmt_hz(char *buf, gsize size, guint64 hz)
{
    if (hz)
        g_snprintf(buf, size, "%" G_GUINT64_FORMAT " Hz", hz);
    else
        g_snprintf(buf, size, "unknown");
}

/* Admin text (policy rule name, message): escaped to one line, capped. */
static char *
admin_text(const char *s)
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

static void
set_outcome(TgCtx *c, TgVerdict v, const char *code, int rule,
            const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static void
set_outcome(TgCtx *c, TgVerdict v, const char *code, int rule,
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
static TgVerdict
unknown_verdict(TgUnknownAction a, bool dependent)
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

static bool
in_window(const TgCtx *c, guint64 hz)
{
    return c->d->dest_hz && hz >= c->d->window_lo && hz <= c->d->window_hi;
}

/* Signed ppm difference of `to` relative to `from`, rounded to nearest. */
static gint64
ppm_diff(guint64 from, guint64 to)
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

/* ---- rule 0: policy ---- */
static bool
rule0_policy(TgCtx *c)
{
    const TgSettings *s = c->s;
    g_autofree char *rule = NULL;

    /* A guest restored where it was saved stays on its host. */
    if (c->not_a_move)
        return false;
    if (!s->force_deny && !s->require_scaling)
        return false;
    if (!c->quiet)
        rule = admin_text(s->policy_rule ? s->policy_rule : "(unnamed)");
    if (s->force_deny) {
        g_autofree char *msg = s->force_deny_message && !c->quiet
                                   ? admin_text(s->force_deny_message) : NULL;

        set_outcome(c, TG_VERDICT_DENY, "policy-force-deny", 0,
                    "policy rule '%s' denies this guest on any host%s%s "
                    "(guest TSC %s, this host %s, scaling %s)",
                    rule, msg ? ": " : "", msg ? msg : "",
                    c->ghz, c->dhz, tg_tri_to_string(c->d->dest_scaling));
        return true;
    }
    if (s->require_scaling && c->d->dest_scaling != TG_TRI_YES) {
        set_outcome(c, TG_VERDICT_DENY, "policy-require-scaling", 0,
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
static bool
rule23_needs_frequency(TgCtx *c)
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
        set_outcome(c, TG_VERDICT_DENY, "reenlightenment-without-frequency", 2,
                    "Hyper-V re-enlightenment is on but the guest has no explicit "
                    "TSC frequency (guest TSC %s, this host %s): QEMU fails the "
                    "migration after the full memory transfer; set "
                    "<timer name='tsc' frequency='%s'/> and restart the guest",
                    c->ghz, c->dhz, pin);
        return true;
    }
    if (g->invtsc_exposed) {
        set_outcome(c, TG_VERDICT_DENY, "invtsc-without-frequency", 3,
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
        v = unknown_verdict(c->s->unknown_clock_sync, true);
        if (v == TG_VERDICT_DENY) {
            set_outcome(c, v, "dest-clock-sync-unknown", 6,
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
        v = unknown_verdict(c->s->unknown_tsc_stability, c->sensitive);
        if (v == TG_VERDICT_DENY) {
            set_outcome(c, v, "dest-tsc-stability-unknown", 6,
                        "%s: %s (guest TSC %s) may drift; state tsc-unstable, constant-tsc "
                        "and nonstop-tsc in host.xml or let tscgate read them on this host",
                        text, "a guest that reads the TSC", c->ghz);
            return true;
        }
        add_warning(c, "dest-tsc-stability-unknown", text);
    }
    return false;
}

static bool
rule6_health(TgCtx *c, const TgHostFacts *dest)
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
            set_outcome(c, TG_VERDICT_DENY, code, 6,
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
            set_outcome(c, TG_VERDICT_DENY, "dest-clock-unsynchronized", 6,
                        "%s; synchronise this host's clock (NTP) or %s "
                        "elsewhere", text, c->go_elsewhere);
            return true;
        }
        add_warning(c, "dest-clock-unsynchronized", text);
    }
    return rule6_unknown_health(c, dest);
}

/* ---- rule 7: destination frequency unknown ---- */
static bool
rule7_dest_unknown(TgCtx *c)
{
    bool dependent = c->pins || c->sensitive;

    if (c->d->dest_hz)
        return false;
    set_outcome(c, unknown_verdict(c->s->unknown_dest_frequency, dependent),
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
        set_outcome(c, TG_VERDICT_DENY, "kvm-tolerance-refused", rule,
                    "guest TSC %s (explicit) is below this host's %s and outside KVM's "
                    "tsc_tolerance_ppm %" G_GUINT64_FORMAT " without TSC scaling: KVM "
                    "refuses it and QEMU does not start; %s a host with TSC scaling",
                    c->ghz, c->dhz, c->kvm_ppm, c->go);
        return true;
    }
    set_outcome(c, dependent ? TG_VERDICT_DENY : TG_VERDICT_WARN, "kvm-tolerance-catchup", rule,
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
static void
rule1_explicit(TgCtx *c)
{
    TgDecision *d = c->d;
    guint64 f = c->guest->explicit_hz;
    const char *sc = tg_tri_to_string(d->dest_scaling);

    if (in_window(c, f)) {
        if (kvm_tolerance_catchup(c, f, 1))
            return;
        set_outcome(c, TG_VERDICT_ALLOW, "explicit-within-tolerance", 1,
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
            set_outcome(c, TG_VERDICT_ALLOW, "explicit-scaled", 1,
                        "guest TSC %s (explicit) is outside %s; this host's TSC "
                        "scaling keeps it (%+" G_GINT64_FORMAT " ppm)",
                        c->ghz, c->win, ppm_diff(d->dest_hz, f));
            d->effective_hz = f;
        } else {
            set_outcome(c, TG_VERDICT_DENY, "explicit-ratio-out-of-range", 1,
                        "guest TSC %s (explicit) is outside %s and beyond KVM's "
                        "TSC scaling ratio limit for this host (%s); %s "
                        "a host within that window or with a closer TSC",
                        c->ghz, c->win, c->vendor ? c->vendor : "vendor unknown", c->go);
        }
        return;
    case TG_TRI_NO:
        set_outcome(c, TG_VERDICT_DENY, "explicit-outside-tolerance", 1,
                    "guest TSC %s (explicit) is outside %s and this host has no "
                    "TSC scaling; %s a host within that window or with "
                    "TSC scaling", c->ghz, c->win, c->go);
        return;
    case TG_TRI_UNKNOWN:
    default:
        set_outcome(c, unknown_verdict(c->s->unknown_dest_scaling, true),
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
static bool
several_pins_first(TgCtx *c)
{
    const TgGuestProfile *g = c->guest;
    char f1[32];

    if (!c->pins || !g->first_explicit_hz || g->first_explicit_hz == g->explicit_hz ||
        in_window(c, g->first_explicit_hz) || c->d->dest_scaling != TG_TRI_NO)
        return false;
    fmt_hz(f1, sizeof(f1), g->first_explicit_hz);
    set_outcome(c, TG_VERDICT_DENY, "explicit-first-outside-tolerance", 1,
                "the first <timer name='tsc'> (%s), which libvirt checks, is outside "
                "%s, no TSC scaling here: libvirt refuses to start the guest "
                "(qemuProcessStartValidateTSC); keep one <timer name='tsc'>", f1, c->win);
    return true;
}

/* After rule 1 denied a guest with several pinned rates: say which one QEMU
 * applies and which one libvirt checked. */
static void
several_pins_note(TgCtx *c)
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
static void
rule4_nominal(TgCtx *c)
{
    TgDecision *d = c->d;
    guint64 n = d->guest_hz;
    const char *origin = tg_nominal_origin_to_string(d->guest_hz_origin);
    gint64 ppm = ppm_diff(n, d->dest_hz);

    if (in_window(c, n)) {
        if (kvm_tolerance_catchup(c, n, 4))
            return;
        set_outcome(c, TG_VERDICT_ALLOW, "nominal-within-tolerance", 4,
                    "guest TSC %s (%s) is within %s; scaling %s",
                    c->ghz, origin, c->win, tg_tri_to_string(d->dest_scaling));
        /* no ratio inside KVM's tolerance */
        d->effective_hz = outside_kvm_tolerance(c, n) && d->dest_scaling == TG_TRI_YES
                              ? n : d->dest_hz;
        return;
    }
    if (d->dest_scaling == TG_TRI_YES && tg_kvm_ratio_ok(n, d->dest_hz, c->vendor)) {
        set_outcome(c, TG_VERDICT_ALLOW, "nominal-scaled", 4,
                    "guest TSC %s (%s) is outside %s; this host's TSC scaling "
                    "keeps the guest's rate", c->ghz, origin, c->win);
        d->effective_hz = n;
        return;
    }
    if (d->dest_scaling == TG_TRI_UNKNOWN) {
        if (c->sensitive) {
            set_outcome(c, unknown_verdict(c->s->unknown_dest_scaling, true),
                        "tsc-sensitive-dest-scaling-unknown", 4,
                        "guest TSC %s (%s) reads the TSC directly and is outside "
                        "%s; this host's TSC scaling is unknown; %s a "
                        "host within that window or with TSC scaling",
                        c->ghz, origin, c->win, c->go);
        } else {
            set_outcome(c, unknown_verdict(c->s->unknown_dest_scaling, false),
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
            set_outcome(c, TG_VERDICT_DENY, "tsc-sensitive-outside-tolerance", 4,
                        "guest TSC %s (%s) reads the TSC directly and is outside "
                        "%s, %s: it would run at %s (%+" G_GINT64_FORMAT " ppm) "
                        "and drift; %s a host within that window or with "
                        "TSC scaling", c->ghz, origin, c->win, why, c->dhz, ppm, c->go);
        } else {
            set_outcome(c, TG_VERDICT_WARN, "paravirt-rate-change", 4,
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
    if (in_window(c, h->tsc_hz))
        return true;
    return c->d->dest_scaling == TG_TRI_YES &&
           tg_kvm_ratio_ok(h->tsc_hz, c->d->dest_hz, c->vendor);
}

static void
rule5_unknown_nominal(TgCtx *c)
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
                g_autofree char *n = admin_text(s->candidates[i].name ? s->candidates[i].name : "?");

                g_string_append_printf(names, "%s%s", i ? ", " : "", n);
            }
            if (!c->quiet && s->n_candidates > TG_REASON_HOSTS_MAX)
                g_string_append_printf(names, " and %" G_GSIZE_FORMAT " more",
                                       s->n_candidates - TG_REASON_HOSTS_MAX);
            set_outcome(c, TG_VERDICT_ALLOW, "inventory-compatible", 5,
                        "guest TSC unknown but every inventory host it may come "
                        "from (%s) is within %s or scaled here (scaling %s)",
                        names->str, c->win, tg_tri_to_string(d->dest_scaling));
            d->guest_hz_origin = TG_NOMINAL_INVENTORY;
            unknown_nominal_effective(c);
            return;
        } else if (note) {
            g_autofree char *n = admin_text(bad->name ? bad->name : "?");
            char hz[32];

            fmt_hz(hz, sizeof(hz), bad->tsc_hz);
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
        set_outcome(c, TG_VERDICT_ALLOW, "nominal-unknown-dest-scaling", 5,
                    "guest TSC unknown%s but this host (%s) has TSC scaling "
                    "and keeps the guest's rate", note_str, c->dhz);
        return;
    }
    if (!c->sensitive) {
        set_outcome(c, unknown_verdict(s->unknown_guest_frequency, false),
                    "paravirt-nominal-unknown", 5,
                    "guest TSC unknown%s, this host %s, scaling %s: the guest's "
                    "rate may change; kvm-clock adapts",
                    note_str, c->dhz, tg_tri_to_string(d->dest_scaling));
        return;
    }
    set_outcome(c, unknown_verdict(s->unknown_guest_frequency, true),
                "guest-frequency-unknown", 5,
                "guest TSC frequency unknown%s and the guest reads the TSC "
                "directly (this host %s, scaling %s); set <timer name='tsc' "
                "frequency=...> or list its hosts in the policy inventory",
                note_str, c->win, tg_tri_to_string(d->dest_scaling));
}

/* ---- rule 8: guests without a TSC ----
 * Not x86: no TSC, no tsc_khz, nothing of doc/tsc-model.md applies. */
static void
rule8_no_tsc(TgCtx *c)
{
    const TgGuestProfile *g = c->guest;
    g_autofree char *arch = g->arch && !c->quiet ? admin_text(g->arch) : NULL;
    g_autofree char *machine = g->machine && !c->quiet ? admin_text(g->machine) : NULL;

    set_outcome(c, TG_VERDICT_ALLOW, "guest-without-tsc", 8,
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
static bool
rule10_offline(TgCtx *c)
{
    const TgSettings *s = c->s;

    if (s->run.operation != TG_OP_MIGRATE || !s->run.definition_not_running ||
        !s->offline_detect)
        return false;
    if (s->force_deny)
        return rule0_policy(c);
    set_outcome(c, TG_VERDICT_ALLOW, "offline-migration", 10,
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
static bool
rule11_same_host(TgCtx *c, const TgHostFacts *dest)
{
    const TgGuestProfile *g = c->guest;
    bool same_boot = c->same_host == TG_SAME_HOST_SAME_BOOT;
    g_autofree char *why = admin_text(c->same_host_why ? c->same_host_why
                                                       : "known to this host");

    if (!same_boot && g->has_explicit_hz && g->kind == TG_GUEST_KVM)
        return false;
    if (rule6_health(c, dest))
        return true;
    c->d->effective_hz = g->lineage && g->lineage->effective_hz ? g->lineage->effective_hz
                         : g->has_explicit_hz && g->kind == TG_GUEST_KVM ? g->explicit_hz
                         : c->d->dest_hz;
    if (same_boot)
        set_outcome(c, TG_VERDICT_ALLOW, "restore-same-host", 11,
                    "restored on the host that saved it, in this boot (%s): its TSC keeps "
                    "the rate it ran at (guest TSC %s, this host %s)", why, c->ghz, c->dhz);
    else
        set_outcome(c, TG_VERDICT_ALLOW, "restore-same-host-rebooted", 11,
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
static void
rule9_tcg(TgCtx *c)
{
    TgDecision *d = c->d;
    const TgGuestProfile *g = c->guest;
    guint64 n = d->guest_hz;
    const char *origin = tg_nominal_origin_to_string(d->guest_hz_origin);
    char f1[32];

    /* libvirt's own check of the first pinned rate applies under TCG too
     * (qemuProcessStartValidateTSC does not look at the domain type). */
    if (c->pins && !in_window(c, g->first_explicit_hz) && d->dest_scaling == TG_TRI_NO) {
        fmt_hz(f1, sizeof(f1), g->first_explicit_hz);
        set_outcome(c, TG_VERDICT_DENY,
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
        set_outcome(c, unknown_verdict(c->s->unknown_guest_frequency, c->sensitive),
                    "tcg-nominal-unknown", 9,
                    "TCG guest (no KVM): its TSC runs at this host's raw rate %s and the "
                    "rate it calibrated at boot is unknown; pin <timer name='tsc' "
                    "frequency=...> or keep it on hosts of one TSC rate", c->dhz);
        rate_moved(c);
        return;
    }
    if (in_window(c, n)) {
        set_outcome(c, TG_VERDICT_ALLOW, "tcg-within-tolerance", 9,
                    "TCG guest (no KVM): its TSC runs at this host's raw rate, and guest "
                    "TSC %s (%s) is within %s", c->ghz, origin, c->win);
        return;
    }
    if (c->sensitive) {
        set_outcome(c, TG_VERDICT_DENY, "tcg-rate-change", 9,
                    "TCG guest (no KVM, no TSC scaling): its TSC would run at this host's "
                    "%s (%+" G_GINT64_FORMAT " ppm) instead of guest TSC %s (%s), outside "
                    "%s, and drift; %s a host within that window",
                    c->dhz, ppm_diff(n, d->dest_hz), c->ghz, origin, c->win, c->go);
        return;
    }
    set_outcome(c, TG_VERDICT_WARN, "tcg-rate-change", 9,
                "TCG guest (no KVM, no TSC scaling): its TSC rate changes %s -> %s "
                "(%+" G_GINT64_FORMAT " ppm, %s), outside %s",
                c->ghz, c->dhz, ppm_diff(n, d->dest_hz), origin, c->win);
    d->effective_changed = true;
}

/* Join rule 6 warnings and the policy's force_warn to the outcome. */
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
            g_autofree char *rule = admin_text(c->s->policy_rule ? c->s->policy_rule
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
        g_autofree char *rule = admin_text(c->s->policy_rule);
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
        fmt_hz(c.ghz, sizeof(c.ghz), d->guest_hz);
        fmt_hz(c.dhz, sizeof(c.dhz), d->dest_hz);
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
        rule8_no_tsc(&c);
    } else if (rule10_offline(&c) || (c.not_a_move && rule11_same_host(&c, dest))) {
        /* decided: not a move of a running guest */
    } else if (rule0_policy(&c) || rule23_needs_frequency(&c) || rule6_health(&c, dest) ||
        rule7_dest_unknown(&c)) {
        /* decided */
    } else if (guest->kind == TG_GUEST_TCG) {
        rule9_tcg(&c);
    } else if (guest->has_explicit_hz) {
        if (!several_pins_first(&c)) {
            rule1_explicit(&c);
            several_pins_note(&c);
        }
    } else if (d->guest_hz) {
        rule4_nominal(&c);
    } else {
        rule5_unknown_nominal(&c);
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
