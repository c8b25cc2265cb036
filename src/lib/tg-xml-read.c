/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: reading a parsed document, in the manner of libvirt's
 * virXMLProp* (src/util/virxml.c): typed attribute and text readers with
 * one wording per problem, the root check, child and sibling walks
 * (tg-xml.h). Parsing itself is tg-xml.c. */
#include <config.h>

#include "tg-xml.h"

#include <errno.h>
#include <string.h>

char *
tg_xml_prop(const xmlNode *node, const char *name)
{
    xmlChar *v;
    char *out;

    if (!node || !name)
        return NULL;
    v = xmlGetNoNsProp(node, (const xmlChar *)name);
    if (!v)
        return NULL;
    out = g_strdup((const char *)v);
    xmlFree(v);
    return out;
}

const char *
tg_xml_filename(const xmlNode *node)
{
    if (node && node->doc && node->doc->URL)
        return (const char *)node->doc->URL;
    return TG_STDIN_NAME;
}

xmlNode *
tg_xml_root(xmlDoc *doc, const char *ns_href, const char *name, const char *expect,
            GError **error)
{
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    g_autofree char *rname = NULL;

    if (!root) {
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE,
                    "%s:1: not well-formed XML: document is empty",
                    doc && doc->URL ? (const char *)doc->URL : TG_STDIN_NAME);
        return NULL;
    }
    if (tg_xml_is(root, ns_href, name))
        return root;
    rname = tg_escape_untrusted((const char *)root->name);
    if (root->ns && root->ns->href) {
        g_autofree char *ns = tg_escape_untrusted((const char *)root->ns->href);

        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: root element is <%s> in namespace '%s', expected %s",
                    tg_xml_filename(root), tg_xml_line(root), rname, ns, expect);
    } else {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: root element is <%s>, expected %s",
                    tg_xml_filename(root), tg_xml_line(root), rname, expect);
    }
    return NULL;
}

void
tg_xml_error_no_attr(GError **error, const xmlNode *node, const char *name)
{
    g_autofree char *qn = tg_xml_qname(node);

    g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "%s:%d: <%s> has no %s attribute",
                tg_xml_filename(node), tg_xml_line(node), qn, name);
}

/* The one wording of a bad enum value: attribute (`name` set) or text. */
static void
tg_xml_error_not_one_of(GError **error, const xmlNode *node, const char *name,
                        const char *value, const char *list)
{
    g_autofree char *qn = tg_xml_qname(node);
    g_autofree char *esc = tg_escape_untrusted(value);

    if (name)
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> attribute %s='%s' is not one of: %s",
                    tg_xml_filename(node), tg_xml_line(node), qn, name, esc, list);
    else
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "%s:%d: <%s> '%s' is not one of: %s",
                    tg_xml_filename(node), tg_xml_line(node), qn, esc, list);
}

/* Only ASCII digits (and at least one)? */
static bool
tg_all_digits(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return true;
}

/* Parse `value` as an unsigned integer in min..max, or set the one
 * wording of a bad number: attribute (`name` set) or text. */
static bool
tg_xml_parse_u64(const xmlNode *node, const char *name, const char *value, guint64 min,
                 guint64 max, TgXMLPropFlags flags, guint64 *out, GError **error)
{
    g_autofree char *qn = NULL;
    g_autofree char *esc = NULL;
    const char *digits = value;
    guint64 v;

    /* libvirt's g_ascii_strtoull() skips leading white space and takes one
     * sign; virStrToLong_ullp refuses a '-' and anything after the digits. */
    if (flags & TG_XML_PROP_LIBVIRT_NUMBER) {
        while (g_ascii_isspace(*digits))
            digits++;
        if (*digits == '+')
            digits++;
    }
    if (tg_parse_u64(digits, &v) && v >= min && v <= max) {
        *out = v;
        return true;
    }
    qn = tg_xml_qname(node);
    esc = tg_escape_untrusted(value);
    if (!tg_all_digits(digits)) {
        if (name)
            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s:%d: <%s> attribute %s='%s' is not an unsigned integer",
                        tg_xml_filename(node), tg_xml_line(node), qn, name, esc);
        else
            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s:%d: <%s> '%s' is not an unsigned integer",
                        tg_xml_filename(node), tg_xml_line(node), qn, esc);
    } else if (name) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> attribute %s='%s' is out of range (%" G_GUINT64_FORMAT
                    "..%" G_GUINT64_FORMAT ")",
                    tg_xml_filename(node), tg_xml_line(node), qn, name, esc, min, max);
    } else {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> '%s' is out of range (%" G_GUINT64_FORMAT
                    "..%" G_GUINT64_FORMAT ")",
                    tg_xml_filename(node), tg_xml_line(node), qn, esc, min, max);
    }
    return false;
}

static const char *const tg_yes_no_names[] = { "no", "yes" };
static const char *const tg_on_off_names[] = { "off", "on" };
static const TgEnumTable tg_yes_no_table = TG_ENUM_TABLE(tg_yes_no_names);
static const TgEnumTable tg_on_off_table = TG_ENUM_TABLE(tg_on_off_names);

/* "yes, no" / "on, off": the true word first, as libvirt documents them. */
static const char *
tg_bool_words_list(TgXMLBoolWords words)
{
    return words == TG_XML_ON_OFF ? "on, off" : "yes, no";
}

/* Value of `s` spelled as `words`: 1 true, 0 false, -1 neither. */
static int
tg_bool_words_parse(TgXMLBoolWords words, const char *s)
{
    return tg_enum_from_string(words == TG_XML_ON_OFF ? &tg_on_off_table : &tg_yes_no_table, s);
}

/* The attribute's value (g_free), or NULL: absent, with `error` set when
 * it is required (*rc -1) or not (*rc 0). */
static char *
tg_xml_prop_get(const xmlNode *node, const char *name, TgXMLPropFlags flags, int *rc,
                GError **error)
{
    char *v = tg_xml_prop(node, name);

    *rc = 1;
    if (!v) {
        *rc = 0;
        if (flags & TG_XML_PROP_REQUIRED) {
            tg_xml_error_no_attr(error, node, name);
            *rc = -1;
        }
    }
    return v;
}

int
tg_xml_prop_string(const xmlNode *node, const char *name, TgXMLPropFlags flags, char **out,
                   GError **error)
{
    int rc;
    char *v = tg_xml_prop_get(node, name, flags, &rc, error);

    if (v)
        *out = v;
    return rc;
}

int
tg_xml_prop_enum(const xmlNode *node, const char *name, const TgEnumTable *table,
                 TgXMLPropFlags flags, int *out, GError **error)
{
    int rc;
    g_autofree char *v = tg_xml_prop_get(node, name, flags, &rc, error);
    int e;

    if (!v)
        return rc;
    e = tg_enum_from_string(table, v);
    if (e < 0) {
        g_autofree char *list = tg_enum_list(table);

        tg_xml_error_not_one_of(error, node, name, v, list);
        return -1;
    }
    *out = e;
    return 1;
}

int
tg_xml_prop_bool(const xmlNode *node, const char *name, TgXMLBoolWords words,
                 TgXMLPropFlags flags, bool *out, GError **error)
{
    int rc;
    g_autofree char *v = tg_xml_prop_get(node, name, flags, &rc, error);
    int b;

    if (!v)
        return rc;
    b = tg_bool_words_parse(words, v);
    if (b < 0) {
        tg_xml_error_not_one_of(error, node, name, v, tg_bool_words_list(words));
        return -1;
    }
    *out = b == 1;
    return 1;
}

int
tg_xml_prop_tri(const xmlNode *node, const char *name, TgXMLBoolWords words,
                TgXMLPropFlags flags, TgTri *out, GError **error)
{
    bool b = false;
    int rc = tg_xml_prop_bool(node, name, words, flags, &b, error);

    if (rc > 0)
        *out = b ? TG_TRI_YES : TG_TRI_NO;
    return rc;
}

int
tg_xml_prop_u64_range(const xmlNode *node, const char *name, guint64 min, guint64 max,
                      TgXMLPropFlags flags, guint64 *out, GError **error)
{
    int rc;
    g_autofree char *v = tg_xml_prop_get(node, name, flags, &rc, error);

    if (!v)
        return rc;
    return tg_xml_parse_u64(node, name, v, min, max, flags, out, error) ? 1 : -1;
}

int
tg_xml_prop_u64(const xmlNode *node, const char *name, TgXMLPropFlags flags, guint64 *out,
                GError **error)
{
    return tg_xml_prop_u64_range(node, name, 0, G_MAXUINT64, flags, out, error);
}

bool
tg_xml_prop_version(const xmlNode *node, guint supported_major, guint *major_out,
                    guint *minor_out, GError **error)
{
    g_autofree char *version = NULL;
    g_autofree char *esc = NULL;
    g_autofree char *qn = NULL;
    g_auto(GStrv) parts = NULL;
    guint64 major = 0;
    guint64 minor = 0;

    if (tg_xml_prop_string(node, "version", TG_XML_PROP_REQUIRED, &version, error) < 0)
        return false;
    esc = tg_escape_untrusted(version);
    qn = tg_xml_qname(node);
    parts = g_strsplit(version, ".", 3);
    if (!parts[0] || !tg_parse_u64(parts[0], &major) || major == 0 || major > G_MAXUINT ||
        (parts[1] && (!tg_parse_u64(parts[1], &minor) || minor > G_MAXUINT || parts[2]))) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: <%s> attribute version='%s' is not a version number "
                    "(MAJOR or MAJOR.MINOR)",
                    tg_xml_filename(node), tg_xml_line(node), qn, esc);
        return false;
    }
    if (major > supported_major) {
        g_set_error(error, TG_ERROR, TG_ERROR_UNSUPPORTED,
                    "%s:%d: <%s> version '%s' is newer than this tscgate understands "
                    "(major version %u); upgrade tscgate",
                    tg_xml_filename(node), tg_xml_line(node), qn, esc, supported_major);
        return false;
    }
    if (major_out)
        *major_out = (guint)major;
    if (minor_out)
        *minor_out = (guint)minor;
    return true;
}

bool
tg_xml_text_enum(const xmlNode *node, const TgEnumTable *table, int *out, GError **error)
{
    g_autofree char *text = tg_xml_text(node);
    int e = tg_enum_from_string(table, text);

    if (e < 0) {
        g_autofree char *list = tg_enum_list(table);

        tg_xml_error_not_one_of(error, node, NULL, text, list);
        return false;
    }
    *out = e;
    return true;
}

bool
tg_xml_text_bool(const xmlNode *node, TgXMLBoolWords words, bool *out, GError **error)
{
    g_autofree char *text = tg_xml_text(node);
    int b = tg_bool_words_parse(words, text);

    if (b < 0) {
        tg_xml_error_not_one_of(error, node, NULL, text, tg_bool_words_list(words));
        return false;
    }
    *out = b == 1;
    return true;
}

bool
tg_xml_text_u64_range(const xmlNode *node, guint64 min, guint64 max, guint64 *out,
                      GError **error)
{
    g_autofree char *text = tg_xml_text(node);

    return tg_xml_parse_u64(node, NULL, text, min, max, TG_XML_PROP_OPTIONAL, out, error);
}

bool
tg_xml_is(const xmlNode *node, const char *ns_href, const char *name)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return false;
    if (g_strcmp0((const char *)node->name, name) != 0)
        return false;
    if (!ns_href)
        return node->ns == NULL || node->ns->href == NULL;
    return node->ns && node->ns->href &&
           strcmp((const char *)node->ns->href, ns_href) == 0;
}

xmlNode *
tg_xml_child(const xmlNode *parent, const char *ns_href, const char *name)
{
    if (!parent)
        return NULL;
    for (xmlNode *c = parent->children; c; c = c->next) {
        if (tg_xml_is(c, ns_href, name))
            return c;
    }
    return NULL;
}

xmlNode *
tg_xml_next_same(const xmlNode *node)
{
    const char *href;

    if (!node)
        return NULL;
    href = node->ns ? (const char *)node->ns->href : NULL;
    for (xmlNode *c = node->next; c; c = c->next) {
        if (tg_xml_is(c, href, (const char *)node->name))
            return c;
    }
    return NULL;
}

char *
tg_xml_text(const xmlNode *node)
{
    xmlChar *v;
    char *out;

    if (!node)
        return NULL;
    v = xmlNodeGetContent(node);
    if (!v)
        return g_strdup("");
    out = g_strstrip(g_strdup((const char *)v));
    xmlFree(v);
    return out;
}

char *
tg_xml_qname(const xmlNode *node)
{
    if (!node || !node->name)
        return g_strdup("(none)");
    if (node->ns && node->ns->prefix)
        return g_strdup_printf("%s:%s", (const char *)node->ns->prefix, (const char *)node->name);
    return g_strdup((const char *)node->name);
}

int
tg_xml_line(const xmlNode *node)
{
    long l;

    if (!node)
        return 0;
    l = xmlGetLineNo(node);
    if (l < 0)
        return 0;
    if (l > G_MAXINT)
        return G_MAXINT;
    return (int)l;
}
