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

#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

/* Per-parse state, hung on ctxt->_private. */
typedef struct {
    bool saw_doctype;
    int doctype_line;
    bool have_error;
    int error_line;
    char *error_msg;
    bool conversion_failed;   /* libxml2 reported an encoding conversion error */
} TgParseState;

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
    const char *fname = filename ? filename : "(input)";
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

    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE,
                    "%s:0: not well-formed XML: cannot create parser", fname);
        return NULL;
    }
    ctxt->_private = &st;
    ctxt->sax->serror = tg_xml_record_error;
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

    if (st.saw_doctype || (doc && (doc->intSubset || doc->extSubset))) {
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

    g_free(st.error_msg);
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

int
tg_xml_prop_u64(const xmlNode *node, const char *name, const char *filename,
                guint64 *out, GError **error)
{
    g_autofree char *val = tg_xml_prop(node, name);
    g_autofree char *esc = NULL;
    g_autofree char *qname = NULL;
    bool all_digits;

    if (!val)
        return 0;
    if (tg_parse_u64(val, out))
        return 1;

    all_digits = *val != '\0';
    for (const char *p = val; *p; p++) {
        if (*p < '0' || *p > '9') {
            all_digits = false;
            break;
        }
    }
    esc = tg_escape_untrusted(val);
    qname = tg_xml_qname(node);
    g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                "%s:%d: <%s> attribute %s='%s' %s",
                filename ? filename : "(input)", tg_xml_line(node),
                qname, name, esc,
                all_digits ? "is out of range" : "is not an unsigned integer");
    return -1;
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
