/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the policy model and the loader's internals, shared by the
 * policy module's files (tg-policy.c: model and entry points;
 * tg-policy-load.c: root, structure and values; tg-policy-check.c: one
 * function per conflict rule; tg-policy-apply.c: selection). Not for use
 * outside src/lib/tg-policy*.c and their tests.
 */
#ifndef TG_POLICY_PRIV_H
#define TG_POLICY_PRIV_H

#include <libxml/tree.h>

#include "tg-policy.h"

G_BEGIN_DECLS

#define TG_MAX_PPM 1000000u
#define TG_MAX_HOPS 1000u

/* ------------------------------------------------------------------ */
/* Data model                                                          */

typedef struct {
    bool has_tolerance;
    guint32 tolerance_ppm;
    bool has_unknown_dest_scaling, has_unknown_dest_frequency, has_unknown_guest_frequency;
    TgUnknownAction unknown_dest_scaling, unknown_dest_frequency, unknown_guest_frequency;
    bool has_unknown_clock_sync, has_unknown_tsc_stability;
    TgUnknownAction unknown_clock_sync, unknown_tsc_stability;
    bool has_unsync;
    bool deny_unsync;
    bool has_unstable;
    bool deny_unstable;
    bool has_offline;
    bool offline_detect;
    bool has_unplaced;
    bool unplaced_same_host;
    bool has_record;
    bool record;
    bool has_hops;
    guint hops;
} TgPolicySettings;

typedef struct {
    char *glob;          /* guest name glob or NULL */
    char *uuid;          /* normalised: lower case, no dashes; or NULL */
    char *uuid_text;     /* as written, for explanations */
    char *tag;
    bool has_class;
    TgDependence cls;
    int line;
} TgPolicyMatch;

typedef struct {
    char *name;
    guint64 hz;          /* 0 = unknown */
    TgTri scaling;
} TgPolicyHost;

typedef struct {
    char *name;
    int line;
    GPtrArray *hosts;    /* TgPolicyHost*, borrowed from TgPolicy.hosts */
} TgPolicyGroup;

typedef struct {
    char *name;
    int line;
    GPtrArray *matches;  /* TgPolicyMatch* */
    bool force_deny;
    char *deny_message;
    bool require_scaling;
    bool force_warn;
    bool has_treat_as;
    TgDependence treat_as;
    TgPolicySettings s;
    char **from_groups;  /* NULL = every inventory host */
    GArray *candidates;  /* TgCandidateHost, when from_groups != NULL */
} TgPolicyRule;

struct _TgPolicy {
    char *filename;
    TgMode mode;
    bool fail_open;
    TgPolicySettings global;
    GPtrArray *hosts;       /* TgPolicyHost*, owned */
    GPtrArray *groups;      /* TgPolicyGroup*, owned */
    GHashTable *group_index; /* name -> TgPolicyGroup*, borrowed */
    GArray *all_candidates; /* TgCandidateHost, names borrowed from hosts */
    GPtrArray *rules;       /* TgPolicyRule*, file order */
};

/* A new empty policy (defaults: enforce, fail-closed). */
TgPolicy *tg_policy_new(const char *filename);
void tg_policy_match_free(gpointer data);
void tg_policy_rule_free(gpointer data);
TgPolicyGroup *tg_policy_group_new(TgPolicy *p, const char *name, int line);
/* Append a host to the policy's host list (and to `group`, nullable);
 * returns it (owned by the policy). */
TgPolicyHost *tg_policy_host_add(TgPolicy *p, TgPolicyGroup *group, const char *name,
                                 guint64 hz, TgTri scaling);
/* The group named `name` or NULL. */
TgPolicyGroup *tg_policy_find_group(const TgPolicy *p, const char *name);
/* Fill p->all_candidates and each rule's candidates from the hosts, dropping
 * exact repeats (same name, frequency and scaling). */
void tg_policy_resolve_candidates(TgPolicy *p);

/* "abc-DEF" -> "abcdef": the form UUIDs are compared in. Newly allocated. */
char *tg_policy_normalize_uuid(const char *s);
bool tg_policy_match_is_catch_all(const TgPolicyMatch *m);

/* ------------------------------------------------------------------ */
/* Loading                                                             */

typedef struct {
    const char *filename;
    GArray *list;            /* TgPolicyProblem, while checking */
    char *base_dir;          /* for relative <host-directory> paths */
    const TgPolicyInventoryReader *reader;  /* nullable */
} TgLoadCtx;

typedef struct {
    int line;
    guint seq;
    char *msg;
    TgErrorCode code;
} TgPolicyProblem;

/* Record a problem "FILE:LINE: ..." at `line`, escaped to one line. */
void tg_problem(TgLoadCtx *c, TgErrorCode code, int line, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
/* The same at the line of `n`, with TG_ERROR_INVALID. */
void tg_problem_node(TgLoadCtx *c, const xmlNode *n, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Record the problem a tg-xml reader reported in `err` ("FILE:LINE: ..."),
 * sorted at the line of `n`. */
void tg_problem_error(TgLoadCtx *c, const xmlNode *n, const GError *err);
/* Record an already formatted one-line problem (takes `msg`). */
void tg_add_problem(TgLoadCtx *c, TgErrorCode code, int line, char *msg);

/* Pass 1: root element, namespace and version. Returns false (reported)
 * when the document is no policy this tscgate reads. */
bool tg_policy_check_root(TgLoadCtx *c, xmlDoc *doc, const xmlNode *root);
/* Pass 2a: elements, attributes, order, text of `root` and below. */
void tg_policy_check_structure(TgLoadCtx *c, const xmlNode *root);
/* Pass 2b: values into `p`. */
void tg_policy_read_globals(TgLoadCtx *c, TgPolicy *p, const xmlNode *root);
void tg_policy_read_inventory(TgLoadCtx *c, TgPolicy *p, const xmlNode *root);
void tg_policy_read_rules(TgLoadCtx *c, TgPolicy *p, const xmlNode *root);
/* Pass 3: the embedded RelaxNG schema. */
void tg_policy_check_schema(TgLoadCtx *c, xmlDoc *doc);

/* Conflict rules (tg-policy-check.c), one function each; every one reports
 * through tg_problem*() and returns true when the rule holds. */
bool tg_check_duplicate_group(TgLoadCtx *c, const TgPolicy *p, const xmlNode *n,
                              const char *name);
bool tg_check_duplicate_group_host(TgLoadCtx *c, GHashTable *seen, const TgPolicyGroup *g,
                                   const xmlNode *n, const char *host);
bool tg_check_duplicate_rule(TgLoadCtx *c, GHashTable *seen, const TgPolicyRule *r,
                             const xmlNode *n);
bool tg_check_reachable(TgLoadCtx *c, const TgPolicyRule *catch_all, const TgPolicyRule *r,
                        const xmlNode *n);
bool tg_check_deny_and_warn(TgLoadCtx *c, const TgPolicyRule *r, const xmlNode *n);
bool tg_check_deny_and_require_scaling(TgLoadCtx *c, const TgPolicyRule *r,
                                       const xmlNode *n);
bool tg_check_treat_as_class(TgLoadCtx *c, const TgPolicyRule *r);
bool tg_check_lineage_hops(TgLoadCtx *c, const TgPolicySettings *s, int hops_state,
                           const xmlNode *n);
bool tg_check_group_named_twice(TgLoadCtx *c, GHashTable *seen, const xmlNode *n,
                                const char *group);
bool tg_check_group_defined(TgLoadCtx *c, const TgPolicy *p, const TgPolicyRule *r,
                            const xmlNode *n, const char *group);
bool tg_check_groups_named(TgLoadCtx *c, guint n_groups, const xmlNode *n);

G_END_DECLS

#endif /* TG_POLICY_PRIV_H */
