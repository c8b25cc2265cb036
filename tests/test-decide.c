/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of the decision engine (src/tg-decide.c).
 *
 * Table-driven, one cmocka test per row, named by the row (test-table.h):
 * each row builds a TgGuestProfile and TgHostFacts directly (no XML) and
 * states the expected verdict, reason code, rule, substrings
 * of the reason and, where it matters, the effective rate. Boundaries use
 * this project's host class: 2596120000 Hz, tolerance 250 ppm ->
 * tol = 649030 Hz, window [2595470970, 2596769030] (libvirt
 * qemuProcessStartValidateTSC arithmetic).
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tg-decide.h"
#include "test-table.h"

#define H  G_GUINT64_CONSTANT(2596120000)
#define LO G_GUINT64_CONSTANT(2595470970)
#define HI G_GUINT64_CONSTANT(2596769030)
#define FAR G_GUINT64_CONSTANT(2100000000)
#define HUGE_HZ G_GUINT64_CONSTANT(700000000000) /* 700 GHz: > 256x, < 65536x */

#define WIN250 "2596120000 Hz +/-250 ppm [2595470970, 2596769030]"

typedef struct {
    const char *name;
    /* guest */
    TgDependence dep;
    bool explicit_set;
    guint64 explicit_hz;        /* the pinned rate QEMU applies (the last timer) */
    guint64 first_hz;           /* the first timer's, which libvirt checks; 0: the same */
    TgGuestKind kind;
    bool invtsc;
    TgTri reenl;
    guint64 lineage_hz;         /* the record's nominal rate (origin boot), 0: none */
    guint64 lineage_eff;        /* the record's effective rate, 0: none */
    guint64 source_hz;          /* 0: no source facts */
    /* destination */
    bool dest_unknown;          /* no tsc_hz fact at all */
    guint64 dest_hz;            /* known (0 = known zero) unless dest_unknown */
    TgTri scaling;
    const char *vendor;
    TgTri constant_tsc, nonstop_tsc, tsc_unstable, synced;
    guint64 kvm_ppm;            /* 0: unknown */
    /* settings (zero = default) */
    bool ppm_set;
    guint32 ppm;
    TgUnknownAction u_scaling, u_freq, u_guest;
    bool u_health_set;          /* u_sync and u_stability given (default: allow) */
    TgUnknownAction u_sync, u_stability;
    bool deny_unsync;
    bool allow_unstable;
    const char *policy_rule;
    bool force_deny;
    const char *force_msg;
    bool require_scaling;
    bool force_warn;
    bool override;
    TgDependence override_dep;
    bool no_lineage;
    guint hop_limit;
    int inventory;              /* index into inventories[], 0 = none */
    /* expected */
    TgVerdict verdict;
    const char *code;
    int rule;
    const char *has[5];
    const char *hasnt;
    const char *exact;
    bool check_eff;
    guint64 eff_hz;
    bool eff_changed;
    bool check_dep;
    TgDependence want_dep;
    bool no_adj;                /* allowed without a lineage record */
    /* the run (TgRunContext) */
    TgOperation op;
    bool not_running;           /* the definition carries no mark of a running guest */
    bool offline_detect;        /* the policy's <offline-migration>detect */
    bool unplaced_here;         /* the policy's <unplaced-restore>same-host */
    TgSameHost same_host;
    bool strip;                 /* expect the record taken out (offline migration) */
} Row;

#define EXPLICIT(f) .dep = TG_DEP_EXPLICIT_FREQUENCY, .explicit_set = true, .explicit_hz = (f)
#define PARAVIRT .dep = TG_DEP_PARAVIRT
#define SENSITIVE .dep = TG_DEP_TSC_SENSITIVE
#define REENL .dep = TG_DEP_REENLIGHTENMENT, .reenl = TG_TRI_YES
#define DEST(hz, sc) .dest_hz = (hz), .scaling = (sc)
#define EXPECT(v, c, r) .verdict = (v), .code = (c), .rule = (r)
#define UHEALTH(sync, stab) .u_health_set = true, .u_sync = TG_UNKNOWN_##sync, \
                            .u_stability = TG_UNKNOWN_##stab
/* Every health fact of an invariant, stable, synchronised host. */
#define HEALTHY .constant_tsc = YES, .nonstop_tsc = YES, .tsc_unstable = NO, .synced = YES
#define OFFLINE .op = TG_OP_MIGRATE, .not_running = true, .offline_detect = true
#define RESTORE_HERE(b) .op = TG_OP_RESTORE, .same_host = TG_SAME_HOST_##b
#define EFF(hz, ch) .check_eff = true, .eff_hz = (hz), .eff_changed = (ch)
#define ALLOW TG_VERDICT_ALLOW
#define WARN TG_VERDICT_WARN
#define DENY TG_VERDICT_DENY
#define YES TG_TRI_YES
#define NO TG_TRI_NO

/* Host inventories (policy) for rule 5. */
static const TgCandidateHost inv_ok[] = {
    { "hosta", H, NO }, { "hostb", LO, NO },
};
static const TgCandidateHost inv_one_out[] = {
    { "hosta", H, NO }, { "hostc", LO - 1, NO },
};
static const TgCandidateHost inv_one_unknown[] = {
    { "hosta", H, NO }, { "hostd", 0, TG_TRI_UNKNOWN },
};
static const TgCandidateHost inv_far[] = {
    { "hosta", H, NO }, { "old1", FAR, NO },
};
static const TgCandidateHost inv_five[] = {
    { "h1", H, NO }, { "h2", H, NO }, { "h3", HI, NO }, { "h4", LO, NO }, { "h5", H, NO },
};
static const struct {
    const TgCandidateHost *hosts;
    gsize n;
} inventories[] = {
    { NULL, 0 },
    { inv_ok, G_N_ELEMENTS(inv_ok) },
    { inv_one_out, G_N_ELEMENTS(inv_one_out) },
    { inv_one_unknown, G_N_ELEMENTS(inv_one_unknown) },
    { inv_far, G_N_ELEMENTS(inv_far) },
    { inv_five, G_N_ELEMENTS(inv_five) },
};

static const Row rows[] = {
    /* ---- rule 1: explicit frequency ---- */
    { "explicit at host hz", EXPLICIT(H), DEST(H, NO),
      EXPECT(ALLOW, "explicit-within-tolerance", 1),
      .has = { "guest TSC 2596120000 Hz (explicit) is within " WIN250, "scaling no" },
      EFF(H, false), .check_dep = true, .want_dep = TG_DEP_EXPLICIT_FREQUENCY },
    { "explicit at window lo", EXPLICIT(LO), DEST(H, NO),
      EXPECT(ALLOW, "explicit-within-tolerance", 1), .has = { "2595470970 Hz (explicit)" },
      EFF(H, false) },
    { "explicit just below lo", EXPLICIT(LO - 1), DEST(H, NO),
      EXPECT(DENY, "explicit-outside-tolerance", 1),
      .has = { "2595470969 Hz (explicit) is outside " WIN250, "no TSC scaling" },
      EFF(0, false) },
    { "explicit at window hi", EXPLICIT(HI), DEST(H, NO),
      EXPECT(ALLOW, "explicit-within-tolerance", 1), EFF(H, false) },
    { "explicit just above hi", EXPLICIT(HI + 1), DEST(H, NO),
      EXPECT(DENY, "explicit-outside-tolerance", 1), .has = { "2596769031 Hz" } },
    { "explicit far, no scaling (exact text)", EXPLICIT(FAR), DEST(H, NO),
      EXPECT(DENY, "explicit-outside-tolerance", 1),
      .exact = "guest TSC 2100000000 Hz (explicit) is outside 2596120000 Hz +/-250 ppm "
               "[2595470970, 2596769030] and this host has no TSC scaling; migrate to a "
               "host within that window or with TSC scaling" },
    { "explicit far, scaling, Intel", EXPLICIT(FAR), DEST(H, YES), .vendor = "GenuineIntel",
      EXPECT(ALLOW, "explicit-scaled", 1), .has = { "outside " WIN250, "scaling keeps it", "(-191101 ppm)" },
      EFF(FAR, false) },
    { "explicit far, scaling, AMD", EXPLICIT(FAR), DEST(H, YES), .vendor = "AMD",
      EXPECT(ALLOW, "explicit-scaled", 1), EFF(FAR, false) },
    { "explicit 700 GHz, scaling, Intel ratio ok", EXPLICIT(HUGE_HZ), DEST(H, YES), .vendor = "Intel",
      EXPECT(ALLOW, "explicit-scaled", 1), EFF(HUGE_HZ, false) },
    { "explicit 700 GHz, scaling, AMD ratio too big", EXPLICIT(HUGE_HZ), DEST(H, YES),
      .vendor = "AuthenticAMD",
      EXPECT(DENY, "explicit-ratio-out-of-range", 1),
      .has = { "beyond KVM's TSC scaling ratio limit", "(AuthenticAMD)" } },
    { "explicit 700 GHz, scaling, vendor unknown -> SVM limit", EXPLICIT(HUGE_HZ), DEST(H, YES),
      EXPECT(DENY, "explicit-ratio-out-of-range", 1), .has = { "vendor unknown" } },
    { "explicit outside, scaling unknown, default deny", EXPLICIT(LO - 1), DEST(H, TG_TRI_UNKNOWN),
      EXPECT(DENY, "explicit-dest-scaling-unknown", 1), .has = { "scaling is unknown" },
      EFF(0, false) },
    { "explicit outside, scaling unknown, warn", EXPLICIT(LO - 1), DEST(H, TG_TRI_UNKNOWN),
      .u_scaling = TG_UNKNOWN_WARN,
      EXPECT(WARN, "explicit-dest-scaling-unknown", 1), EFF(LO - 1, false) },
    { "explicit outside, scaling unknown, allow", EXPLICIT(LO - 1), DEST(H, TG_TRI_UNKNOWN),
      .u_scaling = TG_UNKNOWN_ALLOW,
      EXPECT(ALLOW, "explicit-dest-scaling-unknown", 1), EFF(LO - 1, false) },
    { "explicit inside, scaling unknown", EXPLICIT(H), DEST(H, TG_TRI_UNKNOWN),
      EXPECT(ALLOW, "explicit-within-tolerance", 1), .has = { "scaling unknown" } },
    { "tolerance 0 ppm, at host", EXPLICIT(H), DEST(H, NO), .ppm_set = true, .ppm = 0,
      EXPECT(ALLOW, "explicit-within-tolerance", 1),
      .has = { "2596120000 Hz +/-0 ppm [2596120000, 2596120000]" } },
    { "tolerance 0 ppm, host+1", EXPLICIT(H + 1), DEST(H, NO), .ppm_set = true, .ppm = 0,
      EXPECT(DENY, "explicit-outside-tolerance", 1) },
    { "tolerance 0 ppm, host-1", EXPLICIT(H - 1), DEST(H, NO), .ppm_set = true, .ppm = 0,
      EXPECT(DENY, "explicit-outside-tolerance", 1) },
    { "tolerance 1000000 ppm, 1 Hz", EXPLICIT(1), DEST(H, NO), .ppm_set = true, .ppm = 1000000,
      EXPECT(ALLOW, "explicit-within-tolerance", 1), .has = { "+/-1000000 ppm [0, 5192240000]" } },
    { "tolerance 1000000 ppm, 2x host", EXPLICIT(2 * H), DEST(H, NO), .ppm_set = true, .ppm = 1000000,
      EXPECT(ALLOW, "explicit-within-tolerance", 1) },
    { "tolerance 1000000 ppm, 2x host + 1", EXPLICIT(2 * H + 1), DEST(H, NO), .ppm_set = true,
      .ppm = 1000000, EXPECT(DENY, "explicit-outside-tolerance", 1) },
    { "policy tolerance 500 ppm widens window", EXPLICIT(LO - 1), DEST(H, NO), .ppm_set = true,
      .ppm = 500, EXPECT(ALLOW, "explicit-within-tolerance", 1),
      .has = { "+/-500 ppm [2594821940, 2597418060]" } },
    { "KVM tsc_tolerance_ppm differs: named", EXPLICIT(H), DEST(H, NO), .kvm_ppm = 500,
      EXPECT(ALLOW, "explicit-within-tolerance", 1), .has = { "(KVM tsc_tolerance_ppm 500)" } },
    { "KVM tsc_tolerance_ppm equal: not named", EXPLICIT(H), DEST(H, NO), .kvm_ppm = 250,
      EXPECT(ALLOW, "explicit-within-tolerance", 1), .hasnt = "KVM tsc_tolerance_ppm" },

    /* ---- rule 7: destination frequency unknown ---- */
    { "host hz 0 (known zero) = unknown", EXPLICIT(H), DEST(0, NO),
      EXPECT(DENY, "dest-frequency-unknown", 7),
      .has = { "TSC frequency is unknown (reported as 0 Hz)",
               "guest TSC 2596120000 Hz (explicit, explicit-frequency)" }, EFF(0, false) },
    { "dest frequency fact unknown, explicit", EXPLICIT(H), .dest_unknown = true,
      EXPECT(DENY, "dest-frequency-unknown", 7) },
    { "dest frequency unknown, explicit, warn", EXPLICIT(H), .dest_unknown = true,
      .u_freq = TG_UNKNOWN_WARN, EXPECT(WARN, "dest-frequency-unknown", 7), EFF(H, false),
      .has = { "(no <counter name='tsc'>)" } },
    { "dest frequency unknown, explicit, allow", EXPLICIT(H), .dest_unknown = true,
      .u_freq = TG_UNKNOWN_ALLOW, EXPECT(ALLOW, "dest-frequency-unknown", 7) },
    { "dest frequency unknown, sensitive", SENSITIVE, .lineage_hz = H, .dest_unknown = true,
      EXPECT(DENY, "dest-frequency-unknown", 7), .has = { "(lineage, tsc-sensitive)" } },
    { "dest frequency unknown, paravirt: deny weakened", PARAVIRT, .lineage_hz = H,
      .dest_unknown = true, EXPECT(WARN, "dest-frequency-unknown", 7), EFF(0, false) },
    { "dest frequency unknown, paravirt, allow", PARAVIRT, .dest_unknown = true,
      .u_freq = TG_UNKNOWN_ALLOW, EXPECT(ALLOW, "dest-frequency-unknown", 7) },
    { "dest frequency unknown, paravirt, warn", PARAVIRT, .dest_unknown = true,
      .u_freq = TG_UNKNOWN_WARN, EXPECT(WARN, "dest-frequency-unknown", 7) },

    /* ---- rule 2: re-enlightenment ---- */
    { "re-enlightenment, same hz host", REENL, .source_hz = H, DEST(H, NO),
      EXPECT(DENY, "reenlightenment-without-frequency", 2),
      .has = { "re-enlightenment", "<timer name='tsc' frequency='2596120000'/>", "after the full memory transfer" } },
    { "re-enlightenment, scaling host", REENL, DEST(H, YES), .vendor = "Intel",
      EXPECT(DENY, "reenlightenment-without-frequency", 2) },
    { "re-enlightenment, dest unknown, lineage hz suggested", REENL, .lineage_hz = FAR,
      .dest_unknown = true, EXPECT(DENY, "reenlightenment-without-frequency", 2),
      .has = { "frequency='2100000000'" } },
    { "re-enlightenment, nothing known", REENL, .dest_unknown = true,
      EXPECT(DENY, "reenlightenment-without-frequency", 2), .has = { "frequency='HOST_TSC_HZ'" } },
    { "re-enlightenment from the flag alone", PARAVIRT, .reenl = YES, DEST(H, NO),
      EXPECT(DENY, "reenlightenment-without-frequency", 2) },
    { "re-enlightenment with explicit frequency: rule 1", EXPLICIT(H), .reenl = YES, DEST(H, NO),
      EXPECT(ALLOW, "explicit-within-tolerance", 1) },
    { "re-enlightenment beats unstable TSC", REENL, DEST(H, NO), .tsc_unstable = YES,
      EXPECT(DENY, "reenlightenment-without-frequency", 2) },
    { "re-enlightenment not silenced by paravirt override", REENL, DEST(H, NO), .override = true,
      .override_dep = TG_DEP_PARAVIRT, EXPECT(DENY, "reenlightenment-without-frequency", 2),
      .check_dep = true, .want_dep = TG_DEP_PARAVIRT },

    /* ---- rule 3: invtsc ---- */
    { "invtsc without frequency", SENSITIVE, .invtsc = true, .source_hz = H, DEST(H, NO),
      EXPECT(DENY, "invtsc-without-frequency", 3),
      .has = { "invtsc", "<timer name='tsc' frequency='2596120000'/>" } },
    { "invtsc with explicit frequency: rule 1", EXPLICIT(H), .invtsc = true, DEST(H, NO),
      EXPECT(ALLOW, "explicit-within-tolerance", 1) },
    { "invtsc, paravirt override still denied", SENSITIVE, .invtsc = true, DEST(H, YES),
      .override = true, .override_dep = TG_DEP_PARAVIRT, EXPECT(DENY, "invtsc-without-frequency", 3) },
    { "invtsc and re-enlightenment: rule 2 first", REENL, .invtsc = true, DEST(H, NO),
      EXPECT(DENY, "reenlightenment-without-frequency", 2) },

    /* ---- rule 4: nominal known ---- */
    { "paravirt, lineage same hz", PARAVIRT, .lineage_hz = H, DEST(H, NO),
      EXPECT(ALLOW, "nominal-within-tolerance", 4),
      .has = { "guest TSC 2596120000 Hz (lineage) is within " WIN250 }, EFF(H, false),
      .check_dep = true, .want_dep = TG_DEP_PARAVIRT },
    { "paravirt, lineage at lo", PARAVIRT, .lineage_hz = LO, DEST(H, NO),
      EXPECT(ALLOW, "nominal-within-tolerance", 4), .has = { "(lineage)" }, EFF(H, false) },
    { "paravirt, lineage just below lo: rate change", PARAVIRT, .lineage_hz = LO - 1, DEST(H, NO),
      EXPECT(WARN, "paravirt-rate-change", 4),
      .has = { "2595470969 Hz -> 2596120000 Hz (+250 ppm, lineage)", "no TSC scaling", WIN250 },
      EFF(H, true) },
    { "paravirt, lineage just above hi: rate change", PARAVIRT, .lineage_hz = HI + 1, DEST(H, NO),
      EXPECT(WARN, "paravirt-rate-change", 4), .has = { "(-250 ppm" }, EFF(H, true) },
    { "paravirt far, rate change ppm", PARAVIRT, .lineage_hz = FAR, DEST(H, NO),
      EXPECT(WARN, "paravirt-rate-change", 4), .has = { "(+236248 ppm, lineage)" }, EFF(H, true) },
    { "lineage beats source host", PARAVIRT, .lineage_hz = FAR, .source_hz = H, DEST(H, NO),
      EXPECT(WARN, "paravirt-rate-change", 4), .has = { "2100000000 Hz -> 2596120000 Hz" } },
    { "sensitive at hi", SENSITIVE, .lineage_hz = HI, DEST(H, NO),
      EXPECT(ALLOW, "nominal-within-tolerance", 4), EFF(H, false) },
    { "sensitive just below lo", SENSITIVE, .lineage_hz = LO - 1, DEST(H, NO),
      EXPECT(DENY, "tsc-sensitive-outside-tolerance", 4),
      .has = { "reads the TSC directly", "would run at 2596120000 Hz (+250 ppm)", "no TSC scaling" },
      EFF(0, false) },
    { "sensitive just above hi", SENSITIVE, .lineage_hz = HI + 1, DEST(H, NO),
      EXPECT(DENY, "tsc-sensitive-outside-tolerance", 4), .has = { "(-250 ppm)" } },
    { "sensitive far, scaling yes", SENSITIVE, .lineage_hz = FAR, DEST(H, YES), .vendor = "AMD",
      EXPECT(ALLOW, "nominal-scaled", 4), .has = { "keeps the guest's rate" }, EFF(FAR, false) },
    { "sensitive 700 GHz, scaling yes, AMD ratio out", SENSITIVE, .lineage_hz = HUGE_HZ,
      DEST(H, YES), .vendor = "AMD", EXPECT(DENY, "tsc-sensitive-outside-tolerance", 4),
      .has = { "beyond KVM's TSC scaling ratio limit" } },
    { "paravirt 700 GHz, scaling yes, ratio out: rate change", PARAVIRT, .lineage_hz = HUGE_HZ,
      DEST(H, YES), EXPECT(WARN, "paravirt-rate-change", 4), EFF(H, true) },
    { "sensitive 700 GHz, scaling yes, Intel ok", SENSITIVE, .lineage_hz = HUGE_HZ,
      DEST(H, YES), .vendor = "GenuineIntel", EXPECT(ALLOW, "nominal-scaled", 4), EFF(HUGE_HZ, false) },
    { "sensitive outside, scaling unknown: deny", SENSITIVE, .lineage_hz = FAR,
      DEST(H, TG_TRI_UNKNOWN), EXPECT(DENY, "tsc-sensitive-dest-scaling-unknown", 4),
      .has = { "scaling is unknown" } },
    { "sensitive outside, scaling unknown: warn", SENSITIVE, .lineage_hz = FAR,
      DEST(H, TG_TRI_UNKNOWN), .u_scaling = TG_UNKNOWN_WARN,
      EXPECT(WARN, "tsc-sensitive-dest-scaling-unknown", 4), EFF(0, false) },
    { "sensitive outside, scaling unknown: allow", SENSITIVE, .lineage_hz = FAR,
      DEST(H, TG_TRI_UNKNOWN), .u_scaling = TG_UNKNOWN_ALLOW,
      EXPECT(ALLOW, "tsc-sensitive-dest-scaling-unknown", 4) },
    { "paravirt outside, scaling unknown: deny weakened", PARAVIRT, .lineage_hz = FAR,
      DEST(H, TG_TRI_UNKNOWN), EXPECT(WARN, "paravirt-dest-scaling-unknown", 4),
      .has = { "may change to 2596120000 Hz (+236248 ppm)" }, EFF(0, false) },
    { "paravirt outside, scaling unknown: allow", PARAVIRT, .lineage_hz = FAR,
      DEST(H, TG_TRI_UNKNOWN), .u_scaling = TG_UNKNOWN_ALLOW,
      EXPECT(ALLOW, "paravirt-dest-scaling-unknown", 4) },
    { "paravirt outside, scaling unknown: warn", PARAVIRT, .lineage_hz = FAR,
      DEST(H, TG_TRI_UNKNOWN), .u_scaling = TG_UNKNOWN_WARN,
      EXPECT(WARN, "paravirt-dest-scaling-unknown", 4) },

    /* ---- rule 5: nominal unknown ---- */
    { "sensitive, nominal unknown", SENSITIVE, DEST(H, NO),
      EXPECT(DENY, "guest-frequency-unknown", 5),
      .has = { "guest TSC frequency unknown", "(this host " WIN250 ", scaling no)" } },
    { "sensitive, nominal unknown, warn", SENSITIVE, DEST(H, NO), .u_guest = TG_UNKNOWN_WARN,
      EXPECT(WARN, "guest-frequency-unknown", 5), EFF(H, false) },
    { "sensitive, nominal unknown, allow", SENSITIVE, DEST(H, NO), .u_guest = TG_UNKNOWN_ALLOW,
      EXPECT(ALLOW, "guest-frequency-unknown", 5) },
    { "sensitive, nominal unknown, scaling yes", SENSITIVE, DEST(H, YES),
      EXPECT(ALLOW, "nominal-unknown-dest-scaling", 5), EFF(0, false) },
    { "sensitive, nominal unknown, scaling unknown", SENSITIVE, DEST(H, TG_TRI_UNKNOWN),
      EXPECT(DENY, "guest-frequency-unknown", 5), .has = { "scaling unknown" } },
    { "paravirt, nominal unknown", PARAVIRT, DEST(H, NO),
      EXPECT(WARN, "paravirt-nominal-unknown", 5), .has = { "kvm-clock adapts" } },
    { "paravirt, nominal unknown, allow", PARAVIRT, DEST(H, NO), .u_guest = TG_UNKNOWN_ALLOW,
      EXPECT(ALLOW, "paravirt-nominal-unknown", 5) },
    { "paravirt, nominal unknown, warn", PARAVIRT, DEST(H, NO), .u_guest = TG_UNKNOWN_WARN,
      EXPECT(WARN, "paravirt-nominal-unknown", 5) },
    { "inventory all compatible", SENSITIVE, DEST(H, NO), .inventory = 1,
      EXPECT(ALLOW, "inventory-compatible", 5), .has = { "(hosta, hostb)", WIN250 },
      EFF(H, false) },
    { "inventory one just outside", SENSITIVE, DEST(H, NO), .inventory = 2,
      EXPECT(DENY, "guest-frequency-unknown", 5),
      .has = { "inventory host hostc at 2595470969 Hz does not fit" } },
    { "inventory one unknown", SENSITIVE, DEST(H, NO), .inventory = 3,
      EXPECT(DENY, "guest-frequency-unknown", 5), .has = { "inventory host hostd at unknown" } },
    { "inventory far host, scaling yes", SENSITIVE, DEST(H, YES), .vendor = "Intel", .inventory = 4,
      EXPECT(ALLOW, "inventory-compatible", 5), .has = { "(hosta, old1)", "scaling yes" } },
    { "inventory far host, no scaling, warn action", SENSITIVE, DEST(H, NO), .inventory = 4,
      .u_guest = TG_UNKNOWN_WARN, EXPECT(WARN, "guest-frequency-unknown", 5),
      .has = { "old1 at 2100000000 Hz" } },
    { "inventory five hosts named up to three", SENSITIVE, DEST(H, NO), .inventory = 5,
      EXPECT(ALLOW, "inventory-compatible", 5), .has = { "(h1, h2, h3 and 2 more)" } },
    { "inventory incompatible, paravirt", PARAVIRT, DEST(H, NO), .inventory = 2,
      EXPECT(WARN, "paravirt-nominal-unknown", 5), .has = { "hostc" } },
    { "inventory ignored when nominal known", SENSITIVE, .lineage_hz = FAR, DEST(H, NO),
      .inventory = 1, EXPECT(DENY, "tsc-sensitive-outside-tolerance", 4) },
    { "inventory with tolerance 0", SENSITIVE, DEST(H, NO), .inventory = 1, .ppm_set = true,
      .ppm = 0, EXPECT(DENY, "guest-frequency-unknown", 5), .has = { "hostb" } },

    /* ---- rule 6: destination health ---- */
    { "explicit, dest not invariant", EXPLICIT(H), DEST(H, NO), .constant_tsc = NO,
      .nonstop_tsc = YES, EXPECT(DENY, "dest-tsc-not-invariant", 6),
      .has = { "not invariant (constant_tsc no, nonstop_tsc yes)", "invariant, stable TSC" } },
    { "explicit, dest nonstop unknown, constant no", EXPLICIT(H), DEST(H, NO), .constant_tsc = NO,
      EXPECT(DENY, "dest-tsc-not-invariant", 6), .has = { "nonstop_tsc unknown" } },
    { "explicit, dest invariant known yes", EXPLICIT(H), DEST(H, NO), .constant_tsc = YES,
      .nonstop_tsc = YES, .tsc_unstable = NO, .synced = YES,
      EXPECT(ALLOW, "explicit-within-tolerance", 1) },
    { "explicit, dest marked unstable", EXPLICIT(H), DEST(H, NO), .tsc_unstable = YES,
      EXPECT(DENY, "dest-tsc-unstable", 6), .has = { "marked its TSC unstable" } },
    { "explicit, unstable, policy only warns", EXPLICIT(H), DEST(H, NO), .tsc_unstable = YES,
      .allow_unstable = true, EXPECT(WARN, "dest-tsc-unstable", 6),
      .has = { "marked its TSC unstable; guest TSC 2596120000 Hz (explicit) is within" },
      EFF(H, false) },
    { "sensitive, unstable", SENSITIVE, .lineage_hz = H, DEST(H, NO), .tsc_unstable = YES,
      EXPECT(DENY, "dest-tsc-unstable", 6), .has = { "a guest that reads the TSC" } },
    { "paravirt, unstable: warning joined to allow", PARAVIRT, .lineage_hz = H, DEST(H, NO),
      .tsc_unstable = YES, EXPECT(WARN, "dest-tsc-unstable", 6),
      .has = { "marked its TSC unstable; guest TSC 2596120000 Hz (lineage) is within" },
      EFF(H, false) },
    { "paravirt, not invariant plus rate change", PARAVIRT, .lineage_hz = FAR, DEST(H, NO),
      .nonstop_tsc = NO, EXPECT(WARN, "paravirt-rate-change", 4),
      .has = { "not invariant", "2100000000 Hz -> 2596120000 Hz" }, EFF(H, true) },
    { "unstable beats dest frequency unknown (sensitive)", SENSITIVE, .dest_unknown = true,
      .tsc_unstable = YES, EXPECT(DENY, "dest-tsc-unstable", 6) },
    { "paravirt, unstable and dest frequency unknown", PARAVIRT, .dest_unknown = true,
      .tsc_unstable = YES, EXPECT(WARN, "dest-frequency-unknown", 7),
      .has = { "marked its TSC unstable; this host's TSC frequency is unknown" } },
    { "unsynchronised clock warns", EXPLICIT(H), DEST(H, NO), .synced = NO,
      EXPECT(WARN, "dest-clock-unsynchronized", 6),
      .has = { "not NTP-synchronised", "(explicit) is within" } },
    { "unsynchronised clock denies when set", PARAVIRT, .source_hz = H, DEST(H, NO), .synced = NO,
      .deny_unsync = true, EXPECT(DENY, "dest-clock-unsynchronized", 6), .has = { "synchronise" } },
    { "unsynchronised clock, deny from rule 1 wins", EXPLICIT(FAR), DEST(H, NO), .synced = NO,
      EXPECT(DENY, "explicit-outside-tolerance", 1), .hasnt = "NTP" },
    { "unstable and unsynchronised paravirt: both named", PARAVIRT, .lineage_hz = H, DEST(H, NO),
      .tsc_unstable = YES, .synced = NO, EXPECT(WARN, "dest-tsc-unstable", 6),
      .has = { "marked its TSC unstable; this host's clock is not NTP-synchronised" } },
    { "unsynchronised plus paravirt rate change", PARAVIRT, .lineage_hz = FAR, DEST(H, NO),
      .synced = NO, EXPECT(WARN, "paravirt-rate-change", 4), .has = { "NTP", "->" },
      EFF(H, true) },

    /* ---- rule 6: health facts that stay unknown: the policy's <unknown> ---- */
    { "clock sync unknown, default: nothing said", EXPLICIT(H), DEST(H, NO),
      .constant_tsc = YES, .nonstop_tsc = YES, .tsc_unstable = NO,
      EXPECT(ALLOW, "explicit-within-tolerance", 1), .hasnt = "synchronis" },
    { "clock sync unknown, deny", EXPLICIT(H), DEST(H, NO), .constant_tsc = YES,
      .nonstop_tsc = YES, .tsc_unstable = NO, UHEALTH(DENY, ALLOW),
      EXPECT(DENY, "dest-clock-sync-unknown", 6),
      .has = { "clock synchronisation is unknown", "clock-synchronized" } },
    { "clock sync unknown, deny, kvm-clock guest too", PARAVIRT, .lineage_hz = H, DEST(H, NO),
      .constant_tsc = YES, .nonstop_tsc = YES, .tsc_unstable = NO, UHEALTH(DENY, ALLOW),
      EXPECT(DENY, "dest-clock-sync-unknown", 6) },
    { "clock sync unknown, warn joined to allow", EXPLICIT(H), DEST(H, NO), .constant_tsc = YES,
      .nonstop_tsc = YES, .tsc_unstable = NO, UHEALTH(WARN, DENY),
      EXPECT(WARN, "dest-clock-sync-unknown", 6),
      .has = { "clock synchronisation is unknown (not stated, not probed); guest TSC 2596120000 Hz (explicit) is within" } },
    { "clock sync known, deny for unknown does nothing", EXPLICIT(H), DEST(H, NO), HEALTHY,
      UHEALTH(DENY, DENY), EXPECT(ALLOW, "explicit-within-tolerance", 1) },
    { "TSC stability unknown, deny, guest reads the TSC", SENSITIVE, .lineage_hz = H,
      DEST(H, NO), .synced = YES, UHEALTH(ALLOW, DENY),
      EXPECT(DENY, "dest-tsc-stability-unknown", 6),
      .has = { "stability is unknown", "tsc-unstable" } },
    { "TSC stability unknown, deny, kvm-clock guest warned", PARAVIRT, .lineage_hz = H,
      DEST(H, NO), .synced = YES, UHEALTH(ALLOW, DENY),
      EXPECT(WARN, "dest-tsc-stability-unknown", 6) },
    { "TSC invariance unknown, unstable mark known no: still unknown", SENSITIVE,
      .lineage_hz = H, DEST(H, NO), .tsc_unstable = NO, .synced = YES, UHEALTH(ALLOW, DENY),
      EXPECT(DENY, "dest-tsc-stability-unknown", 6), .has = { "constant_tsc unknown" } },
    { "TSC stability known bad beats unknown", SENSITIVE, .lineage_hz = H, DEST(H, NO),
      .tsc_unstable = YES, UHEALTH(DENY, DENY), EXPECT(DENY, "dest-tsc-unstable", 6) },

    /* ---- rule 0: policy ---- */
    { "policy force deny", EXPLICIT(H), DEST(H, YES), .policy_rule = "db-latency", .force_deny = true,
      .force_msg = "latency-critical databases never change host",
      EXPECT(DENY, "policy-force-deny", 0),
      .has = { "policy rule 'db-latency'", "latency-critical databases never change host",
               "guest TSC 2596120000 Hz", "this host 2596120000 Hz", "scaling yes" } },
    { "policy force deny without message", PARAVIRT, DEST(H, NO), .policy_rule = "x", .force_deny = true,
      EXPECT(DENY, "policy-force-deny", 0), .has = { "policy rule 'x' denies" } },
    { "policy force deny, message with newline escaped", PARAVIRT, DEST(H, NO), .policy_rule = "n\nl",
      .force_deny = true, .force_msg = "line1\nline2", EXPECT(DENY, "policy-force-deny", 0),
      .has = { "'n\\nl'", "line1\\nline2" } },
    { "policy force deny, long message capped", PARAVIRT, DEST(H, NO), .policy_rule = "long",
      .force_deny = true,
      .force_msg = "0123456789012345678901234567890123456789012345678901234567890123456789"
                   "0123456789012345678901234567890123456789012345678901234567890123456789",
      EXPECT(DENY, "policy-force-deny", 0), .has = { "..." } },
    { "policy force deny beats re-enlightenment", REENL, DEST(H, NO), .policy_rule = "win",
      .force_deny = true, EXPECT(DENY, "policy-force-deny", 0) },
    { "policy require scaling, scaling no", PARAVIRT, .source_hz = H, DEST(H, NO),
      .policy_rule = "scaled-only", .require_scaling = true,
      EXPECT(DENY, "policy-require-scaling", 0),
      .has = { "policy rule 'scaled-only' requires TSC scaling", "scaling is no" } },
    { "policy require scaling, scaling unknown", PARAVIRT, .source_hz = H, DEST(H, TG_TRI_UNKNOWN),
      .policy_rule = "scaled-only", .require_scaling = true,
      EXPECT(DENY, "policy-require-scaling", 0), .has = { "scaling is unknown" } },
    { "policy require scaling, scaling yes", PARAVIRT, .lineage_hz = FAR, DEST(H, YES),
      .policy_rule = "scaled-only", .require_scaling = true,
      EXPECT(ALLOW, "nominal-scaled", 4), EFF(FAR, false) },
    { "policy force warn on allow", EXPLICIT(H), DEST(H, NO), .policy_rule = "watch", .force_warn = true,
      EXPECT(WARN, "policy-force-warn", 0),
      .has = { "policy rule 'watch' asks for a warning; guest TSC 2596120000 Hz (explicit) is within" } },
    { "policy force warn leaves deny", EXPLICIT(FAR), DEST(H, NO), .policy_rule = "watch",
      .force_warn = true, EXPECT(DENY, "explicit-outside-tolerance", 1),
      .has = { "(policy rule 'watch')" } },
    { "deny under a policy rule's settings names the rule", EXPLICIT(H + 1000), DEST(H, NO),
      .policy_rule = "tight", .ppm_set = true, .ppm = 0,
      EXPECT(DENY, "explicit-outside-tolerance", 1), .has = { "+/-0 ppm", "(policy rule 'tight')" } },
    { "deny without a policy rule names none", EXPLICIT(FAR), DEST(H, NO),
      EXPECT(DENY, "explicit-outside-tolerance", 1), .hasnt = "policy rule" },
    { "allow under a policy rule does not name it", EXPLICIT(H), DEST(H, NO), .policy_rule = "tight",
      EXPECT(ALLOW, "explicit-within-tolerance", 1), .hasnt = "policy rule" },
    { "policy force warn leaves warning code", PARAVIRT, .lineage_hz = FAR, DEST(H, NO),
      .policy_rule = "watch", .force_warn = true, EXPECT(WARN, "paravirt-rate-change", 4) },
    { "override paravirt -> sensitive", PARAVIRT, .lineage_hz = FAR, DEST(H, NO), .override = true,
      .override_dep = TG_DEP_TSC_SENSITIVE, .policy_rule = "strict",
      EXPECT(DENY, "tsc-sensitive-outside-tolerance", 4), .check_dep = true,
      .want_dep = TG_DEP_TSC_SENSITIVE },
    { "override sensitive -> paravirt", SENSITIVE, .lineage_hz = FAR, DEST(H, NO), .override = true,
      .override_dep = TG_DEP_PARAVIRT, EXPECT(WARN, "paravirt-rate-change", 4),
      .check_dep = true, .want_dep = TG_DEP_PARAVIRT, EFF(H, true) },
    { "override to paravirt does not relax an explicit frequency", EXPLICIT(FAR), DEST(H, NO),
      .override = true, .override_dep = TG_DEP_PARAVIRT,
      EXPECT(DENY, "explicit-outside-tolerance", 1) },
    { "override to paravirt: unstable TSC only warns for explicit", EXPLICIT(H), DEST(H, NO),
      .tsc_unstable = YES, .override = true, .override_dep = TG_DEP_PARAVIRT,
      EXPECT(WARN, "dest-tsc-unstable", 6) },

    /* ---- doc/tsc-model.md: live migration, one row per transition ---- */
    { "model: source host at this host's rate, sensitive: nominal unknown", SENSITIVE,
      .source_hz = H, DEST(H, NO), EXPECT(DENY, "guest-frequency-unknown", 5),
      .has = { "guest TSC frequency unknown" } },
    { "model: source host at this host's rate, paravirt: nominal unknown", PARAVIRT,
      .source_hz = H, DEST(H, NO), EXPECT(WARN, "paravirt-nominal-unknown", 5), EFF(H, false) },
    { "model: source host scaled, no scaling here: nominal unknown", SENSITIVE,
      .source_hz = G_GUINT64_CONSTANT(2400000000), DEST(G_GUINT64_CONSTANT(2400000000), NO),
      EXPECT(DENY, "guest-frequency-unknown", 5) },
    { "model: N within tol, scaling: KVM runs at the host rate", PARAVIRT, .lineage_hz = LO,
      DEST(H, YES), EXPECT(ALLOW, "nominal-within-tolerance", 4), EFF(H, false) },
    { "model: N outside, scaling: E = N", PARAVIRT, .lineage_hz = FAR, DEST(H, YES),
      .vendor = "Intel", EXPECT(ALLOW, "nominal-scaled", 4), EFF(FAR, false) },
    { "model: N outside, no scaling, kvm-clock: E = H, changed", PARAVIRT, .lineage_hz = FAR,
      DEST(H, NO), EXPECT(WARN, "paravirt-rate-change", 4), EFF(H, true) },
    { "model: N outside, no scaling, reads the TSC: deny", SENSITIVE, .lineage_hz = FAR,
      DEST(H, NO), EXPECT(DENY, "tsc-sensitive-outside-tolerance", 4), EFF(0, false) },
    { "model: pinned F within tol: E = H", EXPLICIT(HI), DEST(H, YES),
      EXPECT(ALLOW, "explicit-within-tolerance", 1), EFF(H, false) },
    { "model: pinned F outside, scaling: E = F", EXPLICIT(FAR), DEST(H, YES), .vendor = "Intel",
      EXPECT(ALLOW, "explicit-scaled", 1), EFF(FAR, false) },
    { "model: N unknown, no scaling: E = H", PARAVIRT, DEST(H, NO),
      EXPECT(WARN, "paravirt-nominal-unknown", 5), EFF(H, false) },
    { "model: N unknown, scaling: E = N, unknown", SENSITIVE, DEST(H, YES),
      EXPECT(ALLOW, "nominal-unknown-dest-scaling", 5), EFF(0, false) },
    { "model: N unknown, scaling unknown: E unknown", PARAVIRT, DEST(H, TG_TRI_UNKNOWN),
      EXPECT(WARN, "paravirt-nominal-unknown", 5), EFF(0, false) },
    { "model: N unknown, E moves beyond tolerance: changed", PARAVIRT, .lineage_eff = FAR,
      DEST(H, NO), EXPECT(WARN, "paravirt-nominal-unknown", 5), EFF(H, true) },
    { "model: N unknown, E stays within tolerance: not changed", PARAVIRT,
      .lineage_eff = H - 1000,
      DEST(H, NO), EXPECT(WARN, "paravirt-nominal-unknown", 5), EFF(H, false) },
    { "model: inventory bound, scaling: E unknown", SENSITIVE, DEST(H, YES), .vendor = "Intel",
      .inventory = 4, EXPECT(ALLOW, "inventory-compatible", 5), EFF(0, false) },

    /* ---- KVM's catch-up mode: tsc_tolerance_ppm lowered below QEMU's 250
     * ppm (H + 500 Hz is +193 ppm: inside QEMU's bounds, outside KVM's 100) ---- */
    { "catch-up: pinned above H, outside KVM's 100 ppm, no scaling: not kept", EXPLICIT(H + 500000),
      DEST(H, NO), .kvm_ppm = 100, EXPECT(DENY, "kvm-tolerance-catchup", 1),
      .has = { "catch-up", "tsc_tolerance_ppm 100" } },
    { "catch-up: pinned below H, outside KVM's 100 ppm, no scaling: QEMU fails", EXPLICIT(H - 500000),
      DEST(H, NO), .kvm_ppm = 100, EXPECT(DENY, "kvm-tolerance-refused", 1),
      .has = { "below", "tsc_tolerance_ppm 100" } },
    { "catch-up: scaling yes: KVM scales, kept", EXPLICIT(H + 500000), DEST(H, YES), .kvm_ppm = 100,
      .vendor = "Intel", EXPECT(ALLOW, "explicit-within-tolerance", 1), EFF(H + 500000, false) },
    { "catch-up: inside KVM's own tolerance: no catch-up", EXPLICIT(H + 200000), DEST(H, NO),
      .kvm_ppm = 100, EXPECT(ALLOW, "explicit-within-tolerance", 1), EFF(H, false) },
    { "catch-up: KVM's tolerance raised: none", EXPLICIT(H + 500000), DEST(H, NO), .kvm_ppm = 1000,
      EXPECT(ALLOW, "explicit-within-tolerance", 1), EFF(H, false) },
    { "catch-up: kvm-clock guest above H: warning", PARAVIRT, .lineage_hz = H + 500000, DEST(H, NO),
      .kvm_ppm = 100, EXPECT(WARN, "kvm-tolerance-catchup", 4), EFF(H + 500000, false) },
    { "catch-up: reads the TSC, above H: not kept", SENSITIVE, .lineage_hz = H + 500000,
      DEST(H, NO), .kvm_ppm = 100, EXPECT(DENY, "kvm-tolerance-catchup", 4) },
    { "catch-up: not pinned below H: QEMU goes on at H", SENSITIVE, .lineage_hz = H - 500000,
      DEST(H, NO), .kvm_ppm = 100, EXPECT(ALLOW, "nominal-within-tolerance", 4), EFF(H, false) },

    /* ---- several <timer name='tsc' frequency>: libvirt checks the first,
     * QEMU applies the last ---- */
    { "several pinned: first inside, last outside, no scaling: QEMU fails", EXPLICIT(FAR),
      .first_hz = H, DEST(H, NO), EXPECT(DENY, "explicit-outside-tolerance", 1),
      .has = { "2100000000 Hz (explicit) is outside " WIN250,
               "QEMU applies the last <timer name='tsc'> (2100000000 Hz)",
               "libvirt checks the first (2596120000 Hz)" } },
    { "several pinned: first outside, last inside, no scaling: libvirt refuses", EXPLICIT(H),
      .first_hz = FAR, DEST(H, NO), EXPECT(DENY, "explicit-first-outside-tolerance", 1),
      .has = { "first <timer name='tsc'> (2100000000 Hz)", "outside " WIN250,
               "qemuProcessStartValidateTSC" } },
    { "several pinned: first outside, scaling yes: libvirt passes, last inside", EXPLICIT(H),
      .first_hz = FAR, DEST(H, YES), EXPECT(ALLOW, "explicit-within-tolerance", 1), EFF(H, false) },
    { "several pinned: first outside, scaling unknown: libvirt passes, last inside", EXPLICIT(H),
      .first_hz = FAR, DEST(H, TG_TRI_UNKNOWN), EXPECT(ALLOW, "explicit-within-tolerance", 1) },
    { "several pinned: both inside", EXPLICIT(LO), .first_hz = HI, DEST(H, NO),
      EXPECT(ALLOW, "explicit-within-tolerance", 1), .hasnt = "last" },

    /* ---- TCG (<domain type='qemu'>): the TSC follows each host's raw rate ---- */
    { "tcg: nominal within tolerance: E = H", SENSITIVE, .kind = TG_GUEST_TCG, .lineage_hz = LO,
      DEST(H, NO), EXPECT(ALLOW, "tcg-within-tolerance", 9), EFF(H, false),
      .has = { "TCG", "(lineage)", WIN250 } },
    { "tcg: nominal outside, scaling yes: TCG does not scale", SENSITIVE, .kind = TG_GUEST_TCG,
      .lineage_hz = FAR, DEST(H, YES), .vendor = "Intel", EXPECT(DENY, "tcg-rate-change", 9),
      .has = { "TCG", "no TSC scaling", "2596120000 Hz (+236248 ppm)" } },
    { "tcg: nominal outside, treated as paravirt: warning, E = H changed", SENSITIVE,
      .kind = TG_GUEST_TCG, .lineage_hz = FAR, DEST(H, NO), .override = true,
      .override_dep = TG_DEP_PARAVIRT, EXPECT(WARN, "tcg-rate-change", 9), EFF(H, true) },
    { "tcg: nominal unknown: deny", SENSITIVE, .kind = TG_GUEST_TCG, DEST(H, YES),
      EXPECT(DENY, "tcg-nominal-unknown", 9), .has = { "TCG", "unknown" } },
    { "tcg: nominal unknown, warn: E = H", SENSITIVE, .kind = TG_GUEST_TCG, DEST(H, YES),
      .u_guest = TG_UNKNOWN_WARN, EXPECT(WARN, "tcg-nominal-unknown", 9), EFF(H, false) },
    { "tcg: source host is no nominal rate", SENSITIVE, .kind = TG_GUEST_TCG, .source_hz = H,
      DEST(H, NO), EXPECT(DENY, "tcg-nominal-unknown", 9) },
    { "tcg: pinned within tolerance: E = H", EXPLICIT(LO), .kind = TG_GUEST_TCG, DEST(H, NO),
      EXPECT(ALLOW, "tcg-within-tolerance", 9), EFF(H, false), .has = { "(explicit)" } },
    { "tcg: pinned outside, scaling yes: libvirt passes, TCG runs at H", EXPLICIT(FAR),
      .kind = TG_GUEST_TCG, DEST(H, YES), EXPECT(DENY, "tcg-rate-change", 9) },
    { "tcg: pinned outside, no scaling: libvirt refuses", EXPLICIT(FAR), .kind = TG_GUEST_TCG,
      DEST(H, NO), EXPECT(DENY, "explicit-outside-tolerance", 1),
      .has = { "qemuProcessStartValidateTSC" } },
    { "tcg: this host's frequency unknown", SENSITIVE, .kind = TG_GUEST_TCG, .lineage_hz = H,
      .dest_unknown = true, .u_freq = TG_UNKNOWN_WARN, EXPECT(WARN, "dest-frequency-unknown", 7),
      EFF(0, false) },
    { "tcg: pinned, this host's frequency unknown: E unknown", EXPLICIT(H), .kind = TG_GUEST_TCG,
      .dest_unknown = true, .u_freq = TG_UNKNOWN_ALLOW, EXPECT(ALLOW, "dest-frequency-unknown", 7),
      EFF(0, false) },
    { "tcg: unstable TSC here", SENSITIVE, .kind = TG_GUEST_TCG, .lineage_hz = H, DEST(H, NO),
      .tsc_unstable = YES, EXPECT(DENY, "dest-tsc-unstable", 6) },
    { "tcg: invtsc without frequency: libvirt refuses", SENSITIVE, .kind = TG_GUEST_TCG,
      .invtsc = true, DEST(H, NO), EXPECT(DENY, "invtsc-without-frequency", 3) },
    { "tcg: Hyper-V re-enlightenment is KVM's: not applied", REENL, .kind = TG_GUEST_TCG,
      .lineage_hz = H, DEST(H, NO), EXPECT(ALLOW, "tcg-within-tolerance", 9) },

    /* ---- offline migration (virsh migrate --offline --persistent): no TSC state ---- */
    { "offline: a pinned rate outside the window is no matter", EXPLICIT(FAR), DEST(H, NO),
      OFFLINE, EXPECT(ALLOW, "offline-migration", 10), .no_adj = true, EFF(0, false),
      .has = { "offline migration", "<resource>", "boot" } },
    { "offline: the record goes", SENSITIVE, .lineage_hz = FAR, DEST(H, NO), OFFLINE,
      EXPECT(ALLOW, "offline-migration", 10), .strip = true },
    { "offline: this host's health is no matter", SENSITIVE, DEST(H, NO), .tsc_unstable = YES,
      .synced = NO, .deny_unsync = true, OFFLINE, EXPECT(ALLOW, "offline-migration", 10),
      .no_adj = true },
    { "offline: a policy rule's deny still applies (the definition moves)", SENSITIVE,
      DEST(H, NO), OFFLINE, .policy_rule = "db", .force_deny = true,
      EXPECT(DENY, "policy-force-deny", 0) },
    { "offline: scaling required by a rule does not apply", EXPLICIT(FAR), DEST(H, NO), OFFLINE,
      .policy_rule = "r", .require_scaling = true, EXPECT(ALLOW, "offline-migration", 10),
      .no_adj = true },
    { "offline look without detect: judged as live", EXPLICIT(FAR), DEST(H, NO),
      .op = TG_OP_MIGRATE, .not_running = true, EXPECT(DENY, "explicit-outside-tolerance", 1) },
    { "detect, but the definition looks running: judged as live", EXPLICIT(FAR), DEST(H, NO),
      .op = TG_OP_MIGRATE, .offline_detect = true, EXPECT(DENY, "explicit-outside-tolerance", 1) },
    { "a restore is never an offline migration", EXPLICIT(FAR), DEST(H, NO), .op = TG_OP_RESTORE,
      .not_running = true, .offline_detect = true, EXPECT(DENY, "explicit-outside-tolerance", 1) },

    /* ---- restore on the host that saved it: not a move ---- */
    { "same host, same boot: unknown nominal rate, E = N", SENSITIVE, DEST(H, NO),
      RESTORE_HERE(SAME_BOOT), EXPECT(ALLOW, "restore-same-host", 11), EFF(H, false),
      .has = { "restored on the host that saved it", "managed save image of this host" } },
    { "same host: a stay-on-host rule does not stop it", SENSITIVE, DEST(H, NO),
      RESTORE_HERE(SAME_BOOT), .policy_rule = "db", .force_deny = true,
      EXPECT(ALLOW, "restore-same-host", 11), EFF(H, false) },
    { "same host: an unsynchronised clock denying moves does not stop it", SENSITIVE,
      DEST(H, NO), .synced = NO, .deny_unsync = true, RESTORE_HERE(SAME_BOOT),
      EXPECT(ALLOW, "restore-same-host", 11), .hasnt = "NTP" },
    { "same host: a TSC marked unstable since still denies", SENSITIVE, DEST(H, NO),
      .tsc_unstable = YES, RESTORE_HERE(SAME_BOOT), EXPECT(DENY, "dest-tsc-unstable", 6) },
    { "same host: kept the rate it ran at (record effective)", PARAVIRT, .lineage_hz = FAR,
      .lineage_eff = H, DEST(H, NO), RESTORE_HERE(SAME_BOOT),
      EXPECT(ALLOW, "restore-same-host", 11), EFF(H, false) },
    { "same host, earlier boot: recalibrated within the tolerance", SENSITIVE, DEST(H, NO),
      RESTORE_HERE(EARLIER_BOOT), EXPECT(ALLOW, "restore-same-host-rebooted", 11),
      .has = { "earlier boot" } },
    { "same host, earlier boot, pinned: libvirt checks the pin again", EXPLICIT(FAR),
      DEST(H, NO), RESTORE_HERE(EARLIER_BOOT), .policy_rule = "db", .force_deny = true,
      EXPECT(DENY, "explicit-outside-tolerance", 1) },
    { "same host, earlier boot, pinned within", EXPLICIT(H), DEST(H, NO), .synced = NO,
      .deny_unsync = true, RESTORE_HERE(EARLIER_BOOT),
      EXPECT(ALLOW, "explicit-within-tolerance", 1) },
    { "restore elsewhere: an unsynchronised clock names the restore", PARAVIRT, .lineage_hz = H,
      DEST(H, NO), .synced = NO, .op = TG_OP_RESTORE,
      EXPECT(WARN, "dest-clock-unsynchronized", 6), .has = { "after the restore" } },
    { "restore elsewhere: the fix says restore, not migrate", EXPLICIT(FAR), DEST(H, NO),
      .op = TG_OP_RESTORE, EXPECT(DENY, "explicit-outside-tolerance", 1),
      .has = { "restore it on a host within that window" }, .hasnt = "migrate" },
    { "migrate: the fix says migrate", EXPLICIT(FAR), DEST(H, NO),
      EXPECT(DENY, "explicit-outside-tolerance", 1),
      .has = { "; migrate to a host within that window or with TSC scaling" } },
    { "restore elsewhere, unsynchronised clock denied: restore it elsewhere", PARAVIRT,
      .lineage_hz = H, DEST(H, NO), .synced = NO, .deny_unsync = true, .op = TG_OP_RESTORE,
      EXPECT(DENY, "dest-clock-unsynchronized", 6), .has = { "or restore it elsewhere" } },
    { "unplaced restore, policy says same host: not a move", SENSITIVE, DEST(H, NO),
      .op = TG_OP_RESTORE, .unplaced_here = true, .policy_rule = "db", .force_deny = true,
      EXPECT(ALLOW, "restore-same-host-rebooted", 11), .has = { "<unplaced-restore>" } },
    { "unplaced restore setting does not touch migrations", SENSITIVE, DEST(H, NO),
      .unplaced_here = true, .policy_rule = "db", .force_deny = true,
      EXPECT(DENY, "policy-force-deny", 0) },
    { "restore elsewhere: a stay-on-host rule applies", PARAVIRT, .lineage_hz = H, DEST(H, NO),
      .op = TG_OP_RESTORE, .policy_rule = "db", .force_deny = true,
      EXPECT(DENY, "policy-force-deny", 0) },

    /* ---- guests without a TSC (not x86) ---- */
    { "no TSC: allowed, no record", PARAVIRT, .kind = TG_GUEST_NO_TSC, DEST(H, NO),
      EXPECT(ALLOW, "guest-without-tsc", 8), .no_adj = true, EFF(0, false),
      .has = { "no TSC" } },
    { "no TSC: this host's facts do not matter", PARAVIRT, .kind = TG_GUEST_NO_TSC,
      .dest_unknown = true, .tsc_unstable = YES, EXPECT(ALLOW, "guest-without-tsc", 8),
      .no_adj = true },
    { "no TSC: a pinned timer is not a TSC", EXPLICIT(FAR), .kind = TG_GUEST_NO_TSC, DEST(H, NO),
      EXPECT(ALLOW, "guest-without-tsc", 8), .no_adj = true },
    { "no TSC: scaling required by the policy does not apply", PARAVIRT, .kind = TG_GUEST_NO_TSC,
      DEST(H, NO), .policy_rule = "scaled-only", .require_scaling = true,
      EXPECT(ALLOW, "guest-without-tsc", 8), .no_adj = true },
    { "no TSC: a policy's force deny still denies", PARAVIRT, .kind = TG_GUEST_NO_TSC, DEST(H, NO),
      .policy_rule = "stay", .force_deny = true, EXPECT(DENY, "policy-force-deny", 0) },

    /* ---- adjustments ---- */
    { "no lineage record when disabled", EXPLICIT(H), DEST(H, NO), .no_lineage = true,
      EXPECT(ALLOW, "explicit-within-tolerance", 1) },
    { "hop limit passed on", EXPLICIT(H), DEST(H, NO), .hop_limit = 4,
      EXPECT(ALLOW, "explicit-within-tolerance", 1) },
};

/* ---- building inputs ---- */

static TgGuestProfile *
make_guest(const Row *r)
{
    TgGuestProfile *g = g_new0(TgGuestProfile, 1);

    g->timers = g_ptr_array_new();
    g->tags = g_ptr_array_new_with_free_func(g_free);
    g->dependence = r->dep;
    g->has_explicit_hz = r->explicit_set;
    g->explicit_hz = r->explicit_hz;
    g->first_explicit_hz = r->first_hz ? r->first_hz : r->explicit_hz;
    g->kind = r->kind;
    g->invtsc_exposed = r->invtsc;
    g->hv_reenlightenment = r->reenl;
    g->hyperv_enabled = r->reenl == TG_TRI_YES;
    g->hypervclock = TG_TRI_UNKNOWN;
    if (r->lineage_hz || r->lineage_eff) {
        g->lineage = tg_lineage_new();
        g->lineage->nominal_hz = r->lineage_hz;
        g->lineage->nominal_origin = r->lineage_hz ? TG_NOMINAL_EXPLICIT : TG_NOMINAL_UNKNOWN;
        g->lineage->effective_hz = r->lineage_eff;
    }
    return g;
}

static void
set_tri(TgBoolFact *f, TgTri t, const char *source)
{
    if (t != TG_TRI_UNKNOWN)
        tg_bool_fact_set(f, t == TG_TRI_YES, source);
}

static TgHostFacts *
make_dest(const Row *r)
{
    TgHostFacts *f = tg_host_facts_new();

    if (!r->dest_unknown)
        tg_u64_fact_set(&f->tsc_hz, r->dest_hz, "test");
    else
        tg_fact_set_unknown(&f->tsc_hz.note, "no <counter name='tsc'>");
    set_tri(&f->tsc_scaling, r->scaling, "test");
    if (r->vendor)
        tg_str_fact_set(&f->cpu_vendor, r->vendor, "test");
    set_tri(&f->constant_tsc, r->constant_tsc, "test");
    set_tri(&f->nonstop_tsc, r->nonstop_tsc, "test");
    set_tri(&f->tsc_unstable, r->tsc_unstable, "test");
    set_tri(&f->clock_synchronized, r->synced, "test");
    if (r->kvm_ppm)
        tg_u64_fact_set(&f->kvm_tolerance_ppm, r->kvm_ppm, "test");
    return f;
}

static void
make_settings(const Row *r, TgSettings *s)
{
    tg_settings_init(s);
    if (r->ppm_set)
        s->tolerance_ppm = r->ppm;
    s->unknown_dest_scaling = r->u_scaling;
    s->unknown_dest_frequency = r->u_freq;
    s->unknown_guest_frequency = r->u_guest;
    if (r->u_health_set) {
        s->unknown_clock_sync = r->u_sync;
        s->unknown_tsc_stability = r->u_stability;
    }
    s->deny_unsynchronized_clock = r->deny_unsync;
    s->deny_unstable_tsc = !r->allow_unstable;
    s->policy_rule = r->policy_rule;
    s->force_deny = r->force_deny;
    s->force_deny_message = r->force_msg;
    s->require_scaling = r->require_scaling;
    s->force_warn = r->force_warn;
    s->override_dependence = r->override;
    s->dependence_override = r->override_dep;
    s->record_lineage = !r->no_lineage;
    if (r->hop_limit)
        s->hop_limit = r->hop_limit;
    s->run.operation = r->op;
    s->run.definition_not_running = r->not_running;
    s->run.same_host = r->same_host;
    s->run.same_host_why = r->same_host ? "managed save image of this host" : NULL;
    if (r->offline_detect)
        s->offline_detect = true;
    if (r->unplaced_here)
        s->unplaced_restore_same_host = true;
    s->candidates = inventories[r->inventory].hosts;
    s->n_candidates = inventories[r->inventory].n;
}

static TgDecision *
decide_row(const Row *r)
{
    g_autoptr(TgGuestProfile) g = make_guest(r);
    g_autoptr(TgHostFacts) dest = make_dest(r);
    g_autoptr(TgHostFacts) src = NULL;
    TgSettings s;

    make_settings(r, &s);
    if (r->source_hz) {
        src = tg_host_facts_new();
        tg_u64_fact_set(&src->tsc_hz, r->source_hz, "test");
    }
    return tg_decide(g, src, dest, &s);
}

/* ---- the table ---- */

static void
check_row(const Row *r, const TgDecision *d)
{
    guint expect_adj = (d->verdict != TG_VERDICT_DENY && !r->no_lineage && !r->no_adj) ? 1 : 0;

    if (r->strip) {
        /* An offline migration: the record goes, none is written. */
        assert_int_equal(d->adjustments->len, 1);
        assert_int_equal(g_array_index(d->adjustments, TgAdjustment, 0).kind,
                         TG_ADJUST_STRIP_LINEAGE);
        return;
    }

    print_message("  %s: %s %s rule %d: %s\n", r->name, tg_verdict_to_string(d->verdict),
                  d->code, d->rule, d->reason);
    assert_string_equal(tg_verdict_to_string(d->verdict), tg_verdict_to_string(r->verdict));
    assert_string_equal(d->code, r->code);
    assert_int_equal(d->rule, r->rule);
    assert_non_null(d->reason);
    assert_null(strchr(d->reason, '\n'));
    assert_null(strchr(d->reason, '\r'));
    assert_true(strlen(d->reason) < 300);
    for (gsize i = 0; i < G_N_ELEMENTS(r->has) && r->has[i]; i++) {
        if (!strstr(d->reason, r->has[i]))
            fail_msg("%s: reason lacks \"%s\": %s", r->name, r->has[i], d->reason);
    }
    if (r->hasnt && strstr(d->reason, r->hasnt))
        fail_msg("%s: reason has \"%s\": %s", r->name, r->hasnt, d->reason);
    if (r->exact)
        assert_string_equal(d->reason, r->exact);
    if (r->check_eff) {
        assert_int_equal(d->effective_hz, r->eff_hz);
        assert_int_equal(d->effective_changed, r->eff_changed);
    }
    if (r->check_dep)
        assert_int_equal(d->dependence, r->want_dep);
    /* Facts echoed back. */
    assert_int_equal(d->tolerance_ppm, r->ppm_set ? r->ppm : TG_DEFAULT_TOLERANCE_PPM);
    assert_int_equal(d->dest_hz, r->dest_unknown ? 0 : r->dest_hz);
    assert_int_equal(d->dest_scaling, r->scaling);
    if (d->dest_hz) {
        guint64 lo, hi;

        tg_tolerance_window(d->dest_hz, d->tolerance_ppm, &lo, &hi);
        assert_int_equal(d->window_lo, lo);
        assert_int_equal(d->window_hi, hi);
    } else {
        assert_int_equal(d->window_lo, 0);
        assert_int_equal(d->window_hi, 0);
    }
    if (r->policy_rule)
        assert_string_equal(d->policy_rule, r->policy_rule);
    else
        assert_null(d->policy_rule);
    /* Adjustments: one lineage record on allow/warn unless disabled. */
    assert_non_null(d->adjustments);
    assert_int_equal(d->adjustments->len, expect_adj);
    if (expect_adj) {
        TgAdjustment *a = &g_array_index(d->adjustments, TgAdjustment, 0);

        assert_int_equal(a->kind, TG_ADJUST_RECORD_LINEAGE);
        assert_int_equal(a->hop_limit, r->hop_limit ? r->hop_limit : TG_DEFAULT_HOP_LIMIT);
    }
    if (d->verdict == TG_VERDICT_DENY) {
        assert_int_equal(d->effective_hz, 0);
        assert_false(d->effective_changed);
    }
}

/* One test per row of rows[], named by the row. */
static void
test_row(void **state)
{
    const Row *r = *state;
    g_autoptr(TgDecision) d = decide_row(r);

    check_row(r, d);
}

/* Guest nominal frequency and its origin are reported: one test per row. */
typedef struct {
    Row r;
    guint64 hz;
    TgNominalOrigin origin;
} OriginRow;

static const OriginRow origin_rows[] = {
    { .r = { "guest hz origin: explicit", EXPLICIT(H), DEST(H, NO) },
      .hz = H, .origin = TG_NOMINAL_EXPLICIT },
    { .r = { "guest hz origin: lineage", PARAVIRT, .lineage_hz = FAR, .source_hz = H, DEST(H, NO) },
      .hz = FAR, .origin = TG_NOMINAL_LINEAGE },
    { .r = { "guest hz origin: a source host's rate stands in for nothing", PARAVIRT,
             .source_hz = LO, DEST(H, NO) },
      .hz = 0, .origin = TG_NOMINAL_UNKNOWN },
    { .r = { "guest hz origin: none", PARAVIRT, DEST(H, NO) },
      .hz = 0, .origin = TG_NOMINAL_UNKNOWN },
    { .r = { "guest hz origin: the last of several pinned rates", EXPLICIT(FAR), .first_hz = H,
             DEST(H, NO) },
      .hz = FAR, .origin = TG_NOMINAL_EXPLICIT },
    { .r = { "guest hz origin: inventory bound", SENSITIVE, DEST(H, NO), .inventory = 1 },
      .hz = 0, .origin = TG_NOMINAL_INVENTORY },
};

static void
test_guest_hz_origin(void **state)
{
    const OriginRow *c = *state;
    g_autoptr(TgDecision) d = decide_row(&c->r);

    assert_int_equal(d->guest_hz, c->hz);
    assert_int_equal(d->guest_hz_origin, c->origin);
}

/* Same inputs -> identical decision, whatever was decided before. */
static void
assert_same(const TgDecision *a, const TgDecision *b)
{
    assert_int_equal(a->verdict, b->verdict);
    assert_string_equal(a->code, b->code);
    assert_int_equal(a->rule, b->rule);
    assert_string_equal(a->reason, b->reason);
    assert_int_equal(a->dependence, b->dependence);
    assert_int_equal(a->guest_hz, b->guest_hz);
    assert_int_equal(a->guest_hz_origin, b->guest_hz_origin);
    assert_int_equal(a->dest_hz, b->dest_hz);
    assert_int_equal(a->dest_scaling, b->dest_scaling);
    assert_int_equal(a->window_lo, b->window_lo);
    assert_int_equal(a->window_hi, b->window_hi);
    assert_int_equal(a->tolerance_ppm, b->tolerance_ppm);
    assert_int_equal(a->effective_hz, b->effective_hz);
    assert_int_equal(a->effective_changed, b->effective_changed);
    assert_int_equal(a->adjustments->len, b->adjustments->len);
    assert_string_equal(a->policy_rule ? a->policy_rule : "", b->policy_rule ? b->policy_rule : "");
}

static void
test_deterministic(void **state)
{
    gsize n = G_N_ELEMENTS(rows);
    g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func((GDestroyNotify)tg_decision_free);

    (void)state;
    for (gsize i = 0; i < n; i++)
        g_ptr_array_add(first, decide_row(&rows[i]));
    /* Again in reverse order, with the inputs rebuilt from scratch. */
    for (gsize i = n; i-- > 0;) {
        g_autoptr(TgDecision) again = decide_row(&rows[i]);

        assert_same(g_ptr_array_index(first, i), again);
    }
}

/* The same guest/facts/settings objects decided twice; inputs unchanged. */
static void
test_inputs_untouched(void **state)
{
    const Row *r = &rows[0];
    g_autoptr(TgGuestProfile) g = make_guest(r);
    g_autoptr(TgHostFacts) dest = make_dest(r);
    g_autoptr(TgDecision) a = NULL;
    g_autoptr(TgDecision) b = NULL;
    TgSettings s, copy;
    char *name = g_strdup("rule-name");

    (void)state;
    make_settings(r, &s);
    s.policy_rule = name;
    copy = s;
    a = tg_decide(g, NULL, dest, &s);
    b = tg_decide(g, NULL, dest, &s);
    assert_memory_equal(&s, &copy, sizeof(s));
    assert_same(a, b);
    /* The decision owns its copy of the rule name. */
    g_free(name);
    assert_string_equal(a->policy_rule, "rule-name");
    assert_int_equal(dest->tsc_hz.value, H);
    assert_true(g->has_explicit_hz);
}

static void
test_missing_inputs(void **state)
{
    const Row *r = &rows[0];
    g_autoptr(TgGuestProfile) g = make_guest(r);
    g_autoptr(TgHostFacts) dest = make_dest(r);
    TgSettings s;
    TgDecision *d;

    (void)state;
    tg_settings_init(&s);
    d = tg_decide(NULL, NULL, dest, &s);
    assert_int_equal(d->verdict, TG_VERDICT_DENY);
    assert_string_equal(d->code, "engine-input-missing");
    assert_int_equal(d->adjustments->len, 0);
    tg_decision_free(d);
    d = tg_decide(g, NULL, NULL, &s);
    assert_string_equal(d->code, "engine-input-missing");
    tg_decision_free(d);
    d = tg_decide(g, NULL, dest, NULL);
    assert_string_equal(d->code, "engine-input-missing");
    tg_decision_free(d);
    tg_decision_free(NULL);
}

/* libvirt's window arithmetic: one test per row. */
typedef struct {
    const char *name;
    guint64 hz;
    guint32 ppm;
    guint64 lo, hi;
} WindowRow;

static const WindowRow window_rows[] = {
    { .name = "tolerance window: 2596120000 Hz, 250 ppm",
      .hz = H, .ppm = 250, .lo = LO, .hi = HI },
    { .name = "tolerance window: 2596120000 Hz, 0 ppm",
      .hz = H, .ppm = 0, .lo = H, .hi = H },
    { .name = "tolerance window: 2596120000 Hz, 1 ppm",
      .hz = H, .ppm = 1, .lo = H - 2596, .hi = H + 2596 },
    { .name = "tolerance window: 2596120000 Hz, 1000000 ppm",
      .hz = H, .ppm = 1000000, .lo = 0, .hi = 2 * H },
    { .name = "tolerance window: 2596120000 Hz, 2000000 ppm", /* tol > hz: lo clamps at 0 */
      .hz = H, .ppm = 2000000, .lo = 0, .hi = 3 * H },
    { .name = "tolerance window: 0 Hz, 250 ppm",
      .hz = 0, .ppm = 250, .lo = 0, .hi = 0 },
    { .name = "tolerance window: 3999 Hz, 250 ppm", /* tol = 0.99 -> 0 */
      .hz = 3999, .ppm = 250, .lo = 3999, .hi = 3999 },
    { .name = "tolerance window: 4000 Hz, 250 ppm", /* tol = 1 */
      .hz = 4000, .ppm = 250, .lo = 3999, .hi = 4001 },
    { .name = "tolerance window: 2^64-1 Hz, 250 ppm",
      .hz = G_MAXUINT64, .ppm = 250,
      .lo = G_MAXUINT64 - G_GUINT64_CONSTANT(4611686018427387), .hi = G_MAXUINT64 },
    { .name = "tolerance window: 2^64-1 Hz, 2^32-1 ppm",
      .hz = G_MAXUINT64, .ppm = G_MAXUINT32, .lo = 0, .hi = G_MAXUINT64 },
};

static void
test_tolerance_window(void **state)
{
    const WindowRow *c = *state;
    guint64 lo = 1, hi = 1;

    tg_tolerance_window(c->hz, c->ppm, &lo, &hi);
    assert_int_equal(lo, c->lo);
    assert_int_equal(hi, c->hi);
}

/* KVM ratio limits (arch/x86/kvm/x86.c set_tsc_khz, kvm_x86_vendor_init):
 * one test per row. Host 2596120 kHz. SVM: max guest kHz = host * (2^40-1)
 * >> 32 = 664606719 (exclusive). VMX: capped at 0x7fffffff kHz (exclusive). */
typedef struct {
    const char *name;
    guint64 guest_hz, host_hz;
    const char *vendor;
    bool ok;
} RatioRow;

static const RatioRow ratio_rows[] = {
    { .name = "kvm ratio: guest 2100000000 Hz, host 2596120000 Hz, GenuineIntel",
      .guest_hz = FAR, .host_hz = H, .vendor = "GenuineIntel", .ok = true },
    { .name = "kvm ratio: guest 2100000000 Hz, host 2596120000 Hz, Intel",
      .guest_hz = FAR, .host_hz = H, .vendor = "Intel", .ok = true },
    { .name = "kvm ratio: guest 2100000000 Hz, host 2596120000 Hz, intel",
      .guest_hz = FAR, .host_hz = H, .vendor = "intel", .ok = true },
    { .name = "kvm ratio: guest 2100000000 Hz, host 2596120000 Hz, AuthenticAMD",
      .guest_hz = FAR, .host_hz = H, .vendor = "AuthenticAMD", .ok = true },
    { .name = "kvm ratio: guest 2100000000 Hz, host 2596120000 Hz, AMD",
      .guest_hz = FAR, .host_hz = H, .vendor = "AMD", .ok = true },
    { .name = "kvm ratio: guest 2100000000 Hz, host 2596120000 Hz, no vendor",
      .guest_hz = FAR, .host_hz = H, .vendor = NULL, .ok = true },
    /* SVM upper limit */
    { .name = "kvm ratio: guest 664606718999 Hz, host 2596120000 Hz, AMD",
      .guest_hz = G_GUINT64_CONSTANT(664606718999), .host_hz = H, .vendor = "AMD", .ok = true },
    { .name = "kvm ratio: guest 664606719000 Hz, host 2596120000 Hz, AMD",
      .guest_hz = G_GUINT64_CONSTANT(664606719000), .host_hz = H, .vendor = "AMD", .ok = false },
    { .name = "kvm ratio: guest 664606718000 Hz, host 2596120000 Hz, no vendor",
      .guest_hz = G_GUINT64_CONSTANT(664606718000), .host_hz = H, .vendor = NULL, .ok = true },
    { .name = "kvm ratio: guest 664606719000 Hz, host 2596120000 Hz, no vendor",
      .guest_hz = G_GUINT64_CONSTANT(664606719000), .host_hz = H, .vendor = NULL, .ok = false },
    { .name = "kvm ratio: guest 664606719000 Hz, host 2596120000 Hz, HygonGenuine",
      .guest_hz = G_GUINT64_CONSTANT(664606719000), .host_hz = H,
      .vendor = "HygonGenuine", .ok = false },
    { .name = "kvm ratio: guest 664606719000 Hz, host 2596120000 Hz, Intel",
      .guest_hz = G_GUINT64_CONSTANT(664606719000), .host_hz = H, .vendor = "Intel", .ok = true },
    /* VMX: guest kHz must stay below 0x7fffffff */
    { .name = "kvm ratio: guest 2147483646999 Hz, host 2596120000 Hz, Intel",
      .guest_hz = G_GUINT64_CONSTANT(2147483646999), .host_hz = H, .vendor = "Intel", .ok = true },
    { .name = "kvm ratio: guest 2147483647000 Hz, host 2596120000 Hz, Intel",
      .guest_hz = G_GUINT64_CONSTANT(2147483647000), .host_hz = H, .vendor = "Intel", .ok = false },
    /* VMX limit from the ratio when the host is slow: host 1 kHz ->
     * max guest = 1 * (2^64-1) >> 48 = 65535 kHz (exclusive) */
    { .name = "kvm ratio: guest 65534000 Hz, host 1000 Hz, Intel",
      .guest_hz = G_GUINT64_CONSTANT(65534000), .host_hz = 1000, .vendor = "Intel", .ok = true },
    { .name = "kvm ratio: guest 65535000 Hz, host 1000 Hz, Intel",
      .guest_hz = G_GUINT64_CONSTANT(65535000), .host_hz = 1000, .vendor = "Intel", .ok = false },
    /* SVM same: host 1 kHz -> 255 kHz exclusive */
    { .name = "kvm ratio: guest 254000 Hz, host 1000 Hz, AMD",
      .guest_hz = 254000, .host_hz = 1000, .vendor = "AMD", .ok = true },
    { .name = "kvm ratio: guest 255000 Hz, host 1000 Hz, AMD",
      .guest_hz = 255000, .host_hz = 1000, .vendor = "AMD", .ok = false },
    /* lower end: ratio must be non-zero */
    { .name = "kvm ratio: guest 1000 Hz, host 2596120000 Hz, AMD",
      .guest_hz = 1000, .host_hz = H, .vendor = "AMD", .ok = true },
    { .name = "kvm ratio: guest 999 Hz, host 2596120000 Hz, AMD", /* 0 kHz */
      .guest_hz = 999, .host_hz = H, .vendor = "AMD", .ok = false },
    { .name = "kvm ratio: guest 1000 Hz, host 4294967296000 Hz, AMD", /* ratio 1 */
      .guest_hz = 1000, .host_hz = G_GUINT64_CONSTANT(4294967296000), .vendor = "AMD", .ok = true },
    { .name = "kvm ratio: guest 1000 Hz, host 4294967297000 Hz, AMD", /* ratio 0 */
      .guest_hz = 1000, .host_hz = G_GUINT64_CONSTANT(4294967297000),
      .vendor = "AMD", .ok = false },
    { .name = "kvm ratio: guest 1000 Hz, host 281474976710656000 Hz, Intel", /* ratio 1 */
      .guest_hz = 1000, .host_hz = G_GUINT64_CONSTANT(281474976710656000),
      .vendor = "Intel", .ok = true },
    { .name = "kvm ratio: guest 1000 Hz, host 281474976710657000 Hz, Intel", /* ratio 0 */
      .guest_hz = 1000, .host_hz = G_GUINT64_CONSTANT(281474976710657000),
      .vendor = "Intel", .ok = false },
    { .name = "kvm ratio: guest 2596120000 Hz, host 0 Hz, Intel",
      .guest_hz = H, .host_hz = 0, .vendor = "Intel", .ok = false },
    { .name = "kvm ratio: guest 2596120000 Hz, host 999 Hz, no vendor",
      .guest_hz = H, .host_hz = 999, .vendor = NULL, .ok = false },
    { .name = "kvm ratio: guest 0 Hz, host 2596120000 Hz, no vendor",
      .guest_hz = 0, .host_hz = H, .vendor = NULL, .ok = false },
    { .name = "kvm ratio: guest 2^64-1 Hz, host 2^64-1 Hz, Intel", /* 0x7fffffff kHz cap */
      .guest_hz = G_MAXUINT64, .host_hz = G_MAXUINT64, .vendor = "Intel", .ok = false },
};

static void
test_kvm_ratio(void **state)
{
    const RatioRow *c = *state;

    assert_int_equal(tg_kvm_ratio_ok(c->guest_hz, c->host_hz, c->vendor), c->ok);
}

static void
test_strings(void **state)
{
    TgUnknownAction a = TG_UNKNOWN_ALLOW;

    (void)state;
    assert_string_equal(tg_verdict_to_string(TG_VERDICT_ALLOW), "allow");
    assert_string_equal(tg_verdict_to_string(TG_VERDICT_WARN), "allow-with-warning");
    assert_string_equal(tg_verdict_to_string(TG_VERDICT_DENY), "deny");
    assert_string_equal(tg_unknown_action_to_string(TG_UNKNOWN_DENY), "deny");
    assert_string_equal(tg_unknown_action_to_string(TG_UNKNOWN_WARN), "warn");
    assert_string_equal(tg_unknown_action_to_string(TG_UNKNOWN_ALLOW), "allow");
    assert_true(tg_unknown_action_from_string("deny", &a));
    assert_int_equal(a, TG_UNKNOWN_DENY);
    assert_true(tg_unknown_action_from_string("warn", &a));
    assert_int_equal(a, TG_UNKNOWN_WARN);
    assert_true(tg_unknown_action_from_string("allow", &a));
    assert_int_equal(a, TG_UNKNOWN_ALLOW);
    assert_false(tg_unknown_action_from_string("Deny", &a));
    assert_false(tg_unknown_action_from_string("", &a));
    assert_false(tg_unknown_action_from_string("allow ", &a));
    assert_false(tg_unknown_action_from_string(NULL, &a));
    assert_int_equal(a, TG_UNKNOWN_ALLOW);
}

static void
test_settings_defaults(void **state)
{
    TgSettings s;

    (void)state;
    memset(&s, 0xa5, sizeof(s));
    tg_settings_init(&s);
    assert_int_equal(s.tolerance_ppm, 250);
    assert_int_equal(s.unknown_dest_scaling, TG_UNKNOWN_DENY);
    assert_int_equal(s.unknown_dest_frequency, TG_UNKNOWN_DENY);
    assert_int_equal(s.unknown_guest_frequency, TG_UNKNOWN_DENY);
    assert_false(s.deny_unsynchronized_clock);
    assert_true(s.deny_unstable_tsc);
    assert_null(s.policy_rule);
    assert_false(s.force_deny);
    assert_null(s.force_deny_message);
    assert_false(s.require_scaling);
    assert_false(s.force_warn);
    assert_false(s.override_dependence);
    assert_true(s.record_lineage);
    assert_int_equal(s.hop_limit, 16);
    assert_null(s.candidates);
    assert_int_equal(s.n_candidates, 0);
}

/* Every code the engine can return: produced by some row of the table and
 * documented in doc/reason-codes.md. */
static const char *const all_codes[] = {
    "policy-force-deny", "policy-require-scaling", "policy-force-warn",
    "explicit-within-tolerance", "explicit-scaled", "explicit-ratio-out-of-range",
    "explicit-outside-tolerance", "explicit-dest-scaling-unknown",
    "reenlightenment-without-frequency", "invtsc-without-frequency",
    "nominal-within-tolerance", "nominal-scaled", "tsc-sensitive-outside-tolerance",
    "tsc-sensitive-dest-scaling-unknown", "paravirt-rate-change",
    "paravirt-dest-scaling-unknown", "inventory-compatible",
    "nominal-unknown-dest-scaling", "paravirt-nominal-unknown", "guest-frequency-unknown",
    "dest-tsc-unstable", "dest-tsc-not-invariant", "dest-clock-unsynchronized",
    "dest-frequency-unknown", "engine-input-missing",
    "explicit-first-outside-tolerance", "guest-without-tsc", "tcg-within-tolerance",
    "tcg-rate-change", "tcg-nominal-unknown", "kvm-tolerance-catchup", "kvm-tolerance-refused",
    "dest-clock-sync-unknown", "dest-tsc-stability-unknown", "offline-migration",
    "restore-same-host", "restore-same-host-rebooted",
};

static void
test_codes_documented(void **state)
{
    const char *top = g_getenv("top_srcdir");
    g_autofree char *path = g_build_filename(top ? top : "..", "doc", "reason-codes.md", NULL);
    g_autofree char *doc = NULL;
    g_autoptr(GError) error = NULL;

    (void)state;
    if (!g_file_get_contents(path, &doc, NULL, &error))
        fail_msg("%s", error->message);
    for (gsize i = 0; i < G_N_ELEMENTS(all_codes); i++) {
        g_autofree char *quoted = g_strdup_printf("| `%s` |", all_codes[i]);
        bool produced = strcmp(all_codes[i], "engine-input-missing") == 0; /* test_missing_inputs */

        if (!strstr(doc, quoted))
            fail_msg("%s is not documented in %s", all_codes[i], path);
        for (gsize r = 0; r < G_N_ELEMENTS(rows) && !produced; r++)
            produced = strcmp(rows[r].code, all_codes[i]) == 0;
        if (!produced)
            fail_msg("no table row produces %s", all_codes[i]);
    }
    /* And every code a row expects is in the list (no undocumented code). */
    for (gsize r = 0; r < G_N_ELEMENTS(rows); r++) {
        bool known = false;

        for (gsize i = 0; i < G_N_ELEMENTS(all_codes) && !known; i++)
            known = strcmp(rows[r].code, all_codes[i]) == 0;
        if (!known)
            fail_msg("row '%s' expects unlisted code %s", rows[r].name, rows[r].code);
    }
}

int
main(void)
{
    GArray *tests = tg_test_new();

    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
        tg_test_add(tests, rows[i].name, test_row, &rows[i]);
    for (gsize i = 0; i < G_N_ELEMENTS(origin_rows); i++)
        tg_test_add(tests, origin_rows[i].r.name, test_guest_hz_origin, &origin_rows[i]);
    tg_test_add(tests, "deterministic", test_deterministic, NULL);
    tg_test_add(tests, "inputs untouched", test_inputs_untouched, NULL);
    tg_test_add(tests, "missing inputs", test_missing_inputs, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(window_rows); i++)
        tg_test_add(tests, window_rows[i].name, test_tolerance_window, &window_rows[i]);
    for (gsize i = 0; i < G_N_ELEMENTS(ratio_rows); i++)
        tg_test_add(tests, ratio_rows[i].name, test_kvm_ratio, &ratio_rows[i]);
    tg_test_add(tests, "strings", test_strings, NULL);
    tg_test_add(tests, "settings defaults", test_settings_defaults, NULL);
    tg_test_add(tests, "codes documented", test_codes_documented, NULL);
    return tg_test_run("tg-decide", tests);
}
