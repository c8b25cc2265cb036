/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: safe XML input helpers over libxml2 (see tg-xml.h).
 *
 * Untrusted input is parsed with XML_PARSE_NONET and without
 * XML_PARSE_NOENT / DTDLOAD / DTDATTR / DTDVALID, so libxml2 neither
 * substitutes entities nor loads external subsets or entities. On top of
 * that, the SAX internalSubset callback stops the parser as soon as a
 * DOCTYPE is seen, before any entity declaration is read, and the document
 * is refused. libxml2's default error printing to stderr is replaced by a
 * structured handler on the parser context that records the first error.
 */
#include <config.h>

#include "tg-xml.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

/* Per-parse state, hung on ctxt->_private. */
typedef struct {
    const char *fname;
    bool saw_doctype;
    int doctype_line;
    bool have_error;
    int error_line;
    char *error_msg;
    bool conversion_failed;   /* libxml2 reported an encoding conversion error */
    guint nodes;              /* elements, comments, PIs, CDATA sections so far */
    guint namespaces;         /* namespace declarations so far */
    bool too_big;             /* a bound was exceeded: `bound_msg` says which */
    char *bound_msg;
} TgParseState;

/* The one wording of each bound, "FILE:LINE: ..." */
static void
tg_xml_set_too_many_attributes(char **msg, const char *fname, int line, const char *qname)
{
    g_autofree char *esc = tg_escape_untrusted(qname);

    *msg = g_strdup_printf("%s:%d: <%s> has more than %u attributes (tscgate's limit per element)",
                           fname, line, esc, TG_XML_MAX_ATTRIBUTES);
}

static void
tg_xml_set_too_many_nodes(char **msg, const char *fname, int line)
{
    *msg = g_strdup_printf("%s:%d: document has more than %u elements, comments and "
                           "processing instructions (tscgate's limit)",
                           fname, line, TG_XML_MAX_NODES);
}

static void
tg_xml_set_too_many_namespaces(char **msg, const char *fname, int line)
{
    *msg = g_strdup_printf("%s:%d: document declares more than %u namespaces (tscgate's limit)",
                           fname, line, TG_XML_MAX_NAMESPACES);
}

/* Is [name, end) a namespace declaration's name ("xmlns", "xmlns:P")? */
static bool
tg_xml_is_xmlns(const char *name, const char *end)
{
    gsize n = (gsize)(end - name);

    return n >= 5 && memcmp(name, "xmlns", 5) == 0 && (n == 5 || name[5] == ':');
}

/* Before libxml2 sees the input: count the attributes of every start tag,
 * the namespace declarations and the nodes, on the bytes, so that a tag
 * with 50,000 attributes never reaches libxml2 2.9's quadratic
 * duplicate-attribute check (xmlParseStartTag2, parser.c), nor thousands
 * of namespaces its linear lookup of each prefixed name (xmlGetNamespace,
 * parser.c). Comments, CDATA sections and processing
 * instructions are skipped whole, quoted attribute values too. At a
 * DOCTYPE (always refused afterwards) the scan stops; input in an encoding
 * that is not ASCII-compatible is not understood here, and the SAX
 * callbacks below bound it instead. Returns false and sets *msg when a
 * bound is exceeded. */
static bool
tg_xml_prescan(const char *buf, gsize len, const char *fname, char **msg)
{
    const char *p = buf;
    const char *end = buf + len;
    guint nodes = 0;
    guint namespaces = 0;
    int line = 1;

#define TG_ADVANCE_TO(q) \
    do {                                         \
        for (; p < (q); p++)                     \
            line += *p == '\n';                  \
    } while (0)

    while (p < end) {
        const char *lt = memchr(p, '<', (gsize)(end - p));
        const char *close;
        gsize rest;

        if (!lt)
            break;
        TG_ADVANCE_TO(lt);
        rest = (gsize)(end - p);
        if (rest >= 4 && memcmp(p, "<!--", 4) == 0) {
            close = g_strstr_len(p + 4, (gssize)(rest - 4), "-->");
        } else if (rest >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
            close = g_strstr_len(p + 9, (gssize)(rest - 9), "]]>");
        } else if (rest >= 2 && p[1] == '?') {
            close = g_strstr_len(p + 2, (gssize)(rest - 2), "?>");
        } else if (rest >= 2 && p[1] == '!') {
            return true; /* DOCTYPE: refused by the parser */
        } else if (rest >= 2 && p[1] == '/') {
            close = memchr(p, '>', rest);
            if (!close)
                return true;
            TG_ADVANCE_TO(close + 1);
            continue;
        } else {
            /* a start tag: count '=' outside quoted values */
            const char *tag = p;
            const char *name_end = p + 1;
            int tag_line = line;
            guint attrs = 0;

            while (name_end < end && !g_ascii_isspace(*name_end) && *name_end != '/' &&
                   *name_end != '>')
                name_end++;
            for (p = name_end; p < end && *p != '>'; p++) {
                if (*p == '"' || *p == '\'') {
                    const char *q = memchr(p + 1, *p, (gsize)(end - p - 1));

                    if (!q)
                        return true; /* not well-formed: the parser says so */
                    TG_ADVANCE_TO(q);
                } else if (*p == '=') {
                    /* the attribute's name: back from '=' over blanks */
                    const char *ne = p;
                    const char *nb;

                    while (ne > name_end && g_ascii_isspace(ne[-1]))
                        ne--;
                    for (nb = ne; nb > name_end && !g_ascii_isspace(nb[-1]) && nb[-1] != '"' &&
                                  nb[-1] != '\'';
                         nb--)
                        ;
                    if (tg_xml_is_xmlns(nb, ne))
                        namespaces++;
                    if (++attrs > TG_XML_MAX_ATTRIBUTES) {
                        g_autofree char *name =
                            g_strndup(tag + 1, (gsize)MIN(name_end - tag - 1, 64));
                        g_autofree char *valid = g_utf8_make_valid(name, -1);

                        tg_xml_set_too_many_attributes(msg, fname, tag_line, valid);
                        return false;
                    }
                } else if (*p == '\n') {
                    line++;
                }
            }
            /* checked at the end of the tag, so that one tag with too
             * many attributes is named as such */
            if (namespaces > TG_XML_MAX_NAMESPACES) {
                tg_xml_set_too_many_namespaces(msg, fname, tag_line);
                return false;
            }
            if (++nodes > TG_XML_MAX_NODES) {
                tg_xml_set_too_many_nodes(msg, fname, tag_line);
                return false;
            }
            continue;
        }
        /* comment, CDATA section or processing instruction */
        if (!close)
            return true;
        if (++nodes > TG_XML_MAX_NODES) {
            tg_xml_set_too_many_nodes(msg, fname, line);
            return false;
        }
        TG_ADVANCE_TO(close);
    }
#undef TG_ADVANCE_TO
    return true;
}

/* Count one node; past the bound, stop the parser. */
static void
tg_xml_count_node(xmlParserCtxtPtr ctxt)
{
    TgParseState *st = ctxt->_private;

    if (!st || st->too_big)
        return;
    if (++st->nodes > TG_XML_MAX_NODES) {
        st->too_big = true;
        tg_xml_set_too_many_nodes(&st->bound_msg, st->fname,
                                  ctxt->input ? ctxt->input->line : 0);
        xmlStopParser(ctxt);
    }
}

/* SAX2 callbacks that count what they add to the tree, then add it. */
static void
tg_xml_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    TgParseState *st = ctxt->_private;

    if (st && st->too_big)
        return;
    if (st && (guint)nb_attributes + (guint)nb_namespaces > TG_XML_MAX_ATTRIBUTES) {
        g_autofree char *qn = prefix ? g_strdup_printf("%s:%s", (const char *)prefix,
                                                       (const char *)localname)
                                     : g_strdup((const char *)localname);

        st->too_big = true;
        tg_xml_set_too_many_attributes(&st->bound_msg, st->fname,
                                       ctxt->input ? ctxt->input->line : 0, qn);
        xmlStopParser(ctxt);
        return;
    }
    if (st && (st->namespaces += (guint)nb_namespaces) > TG_XML_MAX_NAMESPACES) {
        st->too_big = true;
        tg_xml_set_too_many_namespaces(&st->bound_msg, st->fname,
                                       ctxt->input ? ctxt->input->line : 0);
        xmlStopParser(ctxt);
        return;
    }
    tg_xml_count_node(ctxt);
    if (st && st->too_big)
        return;
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                          nb_attributes, nb_defaulted, attributes);
}

static void
tg_xml_comment(void *ctx, const xmlChar *value)
{
    tg_xml_count_node(ctx);
    if (!((TgParseState *)((xmlParserCtxtPtr)ctx)->_private)->too_big)
        xmlSAX2Comment(ctx, value);
}

static void
tg_xml_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    tg_xml_count_node(ctx);
    if (!((TgParseState *)((xmlParserCtxtPtr)ctx)->_private)->too_big)
        xmlSAX2ProcessingInstruction(ctx, target, data);
}

static void
tg_xml_cdata(void *ctx, const xmlChar *value, int len)
{
    tg_xml_count_node(ctx);
    if (!((TgParseState *)((xmlParserCtxtPtr)ctx)->_private)->too_big)
        xmlSAX2CDataBlock(ctx, value, len);
}

/* libxml2's message as one line: trailing newline stripped, inner line
 * breaks (e.g. "Bytes: 0x.." after an encoding error) joined with "; ",
 * control characters escaped, invalid UTF-8 replaced by U+FFFD (g_free). */
static char *
tg_xml_one_line(const char *msg)
{
    /* g_utf8_make_valid: some libxml2 messages quote the input cut at a
     * byte count ("CData section not finished\n%.50s"), which can split a
     * multi-byte character; the message must stay valid UTF-8 for virsh,
     * journald and JSON logs (found by tests/fuzz). */
    g_autofree char *s = g_strstrip(g_utf8_make_valid(msg && *msg ? msg : "unknown error", -1));
    g_auto(GStrv) lines = g_strsplit(s, "\n", -1);
    g_autofree char *joined = NULL;

    for (char **l = lines; *l; l++)
        g_strstrip(*l);
    joined = g_strjoinv("; ", lines);
    return tg_escape_untrusted(joined);
}

/* Structured error handler: record the first error, print nothing. */
static void
tg_xml_record_error(void *user_data, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = user_data;
    TgParseState *st;

    if (!ctxt || !err || !ctxt->_private)
        return;
    st = ctxt->_private;
    if (st->have_error || err->level < XML_ERR_ERROR)
        return;
    st->have_error = true;
    st->error_line = err->line;
    st->error_msg = tg_xml_one_line(err->message);
}

/* libxml2 reports encoding conversion failures ("encoding error : input
 * conversion failed ...", "I/O error : encoder error") without a parser
 * context, on the generic error channel, which prints to stderr: three
 * stray lines in the hook's output on top of the one-line error (found by
 * tests/fuzz). Catch them while tg_xml_parse runs and only note them. */
static void
tg_xml_generic_error(void *ctx, const char *msg, ...)
{
    TgParseState *st = ctx;

    if (st)
        st->conversion_failed = true;
}

/* SAX internalSubset: called when <!DOCTYPE ...> is parsed, before its
 * internal subset (entity declarations) is read. Stop right there. */
static void
tg_xml_refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                      const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = ctx;
    TgParseState *st = ctxt->_private;

    if (st && !st->saw_doctype) {
        st->saw_doctype = true;
        st->doctype_line = ctxt->input ? ctxt->input->line : 0;
    }
    xmlStopParser(ctxt);
}

/* Resolving any external entity/DTD is refused outright. */
static xmlParserInputPtr
tg_xml_no_resolve(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
    return NULL;
}

static bool
tg_buffer_is_blank(const char *buf, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        if (!g_ascii_isspace(buf[i]))
            return false;
    }
    return true;
}

xmlDoc *
tg_xml_parse(const char *buf, gsize len, const char *filename, GError **error)
{
    TgParseState st = { 0 };
    xmlParserCtxtPtr ctxt;
    xmlDoc *doc;
    const char *fname = filename ? filename : TG_STDIN_NAME;
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
               XML_PARSE_BIG_LINES;

    if (!buf || len == 0 || tg_buffer_is_blank(buf, len)) {
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE,
                    "%s:1: not well-formed XML: document is empty", fname);
        return NULL;
    }
    if (len > TG_MAX_INPUT_BYTES) {
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE,
                    "%s:1: not well-formed XML: input is larger than %u bytes",
                    fname, TG_MAX_INPUT_BYTES);
        return NULL;
    }

    {
        /* libxml2 stops silently at a NUL byte and would ignore whatever
         * follows it: refuse such input instead. */
        const char *nul = memchr(buf, '\0', len);

        if (nul) {
            int line = 1;
            for (const char *p = buf; p < nul; p++)
                line += *p == '\n';
            g_set_error(error, TG_ERROR, TG_ERROR_PARSE,
                        "%s:%d: not well-formed XML: NUL character in input", fname, line);
            return NULL;
        }
    }

    {
        g_autofree char *msg = NULL;

        if (!tg_xml_prescan(buf, len, fname, &msg)) {
            g_set_error_literal(error, TG_ERROR, TG_ERROR_INVALID, msg);
            return NULL;
        }
    }

    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE,
                    "%s:0: not well-formed XML: cannot create parser", fname);
        return NULL;
    }
    st.fname = fname;
    ctxt->_private = &st;
    ctxt->sax->serror = tg_xml_record_error;
    ctxt->sax->startElementNs = tg_xml_start_element;
    ctxt->sax->comment = tg_xml_comment;
    ctxt->sax->processingInstruction = tg_xml_pi;
    ctxt->sax->cdataBlock = tg_xml_cdata;
    ctxt->sax->internalSubset = tg_xml_refuse_doctype;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->resolveEntity = tg_xml_no_resolve;
    ctxt->vctxt.error = NULL;
    ctxt->vctxt.warning = NULL;

    {
        xmlGenericErrorFunc old_func = xmlGenericError;
        void *old_ctx = xmlGenericErrorContext;

        xmlSetGenericErrorFunc(&st, tg_xml_generic_error);
        doc = xmlCtxtReadMemory(ctxt, buf, (int)len, fname, NULL, opts);
        xmlSetGenericErrorFunc(old_ctx, old_func);
    }

    if (st.too_big) {
        g_set_error_literal(error, TG_ERROR, TG_ERROR_INVALID, st.bound_msg);
        g_clear_pointer(&doc, xmlFreeDoc);
    } else if (st.saw_doctype || (doc && (doc->intSubset || doc->extSubset))) {
        int line = st.saw_doctype ? st.doctype_line : 1;
        if (!st.saw_doctype && doc->intSubset)
            line = xmlGetLineNo((xmlNode *)doc->intSubset) > 0
                       ? (int)xmlGetLineNo((xmlNode *)doc->intSubset) : 1;
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "%s:%d: DOCTYPE declarations are not accepted", fname, line);
        g_clear_pointer(&doc, xmlFreeDoc);
    } else if (!doc || !ctxt->wellFormed || !ctxt->nsWellFormed || st.conversion_failed) {
        /* namespace errors (undefined prefix...) leave wellFormed set but
         * are errors of XML with namespaces all the same */
        int line = 0;
        const char *msg = "unknown error";
        const xmlError *last = xmlCtxtGetLastError(ctxt);
        g_autofree char *lastmsg = NULL;

        if (st.conversion_failed) {
            /* what follows (e.g. "Premature end of data") is a consequence */
            line = st.have_error ? st.error_line
                                 : ctxt->input && ctxt->input->line > 0 ? ctxt->input->line : 1;
            msg = "input is not valid in its declared encoding";
        } else if (st.have_error) {
            line = st.error_line;
            msg = st.error_msg;
        } else if (last && last->message) {
            line = last->line;
            lastmsg = tg_xml_one_line(last->message);
            msg = lastmsg;
        }
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE,
                    "%s:%d: not well-formed XML: %s", fname, line, msg);
        g_clear_pointer(&doc, xmlFreeDoc);
    } else if (!xmlDocGetRootElement(doc)) {
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE,
                    "%s:1: not well-formed XML: document is empty", fname);
        g_clear_pointer(&doc, xmlFreeDoc);
    }
    if (doc) {
        /* libxml2 stores the name as a URI (xmlPathToURI escapes spaces
         * and more): keep it as given, for messages. */
        xmlFree((xmlChar *)doc->URL);
        doc->URL = xmlStrdup((const xmlChar *)fname);
    }

    g_free(st.error_msg);
    g_free(st.bound_msg);
    ctxt->_private = NULL;
    xmlFreeParserCtxt(ctxt);
    return doc;
}

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
