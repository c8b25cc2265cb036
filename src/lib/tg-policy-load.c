/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: reading a policy document into the model (see
 * tg-policy-priv.h): the value readers, the settings, the inventory and
 * the rules. The root, structure and schema passes are in
 * tg-policy-structure.c, the conflict rules in tg-policy-check.c.
 */
#include <config.h>

#include "tg-policy-priv.h"
#include "tg-xml.h"
#include "tg-hostfacts.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Pass 2b: values                                                     */

/* The value readers: the tg-xml layer's (one wording per problem), their
 * problems collected instead of stopping at the first. Attribute readers
 * return 1 and set *out when present and valid, 0 when absent, -1 bad. */
static int
tg_enum_attr(TgLoadCtx *c, const xmlNode *n, const char *attr, const TgEnumTable *table,
             int *out)
{
    g_autoptr(GError) err = NULL;
    int rc = tg_xml_prop_enum(n, attr, table, TG_XML_PROP_OPTIONAL, out, &err);

    if (rc < 0)
        tg_problem_error(c, n, err);
    return rc;
}

static int
tg_bool_attr(TgLoadCtx *c, const xmlNode *n, const char *attr, bool *out)
{
    g_autoptr(GError) err = NULL;
    int rc = tg_xml_prop_bool(n, attr, TG_XML_YES_NO, TG_XML_PROP_OPTIONAL, out, &err);

    if (rc < 0)
        tg_problem_error(c, n, err);
    return rc;
}

static int
tg_tri_attr(TgLoadCtx *c, const xmlNode *n, const char *attr, TgTri *out)
{
    g_autoptr(GError) err = NULL;
    int rc = tg_xml_prop_tri(n, attr, TG_XML_YES_NO, TG_XML_PROP_OPTIONAL, out, &err);

    if (rc < 0)
        tg_problem_error(c, n, err);
    return rc;
}

static int
tg_uint_attr(TgLoadCtx *c, const xmlNode *n, const char *attr, guint64 lo, guint64 hi,
             guint64 *out)
{
    g_autoptr(GError) err = NULL;
    int rc = tg_xml_prop_u64_range(n, attr, lo, hi, TG_XML_PROP_OPTIONAL, out, &err);

    if (rc < 0)
        tg_problem_error(c, n, err);
    return rc;
}

/* The text of `n` spelled as in `table`: true and *out, or false (reported). */
static bool
tg_enum_text(TgLoadCtx *c, const xmlNode *n, const TgEnumTable *table, int *out)
{
    g_autoptr(GError) err = NULL;

    if (tg_xml_text_enum(n, table, out, &err))
        return true;
    tg_problem_error(c, n, err);
    return false;
}

static bool
tg_valid_name(const char *s)
{
    gsize n = 0;

    if (!s || !*s)
        return false;
    for (; *s; s++, n++) {
        if (!g_ascii_isalnum(*s) && !strchr("_.:@+-", *s))
            return false;
    }
    return n <= 128;
}

/* Required name attribute: returns a new string or NULL (reported). */
static char *
tg_name_attr(TgLoadCtx *c, const xmlNode *n, const char *attr)
{
    g_autofree char *v = tg_xml_prop(n, attr);

    if (!v)
        return NULL;   /* reported by the structure pass */
    if (!tg_valid_name(v)) {
        g_autofree char *esc = tg_escape_untrusted(v);
        tg_problem_node(c, n, "<%s> attribute %s='%s' is not a valid name (1-128 of A-Z a-z "
                        "0-9 _ . : @ + -)", (const char *)n->name, attr, esc);
        return NULL;
    }
    return g_steal_pointer(&v);
}

/* Spellings the policy alone uses; the others come from the modules that
 * own the enumerations (tg_unknown_action_table, tg_dependence_table,
 * tg_mode_table). */
static const char *const tg_deny_warn_names[] = { "deny", "warn" };
static const TgEnumTable tg_deny_warn_table = TG_ENUM_TABLE(tg_deny_warn_names);
static const char *const tg_offline_names[] = { "detect", "gate" };
static const TgEnumTable tg_offline_table = TG_ENUM_TABLE(tg_offline_names);
static const char *const tg_unplaced_names[] = { "move", "same-host" };
static const TgEnumTable tg_unplaced_table = TG_ENUM_TABLE(tg_unplaced_names);
static const char *const tg_failure_names[] = { "fail-closed", "fail-open" };
static const TgEnumTable tg_failure_table = TG_ENUM_TABLE(tg_failure_names);

static void
tg_unknown_one(TgLoadCtx *c, const xmlNode *n, const char *attr, bool *has,
               TgUnknownAction *out)
{
    int i;

    if (tg_enum_attr(c, n, attr, &tg_unknown_action_table, &i) > 0) {
        *has = true;
        *out = (TgUnknownAction)i;
    }
}

/* Read the settings elements that may appear in <policy> and in <rule>. */
static void
tg_read_settings(TgLoadCtx *c, const xmlNode *parent, TgPolicySettings *s)
{
    const xmlNode *n;
    guint64 v;
    int i;

    if ((n = tg_xml_child(parent, TG_POLICY_NS, "tolerance"))) {
        if (tg_uint_attr(c, n, "ppm", 0, TG_MAX_PPM, &v) == 1) {
            s->has_tolerance = true;
            s->tolerance_ppm = (guint32)v;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "unknown"))) {
        tg_unknown_one(c, n, "dest-scaling", &s->has_unknown_dest_scaling,
                       &s->unknown_dest_scaling);
        tg_unknown_one(c, n, "dest-frequency", &s->has_unknown_dest_frequency,
                       &s->unknown_dest_frequency);
        tg_unknown_one(c, n, "guest-frequency", &s->has_unknown_guest_frequency,
                       &s->unknown_guest_frequency);
        tg_unknown_one(c, n, "clock-sync", &s->has_unknown_clock_sync,
                       &s->unknown_clock_sync);
        tg_unknown_one(c, n, "tsc-stability", &s->has_unknown_tsc_stability,
                       &s->unknown_tsc_stability);
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "unsynchronized-clock"))) {
        if (tg_enum_text(c, n, &tg_deny_warn_table, &i)) {
            s->has_unsync = true;
            s->deny_unsync = i == 0;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "unstable-tsc"))) {
        if (tg_enum_text(c, n, &tg_deny_warn_table, &i)) {
            s->has_unstable = true;
            s->deny_unstable = i == 0;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "offline-migration"))) {
        if (tg_enum_text(c, n, &tg_offline_table, &i)) {
            s->has_offline = true;
            s->offline_detect = i == 0;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "unplaced-restore"))) {
        if (tg_enum_text(c, n, &tg_unplaced_table, &i)) {
            s->has_unplaced = true;
            s->unplaced_same_host = i == 1;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "lineage"))) {
        int hops_state;
        bool record;

        if (tg_bool_attr(c, n, "record", &record) > 0) {
            s->has_record = true;
            s->record = record;
        }
        hops_state = tg_uint_attr(c, n, "hops", 1, TG_MAX_HOPS, &v);
        if (hops_state == 1) {
            s->has_hops = true;
            s->hops = (guint)v;
        }
        tg_check_lineage_hops(c, s, hops_state, n);
    }
}

void
tg_policy_read_globals(TgLoadCtx *c, TgPolicy *p, const xmlNode *root)
{
    const xmlNode *n;
    int i;

    if ((n = tg_xml_child(root, TG_POLICY_NS, "mode"))) {
        if (tg_enum_text(c, n, &tg_mode_table, &i))
            p->mode = (TgMode)i;
    }
    if ((n = tg_xml_child(root, TG_POLICY_NS, "failure"))) {
        if (tg_enum_text(c, n, &tg_failure_table, &i))
            p->fail_open = i == 1;
    }
    tg_read_settings(c, root, &p->global);
}

/* --- inventory --- */

struct _TgPolicyDirectory {
    TgLoadCtx *c;
    TgPolicy *p;
    TgPolicyGroup *group;   /* nullable: a <host-directory> outside any group */
    int line;
};

void
tg_policy_directory_add_host(TgPolicyDirectory *dir, const char *name, guint64 tsc_hz,
                             TgTri scaling)
{
    tg_policy_host_add(dir->p, dir->group, name, tsc_hz, scaling);
}

void
tg_policy_directory_add_facts(TgPolicyDirectory *dir, const char *file_name,
                              const char *path, const char *buf, gsize len)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(TgHostFacts) facts = tg_host_facts_parse_xml(buf, len, path, &err);
    g_autofree char *base = NULL;
    const char *hname;

    if (!facts) {
        tg_problem(dir->c, TG_ERROR_INVALID, dir->line,
                   "<host-directory>: bad host facts file %s", err->message);
        return;
    }
    base = g_str_has_suffix(file_name, ".xml") ? g_strndup(file_name, strlen(file_name) - 4)
                                                : g_strdup(file_name);
    hname = (facts->hostname.note.known && facts->hostname.value && *facts->hostname.value)
                ? facts->hostname.value : base;
    tg_policy_directory_add_host(dir, hname, facts->tsc_hz.note.known ? facts->tsc_hz.value : 0,
                                 tg_bool_fact_tri(&facts->tsc_scaling));
}

void
tg_policy_directory_problem(TgPolicyDirectory *dir, const char *msg)
{
    tg_problem(dir->c, TG_ERROR_INVALID, dir->line, "%s", msg);
}

/* A <host-directory>: resolve its path and hand it to the reader. */
static void
tg_read_host_directory(TgLoadCtx *c, TgPolicy *p, const xmlNode *n, TgPolicyGroup *group)
{
    g_autofree char *path = tg_xml_prop(n, "path");
    g_autofree char *full = NULL;
    TgPolicyDirectory dir = { c, p, group, tg_xml_line(n) };

    if (!path)
        return;   /* reported by the structure pass */
    if (!*path) {
        tg_problem_node(c, n, "<host-directory> path is empty");
        return;
    }
    full = g_path_is_absolute(path) || strcmp(c->base_dir, ".") == 0
               ? g_strdup(path) : g_build_filename(c->base_dir, path, NULL);
    if (!c->reader) {
        tg_problem_node(c, n, "<host-directory> '%s': inventory directories are not read "
                        "for a policy parsed from memory", full);
        return;
    }
    c->reader->read_directory(full, &dir, c->reader->user_data);
}

/* A <host> of a <host-group>. */
static void
tg_read_group_host(TgLoadCtx *c, TgPolicy *p, TgPolicyGroup *g, GHashTable *hostnames,
                   const xmlNode *h)
{
    g_autofree char *hname = tg_name_attr(c, h, "name");
    guint64 hz = 0;
    TgTri scaling = TG_TRI_UNKNOWN;
    bool ok = hname != NULL;

    if (tg_uint_attr(c, h, "frequency", 1, G_MAXUINT64, &hz) < 0)
        ok = false;
    if (tg_tri_attr(c, h, "scaling", &scaling) < 0)
        ok = false;
    if (hname && !tg_check_duplicate_group_host(c, hostnames, g, h, hname))
        ok = false;
    if (ok)
        tg_policy_host_add(p, g, hname, hz, scaling);
}

static void
tg_read_host_group(TgLoadCtx *c, TgPolicy *p, const xmlNode *n)
{
    g_autofree char *gname = tg_name_attr(c, n, "name");
    g_autoptr(GHashTable) hostnames = NULL;
    TgPolicyGroup *g;

    if (!gname || !tg_check_duplicate_group(c, p, n, gname))
        return;
    g = tg_policy_group_new(p, gname, tg_xml_line(n));
    hostnames = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (const xmlNode *h = n->children; h; h = h->next) {
        if (tg_xml_is(h, TG_POLICY_NS, "host-directory"))
            tg_read_host_directory(c, p, h, g);
        else if (tg_xml_is(h, TG_POLICY_NS, "host"))
            tg_read_group_host(c, p, g, hostnames, h);
    }
}

void
tg_policy_read_inventory(TgLoadCtx *c, TgPolicy *p, const xmlNode *root)
{
    const xmlNode *inv = tg_xml_child(root, TG_POLICY_NS, "inventory");

    if (!inv)
        return;
    for (const xmlNode *n = inv->children; n; n = n->next) {
        if (tg_xml_is(n, TG_POLICY_NS, "host-directory"))
            tg_read_host_directory(c, p, n, NULL);
        else if (tg_xml_is(n, TG_POLICY_NS, "host-group"))
            tg_read_host_group(c, p, n);
    }
}

/* --- rules --- */

static bool
tg_uuid_ok(const char *s)
{
    gsize n = strlen(s);

    if (n == 32) {
        for (gsize i = 0; i < n; i++)
            if (!g_ascii_isxdigit(s[i]))
                return false;
        return true;
    }
    if (n != 36)
        return false;
    for (gsize i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !g_ascii_isxdigit(s[i]))
            return false;
    }
    return true;
}

static TgPolicyMatch *
tg_read_match(TgLoadCtx *c, const xmlNode *n)
{
    TgPolicyMatch *m = g_new0(TgPolicyMatch, 1);
    g_autofree char *uuid = tg_xml_prop(n, "uuid");
    int i;

    m->line = tg_xml_line(n);
    m->glob = tg_xml_prop(n, "name");
    m->tag = tg_xml_prop(n, "tag");
    if (m->glob && !*m->glob)
        tg_problem_node(c, n, "<match> name is empty");
    if (m->tag && !*m->tag)
        tg_problem_node(c, n, "<match> tag is empty");
    if (uuid) {
        if (!tg_uuid_ok(uuid)) {
            g_autofree char *esc = tg_escape_untrusted(uuid);
            tg_problem_node(c, n, "<match> attribute uuid='%s' is not a UUID", esc);
        } else {
            m->uuid = tg_policy_normalize_uuid(uuid);
            m->uuid_text = g_steal_pointer(&uuid);
        }
    }
    if (tg_enum_attr(c, n, "class", &tg_dependence_table, &i) > 0) {
        m->has_class = true;
        m->cls = (TgDependence)i;
    }
    return m;
}

/* A <deny> reason is one line: whitespace runs are folded. */
static char *
tg_read_deny_message(const xmlNode *x)
{
    g_autofree char *msg = tg_xml_text(x);
    g_auto(GStrv) parts = NULL;
    GString *o;

    if (!msg || !*msg)
        return NULL;
    if (!strchr(msg, '\n') && !strchr(msg, '\r'))
        return g_steal_pointer(&msg);
    parts = g_strsplit_set(msg, " \t\r\n", -1);
    o = g_string_new(NULL);
    for (char **q = parts; *q; q++) {
        if (!**q)
            continue;
        if (o->len)
            g_string_append_c(o, ' ');
        g_string_append(o, *q);
    }
    return g_string_free(o, FALSE);
}

/* The outcome elements of a rule: <deny>, <require-scaling>,
 * <allow-with-warning>, <treat-as> and the settings. */
static void
tg_read_outcome(TgLoadCtx *c, TgPolicyRule *r, const xmlNode *n)
{
    const xmlNode *x;
    int i;

    if ((x = tg_xml_child(n, TG_POLICY_NS, "deny"))) {
        r->force_deny = true;
        r->deny_message = tg_read_deny_message(x);
    }
    if (tg_xml_child(n, TG_POLICY_NS, "require-scaling"))
        r->require_scaling = true;
    if (tg_xml_child(n, TG_POLICY_NS, "allow-with-warning"))
        r->force_warn = true;
    if ((x = tg_xml_child(n, TG_POLICY_NS, "treat-as"))) {
        /* tg_dependence_table's spellings of the two classes a rule may
         * assign, at their TgDependence values */
        const char *names[TG_DEP_PARAVIRT + 1] = { NULL };
        const TgEnumTable treat_as = { names, G_N_ELEMENTS(names) };

        names[TG_DEP_TSC_SENSITIVE] = tg_dependence_to_string(TG_DEP_TSC_SENSITIVE);
        names[TG_DEP_PARAVIRT] = tg_dependence_to_string(TG_DEP_PARAVIRT);
        if (tg_enum_text(c, x, &treat_as, &i)) {
            r->has_treat_as = true;
            r->treat_as = (TgDependence)i;
        }
    }
    tg_read_settings(c, n, &r->s);
}

/* <from-host-groups>: the group names, checked against <inventory>; the
 * candidates are resolved once the inventory is complete. */
static void
tg_read_from_groups(TgLoadCtx *c, const TgPolicy *p, TgPolicyRule *r, const xmlNode *x)
{
    g_autofree char *txt = tg_xml_text(x);
    g_auto(GStrv) parts = g_strsplit_set(txt ? txt : "", " \t\r\n", -1);
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (char **q = parts; *q; q++) {
        if (!**q || !tg_check_group_named_twice(c, seen, x, *q))
            continue;
        g_ptr_array_add(list, g_strdup(*q));
        tg_check_group_defined(c, p, r, x, *q);
    }
    tg_check_groups_named(c, list->len, x);
    g_ptr_array_add(list, NULL);
    r->from_groups = (char **)g_ptr_array_free(g_steal_pointer(&list), FALSE);
}

/* One <rule>, its checks in document order. `catch_all` is the first
 * earlier rule that matches every guest (NULL when none). */
static TgPolicyRule *
tg_read_rule(TgLoadCtx *c, TgPolicy *p, GHashTable *names, const TgPolicyRule *catch_all,
             const xmlNode *n)
{
    TgPolicyRule *r = g_new0(TgPolicyRule, 1);
    const xmlNode *x;

    r->line = tg_xml_line(n);
    r->matches = g_ptr_array_new_with_free_func(tg_policy_match_free);
    r->name = tg_name_attr(c, n, "name");
    if (!r->name)
        r->name = g_strdup_printf("(line %d)", r->line);
    else
        tg_check_duplicate_rule(c, names, r, n);
    g_ptr_array_add(p->rules, r);

    for (x = n->children; x; x = x->next)
        if (tg_xml_is(x, TG_POLICY_NS, "match"))
            g_ptr_array_add(r->matches, tg_read_match(c, x));
    tg_check_reachable(c, catch_all, r, n);
    tg_read_outcome(c, r, n);
    tg_check_deny_and_warn(c, r, n);
    tg_check_deny_and_require_scaling(c, r, n);
    tg_check_treat_as_class(c, r);
    if ((x = tg_xml_child(n, TG_POLICY_NS, "from-host-groups")))
        tg_read_from_groups(c, p, r, x);
    return r;
}

void
tg_policy_read_rules(TgLoadCtx *c, TgPolicy *p, const xmlNode *root)
{
    const TgPolicyRule *catch_all = NULL;
    /* name -> first TgPolicyRule* of that name */
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);

    for (const xmlNode *n = root->children; n; n = n->next) {
        const TgPolicyRule *r;

        if (!tg_xml_is(n, TG_POLICY_NS, "rule"))
            continue;
        r = tg_read_rule(c, p, names, catch_all, n);
        for (guint k = 0; k < r->matches->len && !catch_all; k++)
            if (tg_policy_match_is_catch_all(r->matches->pdata[k]))
                catch_all = r;
    }
}

