/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the decision engine's internals, shared by tg-decide.c (the
 * entry points and the precedence of the rules) and tg-decide-rules.c (the
 * rules). Not installed, not for other modules. */
#ifndef TG_DECIDE_PRIV_H
#define TG_DECIDE_PRIV_H

#include "tg-decide.h"

G_BEGIN_DECLS

__extension__ typedef unsigned __int128 TgU128;

/* Cap for admin-provided text (policy rule name, message) in a reason. */
#define TG_REASON_TEXT_MAX 80
/* At most this many inventory hosts are named in a reason. */
#define TG_REASON_HOSTS_MAX 3


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

/* Helpers of every rule (tg-decide.c). */
void tg_decide_fmt_hz(char *buf, gsize size, guint64 hz);
char *tg_decide_admin_text(const char *s);
void tg_decide_set_outcome(TgCtx *c, TgVerdict v, const char *code, int rule,
                           const char *fmt, ...) G_GNUC_PRINTF(5, 6);
TgVerdict tg_decide_unknown_verdict(TgUnknownAction a, bool dependent);
bool tg_decide_in_window(const TgCtx *c, guint64 hz);
gint64 tg_decide_ppm_diff(guint64 from, guint64 to);

/* The rules (tg-decide-rules.c), in the order tg_decide_into() asks them;
 * those returning bool return true when they decided. */
bool tg_decide_rule0_policy(TgCtx *c);
bool tg_decide_rule23_needs_frequency(TgCtx *c);
bool tg_decide_rule6_health(TgCtx *c, const TgHostFacts *dest);
bool tg_decide_rule7_dest_unknown(TgCtx *c);
void tg_decide_rule1_explicit(TgCtx *c);
bool tg_decide_several_pins_first(TgCtx *c);
void tg_decide_several_pins_note(TgCtx *c);
void tg_decide_rule4_nominal(TgCtx *c);
void tg_decide_rule5_unknown_nominal(TgCtx *c);
void tg_decide_rule8_no_tsc(TgCtx *c);
bool tg_decide_rule10_offline(TgCtx *c);
bool tg_decide_rule11_same_host(TgCtx *c, const TgHostFacts *dest);
void tg_decide_rule9_tcg(TgCtx *c);

G_END_DECLS

#endif /* TG_DECIDE_PRIV_H */
