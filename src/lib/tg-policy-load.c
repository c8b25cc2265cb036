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

/* An enumeration as the policy spells it: `n` values, named by `name`. */
typedef struct {
    const char *(*name)(int v);
    int n;
} TgEnumSpec;

/* Parse an enumerated value; reports and returns -1 when not one of the
 * names in `e`. */
static int
tg_enum_value(TgLoadCtx *c, const xmlNode *n, const char *what, const char *value,
              const TgEnumSpec *e)
{
    g_autoptr(GString) allowed = g_string_new(NULL);
    g_autofree char *esc = NULL;

    for (int i = 0; i < e->n; i++)
        if (value && strcmp(value, e->name(i)) == 0)
            return i;
    for (int i = 0; i < e->n; i++)
        g_string_append_printf(allowed, "%s%s", i ? ", " : "", e->name(i));
    esc = tg_escape_untrusted(value ? value : "");
    tg_problem_node(c, n, "%s'%s' is not one of: %s", what, esc, allowed->str);
    return -1;
}

/* Attribute `attr` of `n`: its value's index, -2 when absent, -1 bad. */
static int
tg_enum_attr(TgLoadCtx *c, const xmlNode *n, const char *attr, const TgEnumSpec *e)
{
    g_autofree char *v = tg_xml_prop(n, attr);
    g_autofree char *what = NULL;

    if (!v)
        return -2;
    what = g_strdup_printf("<%s> %s=", (const char *)n->name, attr);
    return tg_enum_value(c, n, what, v, e);
}

/* The text of `n`: its value's index, -1 bad. */
static int
tg_enum_text(TgLoadCtx *c, const xmlNode *n, const TgEnumSpec *e)
{
    g_autofree char *v = tg_xml_text(n);
    g_autofree char *what = g_strdup_printf("<%s> ", (const char *)n->name);

    return tg_enum_value(c, n, what, v, e);
}

/* Unsigned decimal attribute in [lo, hi]. Returns 1 set, 0 absent, -1 bad. */
static int
tg_uint_attr(TgLoadCtx *c, const xmlNode *n, const char *attr, guint64 lo, guint64 hi,
             const char *unit, guint64 *out)
{
    g_autofree char *v = tg_xml_prop(n, attr);
    g_autofree char *esc = NULL;
    const char *name = (const char *)n->name;
    guint64 x;

    if (!v)
        return 0;
    esc = tg_escape_untrusted(v);
    if (v[0] == '-') {
        tg_problem_node(c, n, "<%s> %s='%s' must not be negative", name, attr, esc);
        return -1;
    }
    if (!tg_parse_u64(v, &x)) {
        bool digits = *v != '\0';
        for (const char *q = v; *q; q++)
            if (!g_ascii_isdigit(*q))
                digits = false;
        if (digits)
            tg_problem_node(c, n, "<%s> %s='%s' is out of range (at most %" G_GUINT64_FORMAT
                            "%s)", name, attr, esc, hi, unit);
        else
            tg_problem_node(c, n, "<%s> %s='%s' is not an unsigned integer%s%s", name, attr,
                            esc, *unit ? " in" : "", unit);
        return -1;
    }
    if (x < lo || x > hi) {
        tg_problem_node(c, n, "<%s> %s='%s' is out of range (%" G_GUINT64_FORMAT "..%"
                        G_GUINT64_FORMAT "%s)", name, attr, esc, lo, hi, unit);
        return -1;
    }
    *out = x;
    return 1;
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
        tg_problem_node(c, n, "<%s> %s='%s' is not a valid name (1-128 of A-Z a-z 0-9 "
                        "_ . : @ + -)", (const char *)n->name, attr, esc);
        return NULL;
    }
    return g_steal_pointer(&v);
}

/* The names come from the modules that own the enumerations
 * (tg_unknown_action_to_string, tg_dependence_to_string, tg_mode_to_string). */
static const char *
tg_unknown_name(int v)
{
    return tg_unknown_action_to_string((TgUnknownAction)v);
}

static const char *
tg_class_name(int v)
{
    return tg_dependence_to_string((TgDependence)v);
}

static const char *
tg_mode_name(int v)
{
    return tg_mode_to_string((TgMode)v);
}

static const char *
tg_yes_no_name(int v)
{
    return v == 0 ? "yes" : "no";
}

static const char *
tg_deny_warn_name(int v)
{
    return v == 0 ? "deny" : "warn";
}

static const char *
tg_failure_name(int v)
{
    return v == 0 ? "fail-closed" : "fail-open";
}

/* <treat-as>: the two classes a rule may assign. */
static const TgDependence tg_treat_as_values[] = { TG_DEP_TSC_SENSITIVE, TG_DEP_PARAVIRT };

static const char *
tg_treat_as_name(int v)
{
    return tg_dependence_to_string(tg_treat_as_values[v]);
}

static const TgEnumSpec tg_unknown_enum = { tg_unknown_name, TG_UNKNOWN_ALLOW + 1 };
static const TgEnumSpec tg_class_enum = { tg_class_name, TG_DEP_PARAVIRT + 1 };
static const TgEnumSpec tg_mode_enum = { tg_mode_name, TG_MODE_AUDIT + 1 };
static const TgEnumSpec tg_yes_no = { tg_yes_no_name, 2 };
static const TgEnumSpec tg_deny_warn = { tg_deny_warn_name, 2 };
static const TgEnumSpec tg_failure_enum = { tg_failure_name, 2 };
static const TgEnumSpec tg_treat_as_enum = { tg_treat_as_name, G_N_ELEMENTS(tg_treat_as_values) };

static void
tg_unknown_one(TgLoadCtx *c, const xmlNode *n, const char *attr, bool *has,
               TgUnknownAction *out)
{
    int i = tg_enum_attr(c, n, attr, &tg_unknown_enum);

    if (i >= 0) {
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
        if (tg_uint_attr(c, n, "ppm", 0, TG_MAX_PPM, " ppm", &v) == 1) {
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
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "unsynchronized-clock"))) {
        if ((i = tg_enum_text(c, n, &tg_deny_warn)) >= 0) {
            s->has_unsync = true;
            s->deny_unsync = i == 0;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "unstable-tsc"))) {
        if ((i = tg_enum_text(c, n, &tg_deny_warn)) >= 0) {
            s->has_unstable = true;
            s->deny_unstable = i == 0;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "lineage"))) {
        int hops_state;

        if ((i = tg_enum_attr(c, n, "record", &tg_yes_no)) >= 0) {
            s->has_record = true;
            s->record = i == 0;
        }
        hops_state = tg_uint_attr(c, n, "hops", 1, TG_MAX_HOPS, " hops", &v);
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
        if ((i = tg_enum_text(c, n, &tg_mode_enum)) >= 0)
            p->mode = (TgMode)i;
    }
    if ((n = tg_xml_child(root, TG_POLICY_NS, "failure"))) {
        if ((i = tg_enum_text(c, n, &tg_failure_enum)) >= 0)
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
    int sc;
    TgTri scaling = TG_TRI_UNKNOWN;
    bool ok = hname != NULL;

    if (tg_uint_attr(c, h, "frequency", 1, G_MAXUINT64, " Hz", &hz) < 0)
        ok = false;
    sc = tg_enum_attr(c, h, "scaling", &tg_yes_no);
    if (sc == -1)
        ok = false;
    else if (sc >= 0)
        scaling = sc == 0 ? TG_TRI_YES : TG_TRI_NO;
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
            tg_problem_node(c, n, "<match> uuid='%s' is not a UUID", esc);
        } else {
            m->uuid = tg_policy_normalize_uuid(uuid);
            m->uuid_text = g_steal_pointer(&uuid);
        }
    }
    if ((i = tg_enum_attr(c, n, "class", &tg_class_enum)) >= 0) {
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
        if ((i = tg_enum_text(c, x, &tg_treat_as_enum)) >= 0) {
            r->has_treat_as = true;
            r->treat_as = tg_treat_as_values[i];
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

