/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the cluster admin's policy file (see tg-policy.h and
 * doc/tscgate-policy.5): the model and the loader's entry points.
 *
 * Loading runs three passes over the document tg_xml_parse() returns:
 *  1. root and version (a newer major version is refused before anything
 *     else, so an old tscgate says so instead of listing schema errors);
 *  2. structure and values (tg-policy-load.c), with one precise
 *     "FILE:LINE: ..." message per problem (unknown element or attribute,
 *     bad number) and the conflict rules (tg-policy-check.c: duplicate
 *     names, conflicting settings). <host-directory> inventories are read
 *     through the caller's TgPolicyInventoryReader: this layer does no I/O;
 *  3. the embedded RelaxNG schema (xml/policy.rng), run when pass 2 found
 *     nothing: libxml2's messages for the same mistakes are vaguer
 *     ("Invalid sequence in interleave") and would only repeat them. The
 *     schema stays the authority: a document it refuses is refused.
 * Selection (tg-policy-apply.c) is first-match: rules are tried in file
 * order, the first rule with a matching <match> applies.
 */
#include <config.h>

#include "tg-policy-priv.h"
#include "tg-xml.h"

#include <string.h>

static const char *const tg_mode_names[] = {
    [TG_MODE_ENFORCE] = "enforce",
    [TG_MODE_AUDIT] = "audit",
};
const TgEnumTable tg_mode_table = TG_ENUM_TABLE(tg_mode_names);

const char *
tg_mode_to_string(TgMode m)
{
    const char *s = tg_enum_to_string(&tg_mode_table, (int)m);

    return s ? s : "enforce";
}

/* ------------------------------------------------------------------ */
/* Data model                                                          */

void
tg_policy_match_free(gpointer data)
{
    TgPolicyMatch *m = data;

    g_free(m->glob);
    g_free(m->uuid);
    g_free(m->uuid_text);
    g_free(m->tag);
    g_free(m);
}

static void
tg_policy_host_free(gpointer data)
{
    TgPolicyHost *h = data;

    g_free(h->name);
    g_free(h);
}

static void
tg_policy_group_free(gpointer data)
{
    TgPolicyGroup *g = data;

    g_free(g->name);
    g_ptr_array_unref(g->hosts);
    g_free(g);
}

void
tg_policy_rule_free(gpointer data)
{
    TgPolicyRule *r = data;

    g_free(r->name);
    g_ptr_array_unref(r->matches);
    g_free(r->deny_message);
    g_strfreev(r->from_groups);
    if (r->candidates)
        g_array_unref(r->candidates);
    g_free(r);
}

TgPolicy *
tg_policy_new(const char *filename)
{
    TgPolicy *p = g_new0(TgPolicy, 1);

    p->filename = g_strdup(filename);
    p->mode = TG_MODE_ENFORCE;
    p->fail_open = false;
    p->hosts = g_ptr_array_new_with_free_func(tg_policy_host_free);
    p->groups = g_ptr_array_new_with_free_func(tg_policy_group_free);
    p->group_index = g_hash_table_new(g_str_hash, g_str_equal);
    p->all_candidates = g_array_new(FALSE, TRUE, sizeof(TgCandidateHost));
    p->rules = g_ptr_array_new_with_free_func(tg_policy_rule_free);
    return p;
}

void
tg_policy_free(TgPolicy *p)
{
    if (!p)
        return;
    g_free(p->filename);
    g_ptr_array_unref(p->rules);
    g_array_unref(p->all_candidates);
    g_hash_table_unref(p->group_index);
    g_ptr_array_unref(p->groups);
    g_ptr_array_unref(p->hosts);
    g_free(p);
}

TgMode
tg_policy_mode(const TgPolicy *p)
{
    return p ? p->mode : TG_MODE_ENFORCE;
}

bool
tg_policy_fail_open(const TgPolicy *p)
{
    return p ? p->fail_open : false;
}

TgPolicyGroup *
tg_policy_group_new(TgPolicy *p, const char *name, int line)
{
    TgPolicyGroup *g = g_new0(TgPolicyGroup, 1);

    g->name = g_strdup(name);
    g->line = line;
    g->hosts = g_ptr_array_new();
    g_ptr_array_add(p->groups, g);
    g_hash_table_insert(p->group_index, g->name, g);
    return g;
}

TgPolicyGroup *
tg_policy_find_group(const TgPolicy *p, const char *name)
{
    return g_hash_table_lookup(p->group_index, name);
}

TgPolicyHost *
tg_policy_host_add(TgPolicy *p, TgPolicyGroup *group, const char *name, guint64 hz,
                   TgTri scaling)
{
    TgPolicyHost *h = g_new0(TgPolicyHost, 1);

    h->name = g_strdup(name);
    h->hz = hz;
    h->scaling = scaling;
    g_ptr_array_add(p->hosts, h);
    if (group)
        g_ptr_array_add(group->hosts, h);
    return h;
}

/* A candidate's identity for de-duplication: name, frequency, scaling. */
static guint
tg_candidate_hash(gconstpointer key)
{
    const TgCandidateHost *h = key;

    return g_str_hash(h->name) ^ g_int64_hash(&h->tsc_hz) ^ (guint)h->scaling;
}

static gboolean
tg_candidate_equal(gconstpointer a, gconstpointer b)
{
    const TgCandidateHost *x = a, *y = b;

    return strcmp(x->name, y->name) == 0 && x->tsc_hz == y->tsc_hz && x->scaling == y->scaling;
}

/* Candidates from a list of hosts, in order, dropping exact repeats (same
 * name, frequency and scaling) found through `seen` (keys borrowed from
 * `hosts`). Names are borrowed from the hosts. */
static GArray *
tg_candidates_of(const GPtrArray *hosts)
{
    GArray *arr = g_array_new(FALSE, TRUE, sizeof(TgCandidateHost));
    g_autoptr(GHashTable) seen = g_hash_table_new(tg_candidate_hash, tg_candidate_equal);
    g_autofree TgCandidateHost *keys = g_new0(TgCandidateHost, hosts->len ? hosts->len : 1);

    for (guint i = 0; i < hosts->len; i++) {
        const TgPolicyHost *h = hosts->pdata[i];

        keys[i] = (TgCandidateHost){ .name = h->name, .tsc_hz = h->hz, .scaling = h->scaling };
        if (g_hash_table_add(seen, &keys[i]))
            g_array_append_val(arr, keys[i]);
    }
    return arr;
}

void
tg_policy_resolve_candidates(TgPolicy *p)
{
    g_array_unref(p->all_candidates);
    p->all_candidates = tg_candidates_of(p->hosts);
    for (guint i = 0; i < p->rules->len; i++) {
        TgPolicyRule *r = p->rules->pdata[i];
        g_autoptr(GPtrArray) hosts = NULL;

        if (!r->from_groups)
            continue;
        hosts = g_ptr_array_new();
        for (char **q = r->from_groups; *q; q++) {
            const TgPolicyGroup *g = tg_policy_find_group(p, *q);

            for (guint k = 0; g && k < g->hosts->len; k++)
                g_ptr_array_add(hosts, g->hosts->pdata[k]);
        }
        r->candidates = tg_candidates_of(hosts);
    }
}

char *
tg_policy_normalize_uuid(const char *s)
{
    GString *o = g_string_new(NULL);

    for (; *s; s++)
        if (*s != '-')
            g_string_append_c(o, g_ascii_tolower(*s));
    return g_string_free(o, FALSE);
}

bool
tg_policy_match_is_catch_all(const TgPolicyMatch *m)
{
    return !m->glob && !m->uuid && !m->tag && !m->has_class;
}

/* ------------------------------------------------------------------ */
/* Problem collection                                                  */

void
tg_add_problem(TgLoadCtx *c, TgErrorCode code, int line, char *msg)
{
    TgPolicyProblem pr = { line, c->list->len, msg, code };

    g_array_append_val(c->list, pr);
}

static int
tg_problem_cmp(gconstpointer a, gconstpointer b)
{
    const TgPolicyProblem *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Move the collected problems, sorted by line, to `problems`; returns the
 * code of the first. */
static TgErrorCode
tg_flush_problems(TgLoadCtx *c, GPtrArray *problems)
{
    TgErrorCode first = TG_ERROR_INVALID;

    g_array_sort(c->list, tg_problem_cmp);
    for (guint i = 0; i < c->list->len; i++) {
        TgPolicyProblem *pr = &g_array_index(c->list, TgPolicyProblem, i);
        if (i == 0)
            first = pr->code;
        g_ptr_array_add(problems, pr->msg);
    }
    g_array_set_size(c->list, 0);
    return first;
}

static void
tg_problem_v(TgLoadCtx *c, TgErrorCode code, int line, const char *fmt, va_list ap)
    G_GNUC_PRINTF(4, 0);

static void
tg_problem_v(TgLoadCtx *c, TgErrorCode code, int line, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    /* One line whatever went in: a <host-directory> path (or a file name
     * in it) with a newline made a multi-line problem (found by
     * tests/fuzz/fuzz-policy). Escaped parts keep their backslashes. */
    g_autofree char *full = g_strdup_printf("%s:%d: %s", c->filename, line, msg);

    tg_add_problem(c, code, line, tg_escape(full, TG_ESCAPE_CONTROLS));
}

void
tg_problem(TgLoadCtx *c, TgErrorCode code, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tg_problem_v(c, code, line, fmt, ap);
    va_end(ap);
}

void
tg_problem_node(TgLoadCtx *c, const xmlNode *n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tg_problem_v(c, TG_ERROR_INVALID, tg_xml_line(n), fmt, ap);
    va_end(ap);
}

void
tg_problem_error(TgLoadCtx *c, const xmlNode *n, const GError *err)
{
    tg_add_problem(c, err->domain == TG_ERROR ? (TgErrorCode)err->code : TG_ERROR_INVALID,
                   tg_xml_line(n), tg_escape(err->message, TG_ESCAPE_CONTROLS));
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

TgPolicy *
tg_policy_read_xml(const char *buf, gsize len, const char *filename,
                   const TgPolicyInventoryReader *reader, GPtrArray *problems,
                   TgErrorCode *first_code)
{
    TgLoadCtx c = { .filename = filename ? filename : "<policy>", .reader = reader };
    g_autoptr(GArray) list = g_array_new(FALSE, FALSE, sizeof(TgPolicyProblem));
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(TgPolicy) p = NULL;
    g_autofree char *base_dir = NULL;
    xmlNode *root;
    TgErrorCode code;

    c.list = list;
    base_dir = filename && strcmp(filename, "-") != 0 ? g_path_get_dirname(filename)
                                                      : g_strdup(".");
    c.base_dir = base_dir;
    doc = tg_xml_parse(buf, len, c.filename, &err);
    if (!doc) {
        g_ptr_array_add(problems, g_strdup(err->message));
        if (first_code)
            *first_code = err->domain == TG_ERROR ? (TgErrorCode)err->code : TG_ERROR_PARSE;
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (!root || !tg_policy_check_root(&c, doc, root)) {
        if (!root)
            tg_problem(&c, TG_ERROR_INVALID, 1, "empty document");
        code = tg_flush_problems(&c, problems);
        if (first_code)
            *first_code = code;
        return NULL;
    }

    p = tg_policy_new(c.filename);
    tg_policy_check_structure(&c, root);
    tg_policy_read_globals(&c, p, root);
    tg_policy_read_inventory(&c, p, root);
    tg_policy_read_rules(&c, p, root);
    if (c.list->len == 0)
        tg_policy_check_schema(&c, doc);
    if (c.list->len) {
        code = tg_flush_problems(&c, problems);
        if (first_code)
            *first_code = code;
        return NULL;
    }
    tg_policy_resolve_candidates(p);
    return g_steal_pointer(&p);
}

void
tg_policy_problems_to_error(const GPtrArray *problems, TgErrorCode code, GError **error)
{
    if (problems->len > 1)
        g_set_error(error, TG_ERROR, code, "%s (and %u more problem%s; run `tscgate "
                    "policy validate`)", (const char *)problems->pdata[0],
                    problems->len - 1, problems->len == 2 ? "" : "s");
    else
        g_set_error_literal(error, TG_ERROR, code,
                            problems->len ? (const char *)problems->pdata[0]
                                          : "invalid policy");
}

TgPolicy *
tg_policy_parse_xml(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
    TgErrorCode code = TG_ERROR_INVALID;
    TgPolicy *p = tg_policy_read_xml(buf, len, filename, NULL, problems, &code);

    if (!p)
        tg_policy_problems_to_error(problems, code, error);
    return p;
}

bool
tg_policy_validate_buffer(const char *buf, gsize len, const char *filename,
                          GPtrArray **problems)
{
    GPtrArray *pr = g_ptr_array_new_with_free_func(g_free);
    TgPolicy *p = tg_policy_read_xml(buf, len, filename, NULL, pr, NULL);
    bool ok = p != NULL;

    tg_policy_free(p);
    if (problems)
        *problems = pr;
    else
        g_ptr_array_unref(pr);
    return ok;
}
