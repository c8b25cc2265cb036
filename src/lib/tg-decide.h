/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the decision engine.
 *
 * A pure function over parsed facts: no I/O, no globals, no clock. Given a
 * guest's clock profile, the source host's facts (if known), the destination
 * host's facts and the settings, it returns a verdict, a stable reason code,
 * a one-line human reason naming the numbers and the fix, and the
 * adjustments the hook should make to the domain XML.
 *
 * The default rules mirror what libvirt, QEMU and KVM will do (the upstream
 * functions are cited in tg-decide.c; the model is doc/tsc-model.md).
 */
#ifndef TG_DECIDE_H
#define TG_DECIDE_H

#include "tg-guest.h"
#include "tg-hostfacts.h"

G_BEGIN_DECLS

#define TG_DEFAULT_TOLERANCE_PPM 250u   /* QEMU/KVM/libvirt default; KVM tsc_tolerance_ppm */
#define TG_DEFAULT_HOP_LIMIT 16u

typedef enum {
    TG_VERDICT_ALLOW = 0,
    TG_VERDICT_WARN,      /* allow-with-warning */
    TG_VERDICT_DENY,
} TgVerdict;

/* Spellings of TgVerdict: "allow", "allow-with-warning", "deny". */
extern const TgEnumTable tg_verdict_table;
/* Returns "allow", "allow-with-warning", "deny" (static; "deny" when out
 * of range). */
const char *tg_verdict_to_string(TgVerdict v);

/* What an unknown fact means for a guest whose outcome depends on it.
 * Applies as given to TSC-dependent guests (explicit frequency,
 * TSC-sensitive, re-enlightenment); paravirtual-clock guests get at most a
 * warning (DENY is weakened to WARN for them). */
typedef enum {
    TG_UNKNOWN_DENY = 0,
    TG_UNKNOWN_WARN,
    TG_UNKNOWN_ALLOW,
} TgUnknownAction;

/* Spellings of TgUnknownAction: "deny", "warn", "allow" (the policy's
 * <unknown> attributes). */
extern const TgEnumTable tg_unknown_action_table;
/* Returns "deny", "warn" or "allow" (static; "deny" when out of range). */
const char *tg_unknown_action_to_string(TgUnknownAction a);
/* Parse a spelling into *out (nullable); returns false for anything else. */
bool tg_unknown_action_from_string(const char *s, TgUnknownAction *out);

/* A named host the guest may come from (policy host inventory). */
typedef struct {
    const char *name;      /* host or group name, for the reason text */
    guint64 tsc_hz;        /* 0 = unknown */
    TgTri scaling;
} TgCandidateHost;

/* The operation being gated (libvirt's hook operation, docs/hooks.rst). */
typedef enum {
    TG_OP_MIGRATE = 0,   /* `migrate begin` on the destination */
    TG_OP_RESTORE,       /* `restore begin`: a save image (virsh restore, managed save) */
} TgOperation;

/* Whether a restore happens on the host that saved the image
 * (doc/tsc-model.md, "Restore"). */
typedef enum {
    TG_SAME_HOST_NO = 0,        /* not known: judged as a move */
    TG_SAME_HOST_SAME_BOOT,     /* saved here in this boot: E = N */
    TG_SAME_HOST_EARLIER_BOOT,  /* saved here, maybe before a reboot (TSC recalibrated) */
} TgSameHost;

/* What the caller knows of this run (not policy). */
typedef struct {
    TgOperation operation;        /* default MIGRATE */
    /* migrate: the domain XML carries no mark of a running guest (no
     * <resource>, which libvirt adds to every guest it starts where it
     * manages cgroups: qemuInitCgroup, src/qemu/qemu_cgroup.c). With the
     * policy's offline_detect, taken for an offline migration. */
    bool definition_not_running;
    TgSameHost same_host;         /* restore */
    const char *same_host_why;    /* how that is known, for the reason (borrowed) */
} TgRunContext;

/* Settings: defaults from tg_settings_init(); the policy module overrides
 * them per matching rule. Pointers are borrowed for the duration of the call. */
typedef struct {
    guint32 tolerance_ppm;                   /* default 250 */
    TgUnknownAction unknown_dest_scaling;    /* default DENY */
    TgUnknownAction unknown_dest_frequency;  /* default DENY */
    TgUnknownAction unknown_guest_frequency; /* default DENY */
    /* Health facts that stay unknown (rule 6): default ALLOW. Clock
     * synchronisation concerns every guest (DENY is not weakened for
     * kvm-clock guests); TSC stability (the unstable mark, invariance) is
     * weakened to WARN for them, as a known unstable TSC is. */
    TgUnknownAction unknown_clock_sync;
    TgUnknownAction unknown_tsc_stability;
    bool deny_unsynchronized_clock;          /* default false: warn */
    bool deny_unstable_tsc;                  /* default true for TSC-dependent guests (rule 6) */
    /* <offline-migration>detect: a migrate whose definition does not look
     * running is an offline migration (rule 10). Default false: the hook
     * cannot tell for sure (tscgate-hook(8)). */
    bool offline_detect;
    /* <unplaced-restore>same-host: a restore the caller could not place
     * (run.same_host NO) is one on the host that saved it, boot unknown.
     * Default false: judged as a move. */
    bool unplaced_restore_same_host;
    /* Per-rule outcomes from the policy (all off by default). */
    const char *policy_rule;        /* name of the matched policy rule, or NULL */
    bool force_deny;                /* deny whatever the facts (e.g. "never change host") */
    const char *force_deny_message; /* admin text appended to the reason, or NULL */
    bool require_scaling;           /* deny unless destination scaling is known yes */
    bool force_warn;                /* an allow becomes allow-with-warning */
    bool override_dependence;       /* treat the guest as `dependence_override` */
    TgDependence dependence_override; /* TSC_SENSITIVE or PARAVIRT */
    /* Adjustments on allow. */
    bool record_lineage;            /* default true */
    guint hop_limit;                /* default 16 */
    /* The run (set by the caller after the policy, tg_evaluate_run()). */
    TgRunContext run;
    /* Host inventory for guests whose nominal frequency is unknown. */
    const TgCandidateHost *candidates;
    gsize n_candidates;
} TgSettings;

/* Fill `s` with the default rules' settings. */
void tg_settings_init(TgSettings *s);

typedef enum {
    TG_ADJUST_RECORD_LINEAGE = 0,  /* add/update the lineage record in <metadata> */
    TG_ADJUST_STRIP_LINEAGE,       /* take the record out: the definition does not run */
} TgAdjustmentKind;

typedef struct {
    TgAdjustmentKind kind;
    guint hop_limit;               /* RECORD_LINEAGE: keep at most this many hops */
} TgAdjustment;

typedef struct _TgDecision {
    TgVerdict verdict;
    const char *code;       /* stable reason code, static string, e.g. "explicit-outside-tolerance" */
    int rule;               /* default rule number 1..7 that decided, 0 = policy rule */
    char *reason;           /* one line, names numbers and the fix; no trailing newline */
    char *policy_rule;      /* matched policy rule name or NULL */
    TgDependence dependence;     /* effective class (after overrides) */
    guint64 guest_hz;            /* nominal, 0 = unknown */
    TgNominalOrigin guest_hz_origin;
    guint64 dest_hz;             /* 0 = unknown */
    TgTri dest_scaling;
    guint64 window_lo, window_hi; /* tolerance window around dest_hz (Hz, inclusive), 0/0 if unknown */
    guint32 tolerance_ppm;
    guint64 effective_hz;        /* rate the guest will run at on the destination, 0 = unknown */
    bool effective_changed;      /* the guest's TSC rate changes with this hop */
    GArray *adjustments;         /* TgAdjustment; empty on deny */
} TgDecision;

/* Decide one incoming migration/restore. `source` may be NULL; `dest` and
 * `settings` must not (if they are, a deny "engine-input-missing" is
 * returned). Pure: reads only its arguments. Rule precedence and every
 * reason code: doc/reason-codes.md. Returns a new decision
 * (tg_decision_free). */
TgDecision *tg_decide(const TgGuestProfile *guest,
                      const TgHostFacts *source,
                      const TgHostFacts *dest,
                      const TgSettings *settings);

/* tg_decide() without the reason, for evaluating many pairs: fills `out`
 * (the caller's storage, overwritten) with every field tg_decide() sets
 * except `reason`, `policy_rule` and `adjustments`, which stay NULL.
 * Allocates nothing unless the settings carry a host inventory; `out` needs
 * no freeing. */
void tg_decide_outcome(const TgGuestProfile *guest, const TgHostFacts *dest,
                       const TgSettings *settings, TgDecision *out);

void tg_decision_free(TgDecision *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgDecision, tg_decision_free)

/* libvirt's tolerance window (qemuProcessStartValidateTSC): tol = hz * ppm /
 * 1000000 in integer arithmetic; [hz - tol, hz + tol] inclusive. */
void tg_tolerance_window(guint64 hz, guint32 ppm, guint64 *lo, guint64 *hi);

/* True when KVM can scale `host_hz` to `guest_hz` (arch/x86/kvm/x86.c
 * set_tsc_khz, kvm_x86_vendor_init), computed in kHz as KVM does: guest kHz
 * below min(0x7fffffff, host_khz * max >> frac_bits), ratio non-zero and
 * below the vendor maximum (KVM rejects ratio >= max) (VMX 48 fraction
 * bits, multiplier max 0xffffffffffffffff; SVM 32 fraction bits, max
 * 0xffffffffff). `vendor` is "GenuineIntel"/"Intel", "AuthenticAMD"/"AMD"
 * (case-insensitive), or anything else/NULL (the stricter SVM limit
 * applies). */
bool tg_kvm_ratio_ok(guint64 guest_hz, guint64 host_hz, const char *vendor);

G_END_DECLS

#endif /* TG_DECIDE_H */
