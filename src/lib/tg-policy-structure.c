/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the document-level passes of loading a policy (see
 * tg-policy-priv.h): root and version, the hand-written structure
 * validator (one precise message per unknown, missing, misplaced or
 * repeated element or attribute) and the embedded RelaxNG schema.
 */
#include <config.h>

#include "tg-policy-priv.h"
#include "tg-xml.h"

#include <string.h>

#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

/* ------------------------------------------------------------------ */
/* Pass 1: root and version                                            */

bool
tg_policy_check_root(TgLoadCtx *c, xmlDoc *doc, const xmlNode *root)
{
    static const char prefix[] = "urn:tscgate:policy:";
    const char *ns = root->ns ? (const char *)root->ns->href : NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *version = NULL;
    guint minor = 0;
    guint64 ns_major;

    /* A newer format's namespace is a newer version, not a wrong root. */
    if (ns && g_str_has_prefix(ns, prefix) && strcmp((const char *)root->name, "policy") == 0 &&
        tg_parse_u64(ns + strlen(prefix), &ns_major) && ns_major > TG_POLICY_VERSION) {
        g_autofree char *esc = tg_escape_untrusted(ns);

        tg_problem(c, TG_ERROR_UNSUPPORTED, tg_xml_line(root),
                   "<policy> namespace '%s' is newer than this tscgate understands (major "
                   "version %d); upgrade tscgate", esc, TG_POLICY_VERSION);
        return false;
    }
    if (!tg_xml_root(doc, TG_POLICY_NS, "policy", "<policy xmlns='" TG_POLICY_NS "'>", &err) ||
        !tg_xml_prop_version(root, TG_POLICY_VERSION, NULL, &minor, &err)) {
        tg_problem_error(c, root, err);
        return false;
    }
    /* A reader of a newer minor version may skip what it does not know;
     * a policy says what the gate may allow: never guess. */
    if (minor > 0) {
        g_autofree char *esc = NULL;

        version = tg_xml_prop(root, "version");
        esc = tg_escape_untrusted(version);
        tg_problem(c, TG_ERROR_UNSUPPORTED, tg_xml_line(root),
                   "<policy> version '%s' is newer than this tscgate understands (version "
                   "%d.0); upgrade tscgate", esc, TG_POLICY_VERSION);
        return false;
    }
    return true;
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
        "unstable-tsc", "lineage", "offline-migration", "unplaced-restore", "inventory",
        "rule"),
      L("rule"), false },
    { "mode", NONE, NONE, NONE, NONE, true },
    { "failure", NONE, NONE, NONE, NONE, true },
    { "tolerance", L("ppm"), L("ppm"), NONE, NONE, false },
    { "unknown", L("dest-scaling", "dest-frequency", "guest-frequency", "clock-sync",
                   "tsc-stability"), NONE, NONE, NONE, false },
    { "unsynchronized-clock", NONE, NONE, NONE, NONE, true },
    { "unstable-tsc", NONE, NONE, NONE, NONE, true },
    { "offline-migration", NONE, NONE, NONE, NONE, true },
    { "unplaced-restore", NONE, NONE, NONE, NONE, true },
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
        "offline-migration", "unplaced-restore", "from-host-groups"),
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
tg_check_elem(TgLoadCtx *c, const xmlNode *node, const TgElemSpec *spec)
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
    for (const char *const *r = spec->required; *r; r++) {
        if (!xmlHasProp(node, (const xmlChar *)*r)) {
            g_autoptr(GError) err = NULL;

            tg_xml_error_no_attr(&err, node, *r);
            tg_problem_error(c, node, err);
        }
    }

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
        tg_check_elem(c, ch, tg_spec_for(cn));
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

void
tg_policy_check_structure(TgLoadCtx *c, const xmlNode *root)
{
    tg_check_elem(c, root, tg_spec_for("policy"));
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

void
tg_policy_check_schema(TgLoadCtx *c, xmlDoc *doc)
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

    if (rv != 0) {
        if (rc.lines->len == 0)
            tg_problem(c, TG_ERROR_INVALID, 1, "does not validate against the policy schema");
        for (guint i = 0; i < rc.lines->len; i++)
            tg_add_problem(c, TG_ERROR_INVALID, g_array_index(rc.lines, int, i),
                           g_strdup(rc.msgs->pdata[i]));
    }
    g_ptr_array_unref(rc.msgs);
    g_array_unref(rc.lines);
}
