/* tscgate: the cluster admin's policy file (see tg-policy.h and
 * doc/tscgate-policy.5).
 *
 * Loading runs three passes over the document tg_xml_parse() returns:
 *  1. root and version (a newer major version is refused before anything
 *     else, so an old tscgate says so instead of listing schema errors);
 *  2. structure and values, with one precise "FILE:LINE: ..." message per
 *     problem (unknown element or attribute, bad number, duplicate names,
 *     conflicting settings, unreadable host directories);
 *  3. the embedded RelaxNG schema (xml/policy.rng), run when pass 2 found
 *     nothing: libxml2's messages for the same mistakes are vaguer
 *     ("Invalid sequence in interleave") and would only repeat them. The
 *     schema stays the authority: a document it refuses is refused.
 * Selection is first-match: rules are tried in file order, the first rule
 * with a matching <match> applies.
 */
#include <config.h>

#include "tg-policy.h"
#include "tg-xml.h"
#include "tg-file.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#define TG_MAX_PPM 1000000u
#define TG_MAX_HOPS 1000u

/* ------------------------------------------------------------------ */
/* Data model                                                          */

typedef struct {
    bool has_tolerance;
    guint32 tolerance_ppm;
    bool has_unknown_dest_scaling, has_unknown_dest_frequency, has_unknown_guest_frequency;
    TgUnknownAction unknown_dest_scaling, unknown_dest_frequency, unknown_guest_frequency;
    bool has_unsync;
    bool deny_unsync;
    bool has_unstable;
    bool deny_unstable;
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
    GArray *all_candidates; /* TgCandidateHost, names borrowed from hosts */
    GPtrArray *rules;       /* TgPolicyRule*, file order */
    GPtrArray *inventory_paths; /* char*: <host-directory> dirs and the files read */
};

const char *
tg_mode_to_string(TgMode m)
{
    return m == TG_MODE_AUDIT ? "audit" : "enforce";
}

static void
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

static void
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

static TgPolicy *
tg_policy_new(const char *filename)
{
    TgPolicy *p = g_new0(TgPolicy, 1);

    p->filename = g_strdup(filename);
    p->mode = TG_MODE_ENFORCE;
    p->fail_open = false;
    p->hosts = g_ptr_array_new_with_free_func(tg_policy_host_free);
    p->groups = g_ptr_array_new_with_free_func(tg_policy_group_free);
    p->all_candidates = g_array_new(FALSE, TRUE, sizeof(TgCandidateHost));
    p->rules = g_ptr_array_new_with_free_func(tg_policy_rule_free);
    p->inventory_paths = g_ptr_array_new_with_free_func(g_free);
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
    g_ptr_array_unref(p->groups);
    g_ptr_array_unref(p->hosts);
    g_ptr_array_unref(p->inventory_paths);
    g_free(p);
}

const GPtrArray *
tg_policy_inventory_paths(const TgPolicy *p)
{
    return p->inventory_paths;
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

/* ------------------------------------------------------------------ */
/* Problem collection                                                  */

typedef struct {
    const char *filename;
    GPtrArray *problems;     /* char*, sorted by line at the end */
    GArray *list;            /* TgProblem, while checking */
    TgErrorCode first_code;
    char *base_dir;          /* for relative <host-directory> paths */
} TgLoadCtx;

typedef struct {
    int line;
    guint seq;
    char *msg;
    TgErrorCode code;
} TgProblem;

/* Record a problem (takes `msg`). Problems are reported sorted by line. */
static void
tg_add_problem(TgLoadCtx *c, TgErrorCode code, int line, char *msg)
{
    TgProblem pr = { line, c->list->len, msg, code };

    g_array_append_val(c->list, pr);
}

static int
tg_problem_cmp(gconstpointer a, gconstpointer b)
{
    const TgProblem *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Move the collected problems, sorted by line, to c->problems. */
static void
tg_flush_problems(TgLoadCtx *c)
{
    g_array_sort(c->list, tg_problem_cmp);
    for (guint i = 0; i < c->list->len; i++) {
        TgProblem *pr = &g_array_index(c->list, TgProblem, i);
        if (c->problems->len == 0)
            c->first_code = pr->code;
        g_ptr_array_add(c->problems, pr->msg);
    }
    g_array_set_size(c->list, 0);
}

static void tg_problem(TgLoadCtx *c, TgErrorCode code, int line, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
tg_problem(TgLoadCtx *c, TgErrorCode code, int line, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autofree char *full = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* One line whatever went in: a <host-directory> path (or a file name
     * in it) with a newline made a multi-line problem (found by
     * tests/fuzz/fuzz-policy). Escaped parts keep their backslashes. */
    full = g_strdup_printf("%s:%d: %s", c->filename, line, msg);
    tg_add_problem(c, code, line, tg_escape(full, TG_ESCAPE_CONTROLS));
}

static void
tg_problem_node(TgLoadCtx *c, const xmlNode *n, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
tg_problem_node(TgLoadCtx *c, const xmlNode *n, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    tg_problem(c, TG_ERROR_INVALID, tg_xml_line(n), "%s", msg);
}

/* ------------------------------------------------------------------ */
/* Pass 2a: structure (elements, attributes, order, text)              */

typedef struct {
    const char *name;
    const char *const *attrs;     /* allowed attributes (no namespace) */
    const char *const *required;  /* required attributes */
    const char *const *children;  /* allowed child elements */
    const char *const *repeat;    /* children that may appear more than once */
    bool text;                    /* character data allowed */
} TgElemSpec;

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static const TgElemSpec tg_elem_specs[] = {
    { "policy", L("version"), L("version"),
      L("mode", "failure", "tolerance", "unknown", "unsynchronized-clock",
        "unstable-tsc", "lineage", "inventory", "rule"),
      L("rule"), false },
    { "mode", NONE, NONE, NONE, NONE, true },
    { "failure", NONE, NONE, NONE, NONE, true },
    { "tolerance", L("ppm"), L("ppm"), NONE, NONE, false },
    { "unknown", L("dest-scaling", "dest-frequency", "guest-frequency"), NONE, NONE, NONE, false },
    { "unsynchronized-clock", NONE, NONE, NONE, NONE, true },
    { "unstable-tsc", NONE, NONE, NONE, NONE, true },
    { "lineage", L("record", "hops"), NONE, NONE, NONE, false },
    { "inventory", NONE, NONE, L("host-group", "host-directory"),
      L("host-group", "host-directory"), false },
    { "host-group", L("name"), L("name"), L("host", "host-directory"),
      L("host", "host-directory"), false },
    { "host", L("name", "frequency", "scaling"), L("name"), NONE, NONE, false },
    { "host-directory", L("path"), L("path"), NONE, NONE, false },
    { "rule", L("name"), L("name"),
      L("match", "deny", "require-scaling", "allow-with-warning", "treat-as",
        "tolerance", "unknown", "unsynchronized-clock", "unstable-tsc", "lineage",
        "from-host-groups"),
      L("match"), false },
    { "match", L("name", "uuid", "tag", "class"), NONE, NONE, NONE, false },
    { "deny", NONE, NONE, NONE, NONE, true },
    { "require-scaling", NONE, NONE, NONE, NONE, false },
    { "allow-with-warning", NONE, NONE, NONE, NONE, false },
    { "treat-as", NONE, NONE, NONE, NONE, true },
    { "from-host-groups", NONE, NONE, NONE, NONE, true },
};

static bool
tg_in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

static const TgElemSpec *
tg_spec_for(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(tg_elem_specs); i++)
        if (strcmp(tg_elem_specs[i].name, name) == 0)
            return &tg_elem_specs[i];
    return NULL;
}

static bool
tg_is_policy_elem(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, TG_POLICY_NS) == 0;
}

static bool
tg_is_blank(const xmlChar *s)
{
    for (; s && *s; s++)
        if (!g_ascii_isspace(*s))
            return false;
    return true;
}

static void
tg_check_structure(TgLoadCtx *c, const xmlNode *node, const TgElemSpec *spec)
{
    const char *name = (const char *)node->name;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    int first_rule_line = 0;      /* policy: rules come last */
    int first_outcome_line = 0;   /* rule: <match> elements come first */

    for (const xmlAttr *a = node->properties; a; a = a->next) {
        const char *an = (const char *)a->name;

        if (a->ns) {
            tg_problem_node(c, node, "unknown attribute '%s:%s' on <%s>",
                            a->ns->prefix ? (const char *)a->ns->prefix : "?", an, name);
        } else if (!tg_in_list(spec->attrs, an)) {
            if (spec->attrs[0]) {
                g_autofree char *allowed = g_strjoinv(", ", (char **)spec->attrs);
                tg_problem_node(c, node, "unknown attribute '%s' on <%s> (allowed: %s)",
                                an, name, allowed);
            } else {
                tg_problem_node(c, node, "unknown attribute '%s' on <%s> (it takes none)",
                                an, name);
            }
        }
    }
    for (const char *const *r = spec->required; *r; r++)
        if (!xmlHasProp(node, (const xmlChar *)*r))
            tg_problem_node(c, node, "<%s> lacks the required attribute '%s'", name, *r);

    for (const xmlNode *ch = node->children; ch; ch = ch->next) {
        if (ch->type == XML_TEXT_NODE || ch->type == XML_CDATA_SECTION_NODE) {
            if (!spec->text && !tg_is_blank(ch->content))
                tg_problem_node(c, ch, "unexpected text in <%s>", name);
            continue;
        }
        if (ch->type != XML_ELEMENT_NODE)
            continue;   /* comments, processing instructions */
        const char *cn = (const char *)ch->name;
        if (!tg_is_policy_elem(ch)) {
            tg_problem_node(c, ch, "unknown element <%s>%s%s%s in <%s>", cn,
                            ch->ns ? " (namespace '" : " (no namespace",
                            ch->ns ? (const char *)ch->ns->href : "",
                            ch->ns ? "')" : ")", name);
            continue;
        }
        if (!tg_in_list(spec->children, cn)) {
            if (spec->children[0])
                tg_problem_node(c, ch, "unknown element <%s> in <%s>", cn, name);
            else
                tg_problem_node(c, ch, "unknown element <%s> in <%s> (it takes no elements)",
                                cn, name);
            continue;
        }
        if (!tg_in_list(spec->repeat, cn)) {
            gpointer prev = g_hash_table_lookup(seen, cn);
            if (prev)
                tg_problem_node(c, ch, "<%s> given twice in <%s> (first at line %d)",
                                cn, name, GPOINTER_TO_INT(prev));
            else
                g_hash_table_insert(seen, (gpointer)cn, GINT_TO_POINTER(tg_xml_line(ch)));
        }
        if (strcmp(name, "policy") == 0) {
            if (strcmp(cn, "rule") == 0) {
                if (!first_rule_line)
                    first_rule_line = tg_xml_line(ch);
            } else if (first_rule_line) {
                tg_problem_node(c, ch, "<%s> must come before the first <rule> (line %d)",
                                cn, first_rule_line);
            }
        } else if (strcmp(name, "rule") == 0) {
            if (strcmp(cn, "match") != 0) {
                if (!first_outcome_line)
                    first_outcome_line = tg_xml_line(ch);
            } else if (first_outcome_line) {
                tg_problem_node(c, ch, "<match> must come before the rule's other "
                                "elements (line %d)", first_outcome_line);
            }
        }
        tg_check_structure(c, ch, tg_spec_for(cn));
    }
    if (strcmp(name, "rule") == 0 && !tg_xml_child(node, TG_POLICY_NS, "match"))
        tg_problem_node(c, node, "<rule> needs at least one <match> (an empty <match/> "
                        "matches every guest)");
    if ((strcmp(name, "inventory") == 0 || strcmp(name, "host-group") == 0) &&
        g_hash_table_size(seen) == 0) {
        bool any = false;
        for (const xmlNode *ch = node->children; ch; ch = ch->next)
            if (ch->type == XML_ELEMENT_NODE)
                any = true;
        if (!any)
            tg_problem_node(c, node, "<%s> is empty", name);
    }
}

/* ------------------------------------------------------------------ */
/* Pass 2b: values                                                     */

static char *
tg_text_of(const xmlNode *n)
{
    return tg_xml_text(n);
}

/* Parse an enumerated value; reports and returns -1 when not in `names`. */
static int
tg_enum_value(TgLoadCtx *c, const xmlNode *n, const char *what, const char *value,
              const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (value && strcmp(value, names[i]) == 0)
            return i;
    g_autofree char *allowed = g_strjoinv(", ", (char **)names);
    g_autofree char *esc = tg_escape_untrusted(value ? value : "");
    tg_problem_node(c, n, "%s'%s' is not one of: %s", what, esc, allowed);
    return -1;
}

static int
tg_enum_attr(TgLoadCtx *c, const xmlNode *n, const char *attr, const char *const *names)
{
    g_autofree char *v = tg_xml_prop(n, attr);
    g_autofree char *what = NULL;

    if (!v)
        return -2;
    what = g_strdup_printf("<%s> %s=", (const char *)n->name, attr);
    return tg_enum_value(c, n, what, v, names);
}

static int
tg_enum_text(TgLoadCtx *c, const xmlNode *n, const char *const *names)
{
    g_autofree char *v = tg_text_of(n);
    g_autofree char *what = g_strdup_printf("<%s> ", (const char *)n->name);

    return tg_enum_value(c, n, what, v, names);
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

static const char *const tg_unknown_names[] = { "deny", "warn", "allow", NULL };
static const char *const tg_deny_warn[] = { "deny", "warn", NULL };
static const char *const tg_yes_no[] = { "yes", "no", NULL };
static const char *const tg_class_names[] = {
    "explicit-frequency", "reenlightenment", "tsc-sensitive", "paravirt-clock", NULL
};
static const TgDependence tg_class_values[] = {
    TG_DEP_EXPLICIT_FREQUENCY, TG_DEP_REENLIGHTENMENT, TG_DEP_TSC_SENSITIVE, TG_DEP_PARAVIRT
};

static void
tg_unknown_one(TgLoadCtx *c, const xmlNode *n, const char *attr, bool *has,
               TgUnknownAction *out)
{
    static const TgUnknownAction vals[] = { TG_UNKNOWN_DENY, TG_UNKNOWN_WARN, TG_UNKNOWN_ALLOW };
    int i = tg_enum_attr(c, n, attr, tg_unknown_names);

    if (i >= 0) {
        *has = true;
        *out = vals[i];
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
        if ((i = tg_enum_text(c, n, tg_deny_warn)) >= 0) {
            s->has_unsync = true;
            s->deny_unsync = i == 0;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "unstable-tsc"))) {
        if ((i = tg_enum_text(c, n, tg_deny_warn)) >= 0) {
            s->has_unstable = true;
            s->deny_unstable = i == 0;
        }
    }
    if ((n = tg_xml_child(parent, TG_POLICY_NS, "lineage"))) {
        int hops_state;

        if ((i = tg_enum_attr(c, n, "record", tg_yes_no)) >= 0) {
            s->has_record = true;
            s->record = i == 0;
        }
        hops_state = tg_uint_attr(c, n, "hops", 1, TG_MAX_HOPS, " hops", &v);
        if (hops_state == 1) {
            s->has_hops = true;
            s->hops = (guint)v;
        }
        if (s->has_record && !s->record && hops_state != 0)
            tg_problem_node(c, n, "conflicting settings: <lineage> hops has no effect "
                            "with record='no'");
    }
}

static void
tg_read_globals(TgLoadCtx *c, TgPolicy *p, const xmlNode *root)
{
    const xmlNode *n;
    int i;

    if ((n = tg_xml_child(root, TG_POLICY_NS, "mode"))) {
        static const char *const names[] = { "enforce", "audit", NULL };
        if ((i = tg_enum_text(c, n, names)) >= 0)
            p->mode = i == 1 ? TG_MODE_AUDIT : TG_MODE_ENFORCE;
    }
    if ((n = tg_xml_child(root, TG_POLICY_NS, "failure"))) {
        static const char *const names[] = { "fail-closed", "fail-open", NULL };
        if ((i = tg_enum_text(c, n, names)) >= 0)
            p->fail_open = i == 1;
    }
    tg_read_settings(c, root, &p->global);
}

/* --- inventory --- */

static TgPolicyHost *
tg_add_host(TgPolicy *p, const char *name, guint64 hz, TgTri scaling)
{
    TgPolicyHost *h = g_new0(TgPolicyHost, 1);

    h->name = g_strdup(name);
    h->hz = hz;
    h->scaling = scaling;
    g_ptr_array_add(p->hosts, h);
    return h;
}

static int
tg_str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read one directory of `tscgate probe` outputs: every regular file whose
 * name ends in ".xml", in name order. The host is named by its hostname fact,
 * else by the file name without ".xml". Any unreadable file is an error: an
 * incomplete inventory could wrongly allow a guest. */
static void
tg_read_host_directory(TgLoadCtx *c, TgPolicy *p, const xmlNode *n, TgPolicyGroup *group)
{
    g_autofree char *path = tg_xml_prop(n, "path");
    g_autofree char *full = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    if (!path)
        return;
    if (!*path) {
        tg_problem_node(c, n, "<host-directory> path is empty");
        return;
    }
    full = g_path_is_absolute(path) || strcmp(c->base_dir, ".") == 0
               ? g_strdup(path) : g_build_filename(c->base_dir, path, NULL);
    dir = g_dir_open(full, 0, &err);
    if (!dir) {
        /* g_dir_open's message uses typographic quotes: name errno plainly */
        DIR *d2 = opendir(full);
        int e = d2 ? 0 : errno;

        if (d2)
            closedir(d2);
        tg_problem_node(c, n, "<host-directory> '%s': %s", full,
                        e ? g_strerror(e) : err->message);
        return;
    }
    g_ptr_array_add(p->inventory_paths, g_strdup(full));
    while ((ent = g_dir_read_name(dir)))
        if (g_str_has_suffix(ent, ".xml") && ent[0] != '.')
            g_ptr_array_add(names, g_strdup(ent));
    g_ptr_array_sort(names, tg_str_ptr_cmp);

    for (guint i = 0; i < names->len; i++) {
        const char *fname = names->pdata[i];
        g_autofree char *fpath = g_build_filename(full, fname, NULL);
        g_autofree char *base = g_strndup(fname, strlen(fname) - 4);
        g_autoptr(TgHostFacts) facts = NULL;
        g_autoptr(GError) ferr = NULL;
        const char *hname;
        TgPolicyHost *h;

        if (!g_file_test(fpath, G_FILE_TEST_IS_REGULAR))
            continue;
        g_ptr_array_add(p->inventory_paths, g_strdup(fpath));
        facts = tg_host_facts_load(fpath, &ferr);
        if (!facts) {
            tg_problem_node(c, n, "<host-directory>: bad host facts file %s", ferr->message);
            continue;
        }
        hname = (facts->hostname.note.known && facts->hostname.value && *facts->hostname.value)
                    ? facts->hostname.value : base;
        h = tg_add_host(p, hname, facts->tsc_hz.note.known ? facts->tsc_hz.value : 0,
                        tg_bool_fact_tri(&facts->tsc_scaling));
        if (group)
            g_ptr_array_add(group->hosts, h);
    }
}

static void
tg_read_inventory(TgLoadCtx *c, TgPolicy *p, const xmlNode *root)
{
    const xmlNode *inv = tg_xml_child(root, TG_POLICY_NS, "inventory");

    if (!inv)
        return;
    for (const xmlNode *n = inv->children; n; n = n->next) {
        if (!tg_is_policy_elem(n))
            continue;
        if (tg_xml_is(n, TG_POLICY_NS, "host-directory")) {
            tg_read_host_directory(c, p, n, NULL);
        } else if (tg_xml_is(n, TG_POLICY_NS, "host-group")) {
            g_autofree char *gname = tg_name_attr(c, n, "name");
            TgPolicyGroup *g;
            g_autoptr(GHashTable) hostnames =
                g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

            if (!gname)
                continue;
            for (guint i = 0; i < p->groups->len; i++) {
                TgPolicyGroup *o = p->groups->pdata[i];
                if (strcmp(o->name, gname) == 0) {
                    tg_problem_node(c, n, "duplicate host group name '%s' (first at line %d)",
                                    gname, o->line);
                    g_clear_pointer(&gname, g_free);
                    break;
                }
            }
            if (!gname)
                continue;
            g = g_new0(TgPolicyGroup, 1);
            g->name = g_steal_pointer(&gname);
            g->line = tg_xml_line(n);
            g->hosts = g_ptr_array_new();
            g_ptr_array_add(p->groups, g);
            for (const xmlNode *h = n->children; h; h = h->next) {
                if (tg_xml_is(h, TG_POLICY_NS, "host-directory")) {
                    tg_read_host_directory(c, p, h, g);
                } else if (tg_xml_is(h, TG_POLICY_NS, "host")) {
                    g_autofree char *hname = tg_name_attr(c, h, "name");
                    guint64 hz = 0;
                    int sc;
                    TgTri scaling = TG_TRI_UNKNOWN;
                    bool ok = hname != NULL;

                    if (tg_uint_attr(c, h, "frequency", 1, G_MAXUINT64, " Hz", &hz) < 0)
                        ok = false;
                    sc = tg_enum_attr(c, h, "scaling", tg_yes_no);
                    if (sc == -1)
                        ok = false;
                    else if (sc >= 0)
                        scaling = sc == 0 ? TG_TRI_YES : TG_TRI_NO;
                    if (hname) {
                        gpointer prev = g_hash_table_lookup(hostnames, hname);
                        if (prev) {
                            tg_problem_node(c, h, "host '%s' listed twice in host group '%s' "
                                            "(first at line %d)", hname, g->name,
                                            GPOINTER_TO_INT(prev));
                            ok = false;
                        } else {
                            g_hash_table_insert(hostnames, g_strdup(hname),
                                                GINT_TO_POINTER(tg_xml_line(h)));
                        }
                    }
                    if (ok)
                        g_ptr_array_add(g->hosts, tg_add_host(p, hname, hz, scaling));
                }
            }
        }
    }
}

/* Candidates from a list of hosts, dropping exact repeats (same name,
 * frequency and scaling). Names are borrowed from the hosts. */
static void
tg_add_candidate(GArray *arr, const TgPolicyHost *h)
{
    for (guint i = 0; i < arr->len; i++) {
        const TgCandidateHost *o = &g_array_index(arr, TgCandidateHost, i);
        if (strcmp(o->name, h->name) == 0 && o->tsc_hz == h->hz && o->scaling == h->scaling)
            return;
    }
    TgCandidateHost ch = { .name = h->name, .tsc_hz = h->hz, .scaling = h->scaling };
    g_array_append_val(arr, ch);
}

static TgPolicyGroup *
tg_find_group(const TgPolicy *p, const char *name)
{
    for (guint i = 0; i < p->groups->len; i++) {
        TgPolicyGroup *g = p->groups->pdata[i];
        if (strcmp(g->name, name) == 0)
            return g;
    }
    return NULL;
}

/* --- rules --- */

static char *
tg_normalize_uuid(const char *s)
{
    GString *o = g_string_new(NULL);

    for (; *s; s++)
        if (*s != '-')
            g_string_append_c(o, g_ascii_tolower(*s));
    return g_string_free(o, FALSE);
}

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
            m->uuid = tg_normalize_uuid(uuid);
            m->uuid_text = g_steal_pointer(&uuid);
        }
    }
    if ((i = tg_enum_attr(c, n, "class", tg_class_names)) >= 0) {
        m->has_class = true;
        m->cls = tg_class_values[i];
    }
    return m;
}

static bool
tg_match_is_catch_all(const TgPolicyMatch *m)
{
    return !m->glob && !m->uuid && !m->tag && !m->has_class;
}

static void
tg_read_rules(TgLoadCtx *c, TgPolicy *p, const xmlNode *root)
{
    const TgPolicyRule *catch_all = NULL;

    for (const xmlNode *n = root->children; n; n = n->next) {
        TgPolicyRule *r;
        const xmlNode *x;
        int i;

        if (!tg_xml_is(n, TG_POLICY_NS, "rule"))
            continue;
        r = g_new0(TgPolicyRule, 1);
        r->line = tg_xml_line(n);
        r->matches = g_ptr_array_new_with_free_func(tg_policy_match_free);
        r->name = tg_name_attr(c, n, "name");
        if (!r->name)
            r->name = g_strdup_printf("(line %d)", r->line);
        else {
            for (guint k = 0; k < p->rules->len; k++) {
                const TgPolicyRule *o = p->rules->pdata[k];
                if (strcmp(o->name, r->name) == 0) {
                    tg_problem_node(c, n, "duplicate rule name '%s' (first at line %d)",
                                    r->name, o->line);
                    break;
                }
            }
        }
        g_ptr_array_add(p->rules, r);

        for (x = n->children; x; x = x->next)
            if (tg_xml_is(x, TG_POLICY_NS, "match"))
                g_ptr_array_add(r->matches, tg_read_match(c, x));

        if (catch_all)
            tg_problem_node(c, n, "rule '%s' can never match: rule '%s' (line %d) before it "
                            "matches every guest", r->name, catch_all->name, catch_all->line);
        for (guint k = 0; k < r->matches->len; k++)
            if (tg_match_is_catch_all(r->matches->pdata[k]) && !catch_all)
                catch_all = r;

        if ((x = tg_xml_child(n, TG_POLICY_NS, "deny"))) {
            g_autofree char *msg = tg_xml_text(x);
            r->force_deny = true;
            if (msg && *msg) {
                if (strchr(msg, '\n') || strchr(msg, '\r')) {
                    /* one-line reasons only: fold whitespace runs */
                    g_auto(GStrv) parts = g_strsplit_set(msg, " \t\r\n", -1);
                    GString *o = g_string_new(NULL);
                    for (char **q = parts; *q; q++) {
                        if (!**q)
                            continue;
                        if (o->len)
                            g_string_append_c(o, ' ');
                        g_string_append(o, *q);
                    }
                    r->deny_message = g_string_free(o, FALSE);
                } else {
                    r->deny_message = g_steal_pointer(&msg);
                }
            }
        }
        if (tg_xml_child(n, TG_POLICY_NS, "require-scaling"))
            r->require_scaling = true;
        if (tg_xml_child(n, TG_POLICY_NS, "allow-with-warning"))
            r->force_warn = true;
        if ((x = tg_xml_child(n, TG_POLICY_NS, "treat-as"))) {
            static const char *const names[] = { "tsc-sensitive", "paravirt-clock", NULL };
            if ((i = tg_enum_text(c, x, names)) >= 0) {
                r->has_treat_as = true;
                r->treat_as = i == 0 ? TG_DEP_TSC_SENSITIVE : TG_DEP_PARAVIRT;
            }
        }
        tg_read_settings(c, n, &r->s);

        if (r->force_deny && r->force_warn)
            tg_problem_node(c, n, "conflicting settings in rule '%s': <deny> and "
                            "<allow-with-warning>", r->name);
        if (r->force_deny && r->require_scaling)
            tg_problem_node(c, n, "conflicting settings in rule '%s': <deny> and "
                            "<require-scaling> (deny already refuses every migration)",
                            r->name);
        if (r->has_treat_as) {
            for (guint k = 0; k < r->matches->len; k++) {
                const TgPolicyMatch *m = r->matches->pdata[k];
                if (m->has_class && (m->cls == TG_DEP_EXPLICIT_FREQUENCY ||
                                     m->cls == TG_DEP_REENLIGHTENMENT))
                    tg_problem(c, TG_ERROR_INVALID, m->line,
                               "conflicting settings in rule '%s': <treat-as> cannot change "
                               "the class of %s guests (QEMU pins or checks their TSC rate)",
                               r->name, tg_class_names[m->cls]);
            }
        }

        if ((x = tg_xml_child(n, TG_POLICY_NS, "from-host-groups"))) {
            g_autofree char *txt = tg_xml_text(x);
            g_auto(GStrv) parts = g_strsplit_set(txt ? txt : "", " \t\r\n", -1);
            g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);

            r->candidates = g_array_new(FALSE, TRUE, sizeof(TgCandidateHost));
            for (char **q = parts; *q; q++) {
                TgPolicyGroup *g;
                bool dup = false;

                if (!**q)
                    continue;
                for (guint k = 0; k < list->len; k++)
                    if (strcmp(list->pdata[k], *q) == 0)
                        dup = true;
                if (dup) {
                    tg_problem_node(c, x, "host group '%s' named twice in <from-host-groups>",
                                    *q);
                    continue;
                }
                g_ptr_array_add(list, g_strdup(*q));
                g = tg_find_group(p, *q);
                if (!g) {
                    g_autofree char *esc = tg_escape_untrusted(*q);
                    tg_problem_node(c, x, "rule '%s' names host group '%s', which "
                                    "<inventory> does not define", r->name, esc);
                    continue;
                }
                for (guint k = 0; k < g->hosts->len; k++)
                    tg_add_candidate(r->candidates, g->hosts->pdata[k]);
            }
            if (list->len == 0)
                tg_problem_node(c, x, "<from-host-groups> names no host group");
            g_ptr_array_add(list, NULL);
            r->from_groups = (char **)g_ptr_array_free(g_steal_pointer(&list), FALSE);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Pass 1: root and version                                            */

static bool
tg_check_root(TgLoadCtx *c, const xmlNode *root)
{
    g_autofree char *version = NULL;
    const char *ns = root->ns ? (const char *)root->ns->href : NULL;
    int line = tg_xml_line(root);

    if (ns && g_str_has_prefix(ns, "urn:tscgate:policy:") &&
        strcmp((const char *)root->name, "policy") == 0 && strcmp(ns, TG_POLICY_NS) != 0) {
        guint64 major;
        if (tg_parse_u64(ns + strlen("urn:tscgate:policy:"), &major) && major > TG_POLICY_VERSION) {
            tg_problem(c, TG_ERROR_UNSUPPORTED, line, "policy version %" G_GUINT64_FORMAT
                       " is newer than this tscgate supports (%d)", major, TG_POLICY_VERSION);
            return false;
        }
    }
    if (strcmp((const char *)root->name, "policy") != 0 || !ns || strcmp(ns, TG_POLICY_NS) != 0) {
        g_autofree char *esc = tg_escape_untrusted((const char *)root->name);
        g_autofree char *nsesc = tg_escape_untrusted(ns ? ns : "");
        tg_problem(c, TG_ERROR_INVALID, line,
                   "wrong root element <%s>%s%s%s: expected <policy xmlns='%s'>", esc,
                   ns ? " in namespace '" : " (no namespace)", ns ? nsesc : "", ns ? "'" : "",
                   TG_POLICY_NS);
        return false;
    }
    version = tg_xml_prop(root, "version");
    if (!version) {
        tg_problem(c, TG_ERROR_INVALID, line,
                   "<policy> lacks the required attribute 'version' (this tscgate reads "
                   "version='%d')", TG_POLICY_VERSION);
        return false;
    }
    if (strcmp(version, "1") != 0) {
        /* major[.minor]: a newer major is refused with a clear message */
        gsize dot = strcspn(version, ".");
        g_autofree char *major_s = g_strndup(version, dot);
        guint64 major, minor = 0;
        g_autofree char *esc = tg_escape_untrusted(version);
        bool numeric = tg_parse_u64(major_s, &major) &&
                       (version[dot] == '\0' || tg_parse_u64(version + dot + 1, &minor));

        if (numeric && (major > TG_POLICY_VERSION ||
                        (major == TG_POLICY_VERSION && minor > 0))) {
            tg_problem(c, TG_ERROR_UNSUPPORTED, line, "policy version %s is newer than "
                       "this tscgate supports (%d)", esc, TG_POLICY_VERSION);
        } else {
            tg_problem(c, TG_ERROR_INVALID, line, "policy version '%s' is not supported "
                       "(this tscgate reads version='%d')", esc, TG_POLICY_VERSION);
        }
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Pass 3: RelaxNG                                                     */

typedef struct {
    TgLoadCtx *c;
    GPtrArray *msgs;
    GArray *lines;
} TgRngCollect;

static void
tg_rng_error(void *data, xmlErrorPtr e)
{
    TgRngCollect *rc = data;
    g_autofree char *msg = NULL;
    g_autofree char *full = NULL;
    int line;

    if (!e || !e->message)
        return;
    msg = g_strstrip(g_strdup(e->message));
    line = e->line;
    if (line <= 0 && e->node)
        line = tg_xml_line((const xmlNode *)e->node);
    full = g_strdup_printf("%s:%d: schema: %s", rc->c->filename, line, msg);
    /* one line, as tg_problem() makes every other problem */
    g_ptr_array_add(rc->msgs, tg_escape(full, TG_ESCAPE_CONTROLS));
    g_array_append_val(rc->lines, line);
}

/* Validate `doc` against the embedded schema; appends problems. */
static void
tg_check_schema(TgLoadCtx *c, xmlDoc *doc, bool report)
{
    xmlRelaxNGParserCtxtPtr pctxt;
    xmlRelaxNGPtr schema;
    xmlRelaxNGValidCtxtPtr vctxt;
    TgRngCollect rc = { c, g_ptr_array_new_with_free_func(g_free),
                        g_array_new(FALSE, FALSE, sizeof(int)) };
    int rv;

    pctxt = xmlRelaxNGNewMemParserCtxt(tg_policy_rng, (int)tg_policy_rng_len);
    xmlRelaxNGSetParserStructuredErrors(pctxt, tg_rng_error, &rc);
    schema = xmlRelaxNGParse(pctxt);
    xmlRelaxNGFreeParserCtxt(pctxt);
    if (!schema) {
        /* a build defect, never the admin's: still fail closed */
        tg_problem(c, TG_ERROR_INVALID, 0, "internal error: embedded policy schema does not "
                   "compile");
        g_ptr_array_unref(rc.msgs);
        g_array_unref(rc.lines);
        return;
    }
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vctxt, tg_rng_error, &rc);
    rv = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(schema);

    if (rv != 0 && report) {
        if (rc.lines->len == 0)
            tg_problem(c, TG_ERROR_INVALID, 1, "does not validate against the policy schema");
        for (guint i = 0; i < rc.lines->len; i++)
            tg_add_problem(c, TG_ERROR_INVALID, g_array_index(rc.lines, int, i),
                           g_strdup(rc.msgs->pdata[i]));
    }
    g_ptr_array_unref(rc.msgs);
    g_array_unref(rc.lines);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

/* Parse + check everything; returns the policy when there is no problem. */
static TgPolicy *
tg_policy_build(const char *buf, gsize len, const char *filename, GPtrArray *problems,
                TgErrorCode *first_code)
{
    TgLoadCtx c = { .filename = filename ? filename : "<policy>", .problems = problems,
                    .first_code = TG_ERROR_INVALID };
    g_autoptr(GArray) list = g_array_new(FALSE, FALSE, sizeof(TgProblem));
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(TgPolicy) p = NULL;
    xmlNode *root;
    guint before = problems->len;

    c.list = list;
    c.base_dir = filename && strcmp(filename, "-") != 0 ? g_path_get_dirname(filename)
                                                        : g_get_current_dir();
    doc = tg_xml_parse(buf, len, c.filename, &err);
    if (!doc) {
        g_ptr_array_add(problems, g_strdup(err->message));
        *first_code = err->domain == TG_ERROR ? (TgErrorCode)err->code : TG_ERROR_PARSE;
        g_free(c.base_dir);
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (!root || !tg_check_root(&c, root)) {
        if (!root)
            tg_problem(&c, TG_ERROR_INVALID, 1, "empty document");
        tg_flush_problems(&c);
        *first_code = c.first_code;
        g_free(c.base_dir);
        return NULL;
    }

    p = tg_policy_new(c.filename);
    tg_check_structure(&c, root, tg_spec_for("policy"));
    tg_read_globals(&c, p, root);
    tg_read_inventory(&c, p, root);
    for (guint i = 0; i < p->hosts->len; i++)
        tg_add_candidate(p->all_candidates, p->hosts->pdata[i]);
    tg_read_rules(&c, p, root);
    if (c.list->len == 0)
        tg_check_schema(&c, doc, true);
    tg_flush_problems(&c);

    *first_code = c.first_code;
    g_free(c.base_dir);
    if (problems->len != before)
        return NULL;
    return g_steal_pointer(&p);
}

TgPolicy *
tg_policy_parse_xml(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
    TgErrorCode code = TG_ERROR_INVALID;
    TgPolicy *p = tg_policy_build(buf, len, filename, problems, &code);

    if (!p) {
        if (problems->len > 1)
            g_set_error(error, TG_ERROR, code, "%s (and %u more problem%s; run `tscgate "
                        "policy validate`)", (const char *)problems->pdata[0],
                        problems->len - 1, problems->len == 2 ? "" : "s");
        else
            g_set_error_literal(error, TG_ERROR, code,
                                problems->len ? (const char *)problems->pdata[0]
                                              : "invalid policy");
    }
    return p;
}

bool
tg_policy_validate_buffer(const char *buf, gsize len, const char *filename,
                          GPtrArray **problems)
{
    GPtrArray *pr = g_ptr_array_new_with_free_func(g_free);
    TgErrorCode code;
    TgPolicy *p = tg_policy_build(buf, len, filename, pr, &code);
    bool ok = p != NULL;

    tg_policy_free(p);
    if (problems)
        *problems = pr;
    else
        g_ptr_array_unref(pr);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Applying                                                            */

static void
tg_apply_settings(TgSettings *out, const TgPolicySettings *s)
{
    if (s->has_tolerance)
        out->tolerance_ppm = s->tolerance_ppm;
    if (s->has_unknown_dest_scaling)
        out->unknown_dest_scaling = s->unknown_dest_scaling;
    if (s->has_unknown_dest_frequency)
        out->unknown_dest_frequency = s->unknown_dest_frequency;
    if (s->has_unknown_guest_frequency)
        out->unknown_guest_frequency = s->unknown_guest_frequency;
    if (s->has_unsync)
        out->deny_unsynchronized_clock = s->deny_unsync;
    if (s->has_unstable)
        out->deny_unstable_tsc = s->deny_unstable;
    if (s->has_record)
        out->record_lineage = s->record;
    if (s->has_hops)
        out->hop_limit = s->hops;
}

static bool
tg_guest_has_tag(const TgGuestProfile *g, const char *tag)
{
    if (!g->tags)
        return false;
    for (guint i = 0; i < g->tags->len; i++)
        if (g->tags->pdata[i] && strcmp(g->tags->pdata[i], tag) == 0)
            return true;
    return false;
}

/* Does `m` select `g`? On success `why` gets the criteria (GString). */
static bool
tg_match_guest(const TgPolicyMatch *m, const TgGuestProfile *g, GString *why)
{
    g_autofree char *guuid = NULL;

    if (m->glob && !(g->name && g_pattern_match_simple(m->glob, g->name)))
        return false;
    if (m->uuid) {
        if (!g->uuid)
            return false;
        guuid = tg_normalize_uuid(g->uuid);
        if (strcmp(guuid, m->uuid) != 0)
            return false;
    }
    if (m->tag && !tg_guest_has_tag(g, m->tag))
        return false;
    if (m->has_class && g->dependence != m->cls)
        return false;

    if (tg_match_is_catch_all(m)) {
        g_string_append(why, "<match/> at line ");
        g_string_append_printf(why, "%d matches every guest", m->line);
        return true;
    }
    if (m->glob)
        g_string_append_printf(why, "name '%s'", m->glob);
    if (m->uuid)
        g_string_append_printf(why, "%suuid '%s'", why->len ? " and " : "", m->uuid_text);
    if (m->tag)
        g_string_append_printf(why, "%stag '%s'", why->len ? " and " : "", m->tag);
    if (m->has_class)
        g_string_append_printf(why, "%sclass '%s'", why->len ? " and " : "",
                               tg_class_names[m->cls]);
    return true;
}

const char *
tg_policy_apply(const TgPolicy *p, const TgGuestProfile *guest, TgSettings *settings,
                char **why)
{
    tg_settings_init(settings);
    if (why)
        *why = NULL;
    if (!p) {
        if (why)
            *why = g_strdup("no policy; default settings");
        return NULL;
    }
    tg_apply_settings(settings, &p->global);
    if (p->all_candidates->len) {
        settings->candidates = (const TgCandidateHost *)(void *)p->all_candidates->data;
        settings->n_candidates = p->all_candidates->len;
    }
    for (guint i = 0; i < p->rules->len; i++) {
        const TgPolicyRule *r = p->rules->pdata[i];

        for (guint k = 0; k < r->matches->len; k++) {
            g_autoptr(GString) w = g_string_new(NULL);

            if (!tg_match_guest(r->matches->pdata[k], guest, w))
                continue;
            tg_apply_settings(settings, &r->s);
            settings->policy_rule = r->name;
            settings->force_deny = r->force_deny;
            settings->force_deny_message = r->deny_message;
            settings->require_scaling = r->require_scaling;
            settings->force_warn = r->force_warn;
            settings->override_dependence = r->has_treat_as;
            if (r->has_treat_as)
                settings->dependence_override = r->treat_as;
            if (r->candidates) {
                settings->candidates = r->candidates->len
                    ? (const TgCandidateHost *)(void *)r->candidates->data : NULL;
                settings->n_candidates = r->candidates->len;
            }
            if (why)
                *why = g_strdup_printf("rule '%s' matched: %s", r->name, w->str);
            return r->name;
        }
    }
    if (why)
        *why = g_strdup("no rule matched; global settings");
    return NULL;
}

char *
tg_settings_describe(const TgSettings *s)
{
    GString *o = g_string_new(NULL);

    g_string_append_printf(o, "tolerance %u ppm; unknown: dest-scaling %s, dest-frequency %s, "
                           "guest-frequency %s; unsynchronized-clock %s; unstable-tsc %s",
                           s->tolerance_ppm,
                           tg_unknown_action_to_string(s->unknown_dest_scaling),
                           tg_unknown_action_to_string(s->unknown_dest_frequency),
                           tg_unknown_action_to_string(s->unknown_guest_frequency),
                           s->deny_unsynchronized_clock ? "deny" : "warn",
                           s->deny_unstable_tsc ? "deny" : "warn");
    if (s->force_deny)
        g_string_append_printf(o, "; deny%s%s%s", s->force_deny_message ? " \"" : "",
                               s->force_deny_message ? s->force_deny_message : "",
                               s->force_deny_message ? "\"" : "");
    if (s->require_scaling)
        g_string_append(o, "; require-scaling");
    if (s->force_warn)
        g_string_append(o, "; allow-with-warning");
    if (s->override_dependence)
        g_string_append_printf(o, "; treat-as %s", tg_dependence_to_string(s->dependence_override));
    if (s->record_lineage)
        g_string_append_printf(o, "; lineage record yes, %u hops", s->hop_limit);
    else
        g_string_append(o, "; lineage record no");
    if (s->n_candidates) {
        g_string_append_printf(o, "; inventory %" G_GSIZE_FORMAT " host%s:",
                               s->n_candidates, s->n_candidates == 1 ? "" : "s");
        for (gsize i = 0; i < s->n_candidates; i++) {
            const TgCandidateHost *h = &s->candidates[i];
            g_autofree char *mhz = h->tsc_hz ? tg_format_mhz(h->tsc_hz) : g_strdup("unknown");
            g_string_append_printf(o, "%s %s (%s, scaling %s)", i ? "," : "", h->name, mhz,
                                   tg_tri_to_string(h->scaling));
        }
    } else {
        g_string_append(o, "; inventory none");
    }
    return g_string_free(o, FALSE);
}

