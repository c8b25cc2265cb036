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
#include <string.h>

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
