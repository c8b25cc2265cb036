/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: writing the lineage record into a domain's <metadata>, and
 * taking it out again (tg-lineage.h; the record's model and reader are in
 * tg-lineage.c). */
#include <config.h>

#include "tg-lineage-priv.h"
#include "tg-decide.h"
#include "tg-record.h"
#include "tg-xml.h"
#include <libxml/c14n.h>
#include <libxml/xmlsave.h>
#include <string.h>

static void
set_prop_u64(xmlNode *n, const char *name, guint64 v)
{
    char buf[32];

    g_snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT, v);
    xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

static void
add_indent(xmlNode *parent, int depth)
{
    g_autofree char *ws = g_strnfill((gsize)depth * 2, ' ');
    g_autofree char *text = g_strconcat("\n", ws, NULL);

    xmlAddChild(parent, xmlNewText((const xmlChar *)text));
}

/* True when `r` uses what record version 1.1 added (origin "boot", hop op
 * "boot"): it is then written as 1.1, else as 1. */
static bool
record_uses_boot(const TgLineage *r)
{
    if (r->nominal_origin == TG_NOMINAL_BOOT)
        return true;
    for (guint i = 0; r->hops && i < r->hops->len; i++) {
        const TgHop *h = g_ptr_array_index(r->hops, i);

        if (g_strcmp0(h->op, "boot") == 0)
            return true;
    }
    return false;
}

/* Build the <tscgate:lineage> element for `doc`, laid out for nesting
 * depth `depth` (0 = document root; two spaces per level, as libvirt
 * formats). Unknown values are left out: no hz attribute for an unknown
 * rate, no scaling attribute for unknown scaling (libvirt's convention for
 * <counter scaling>). */
static xmlNode *
build_record(xmlDoc *doc, const TgLineage *r, int depth)
{
    xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"lineage", NULL);
    xmlNs *ns = xmlNewNs(root, (const xmlChar *)TG_LINEAGE_NS,
                         (const xmlChar *)TG_LINEAGE_NS_PREFIX);
    xmlNode *n;

    xmlSetNs(root, ns);
    if (record_uses_boot(r)) {
        g_autofree char *v = g_strdup_printf("%u.%u", TG_LINEAGE_VERSION, TG_LINEAGE_MINOR_BOOT);

        xmlNewProp(root, (const xmlChar *)"version", (const xmlChar *)v);
    } else {
        set_prop_u64(root, "version", TG_LINEAGE_VERSION);
    }

    add_indent(root, depth + 1);
    n = xmlNewChild(root, ns, (const xmlChar *)"nominal", NULL);
    if (r->nominal_hz)
        set_prop_u64(n, "hz", r->nominal_hz);
    xmlNewProp(n, (const xmlChar *)"origin",
               (const xmlChar *)tg_nominal_origin_to_string(r->nominal_origin));

    add_indent(root, depth + 1);
    n = xmlNewChild(root, ns, (const xmlChar *)"effective", NULL);
    if (r->effective_hz)
        set_prop_u64(n, "hz", r->effective_hz);
    xmlNewProp(n, (const xmlChar *)"changed",
               (const xmlChar *)(r->effective_changed ? "yes" : "no"));

    for (guint i = 0; r->hops && i < r->hops->len; i++) {
        const TgHop *h = g_ptr_array_index(r->hops, i);
        g_autofree char *ts = tg_format_utc(h->time);

        add_indent(root, depth + 1);
        n = xmlNewChild(root, ns, (const xmlChar *)"hop", NULL);
        xmlNewProp(n, (const xmlChar *)"op", (const xmlChar *)(h->op ? h->op : "migrate"));
        if (h->host)
            xmlNewProp(n, (const xmlChar *)"host", (const xmlChar *)h->host);
        if (h->host_hz)
            set_prop_u64(n, "hz", h->host_hz);
        if (h->scaling != TG_TRI_UNKNOWN)
            xmlNewProp(n, (const xmlChar *)"scaling", (const xmlChar *)tg_tri_to_string(h->scaling));
        xmlNewProp(n, (const xmlChar *)"time", (const xmlChar *)ts);
        if (h->verdict)
            xmlNewProp(n, (const xmlChar *)"verdict", (const xmlChar *)h->verdict);
        if (h->reason_code)
            xmlNewProp(n, (const xmlChar *)"reason", (const xmlChar *)h->reason_code);
    }
    add_indent(root, depth);
    return root;
}

static bool
is_blank_text(const xmlNode *n)
{
    return n && n->type == XML_TEXT_NODE && xmlIsBlankNode((xmlNode *)n);
}

/* Leading domain children libvirt formats before <metadata>. */
static bool
precedes_metadata(const xmlNode *n)
{
    static const char *const names[] = { "name", "uuid", "genid", "title", "description" };

    if (n->type != XML_ELEMENT_NODE || n->ns)
        return false;
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
        if (xmlStrEqual(n->name, (const xmlChar *)names[i]))
            return true;
    return false;
}

/* Create <metadata> at libvirt's place: after the leading name, uuid,
 * genid, title and description elements (and the whitespace that follows
 * the last of them, so it starts a line of its own). Only whitespace inside
 * the new element is added, nothing outside it. */
static xmlNode *
create_metadata(xmlNode *domain)
{
    xmlNode *meta = xmlNewDocNode(domain->doc, NULL, (const xmlChar *)"metadata", NULL);
    xmlNode *anchor = NULL;

    for (xmlNode *c = domain->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!precedes_metadata(c))
            break;
        anchor = c;
    }
    if (!anchor && is_blank_text(domain->children))
        anchor = domain->children;
    else if (anchor && is_blank_text(anchor->next))
        anchor = anchor->next;
    /* An element next to a text node: libxml2 merges nothing here. */
    if (anchor)
        xmlAddNextSibling(anchor, meta);
    else if (domain->children)
        xmlAddPrevSibling(domain->children, meta);
    else
        xmlAddChild(domain, meta);
    return meta;
}

/* Put `record` into `meta`: in place of the first existing lineage element
 * (further ones are removed: libvirt would drop them anyway), else last,
 * before the closing whitespace. */
static void
place_record(xmlNode *meta, xmlNode *record)
{
    xmlNode *first = NULL;
    xmlNode *c, *next;

    for (c = meta->children; c; c = next) {
        next = c->next;
        if (!tg_xml_is(c, TG_LINEAGE_NS, "lineage"))
            continue;
        if (!first) {
            first = c;
            continue;
        }
        /* A duplicate and the whitespace that introduced it. */
        if (is_blank_text(c->prev)) {
            xmlNode *ws = c->prev;

            xmlUnlinkNode(ws);
            xmlFreeNode(ws);
        }
        xmlUnlinkNode(c);
        xmlFreeNode(c);
    }
    if (first) {
        xmlReplaceNode(first, record);
        xmlFreeNode(first);
        return;
    }

    if (is_blank_text(meta->last)) {
        /* "...<other/>\n  </metadata>": the record goes before the closing
         * whitespace, introduced like the element before it (or on a line
         * of its own at libvirt's indent). */
        xmlNode *last = meta->last;
        xmlNode *lead = last->prev && is_blank_text(last->prev->prev) ? last->prev->prev : NULL;
        xmlNode *ws = xmlNewText(lead ? lead->content : (const xmlChar *)"\n    ");

        /* Element first: libxml2 merges a text node added next to another
         * text node, so the indent goes in once the record is placed. */
        xmlAddPrevSibling(last, record);
        xmlAddPrevSibling(record, ws);
    } else if (!meta->children) {
        xmlAddChild(meta, xmlNewText((const xmlChar *)"\n    "));
        xmlAddChild(meta, record);
        xmlAddChild(meta, xmlNewText((const xmlChar *)"\n  "));
    } else {
        xmlAddChild(meta, record);
    }
}

/* Serialise `doc` as libxml2 parsed it, without re-indenting, after
 * `decl` (the input's own XML declaration, verbatim, or NULL for none). */
static char *
serialize(xmlDoc *doc, const char *decl, gsize decl_len)
{
    xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *save;
    char *out = NULL;

    if (!buf)
        return NULL;
    /* Without an encoding libxml2 would write non-ASCII text as character
     * references; libvirt's XML is UTF-8 unless it says otherwise. */
    save = xmlSaveToBuffer(buf, doc->encoding ? (const char *)doc->encoding : "UTF-8",
                           XML_SAVE_NO_DECL);
    if (save) {
        xmlSaveDoc(save, doc);
        if (xmlSaveClose(save) >= 0) {
            GString *s = g_string_sized_new(decl_len + 1 + (gsize)xmlBufferLength(buf));

            if (decl) {
                g_string_append_len(s, decl, (gssize)decl_len);
                g_string_append_c(s, '\n');
            }
            g_string_append_len(s, (const char *)xmlBufferContent(buf), xmlBufferLength(buf));
            out = g_string_free(s, FALSE);
        }
    }
    xmlBufferFree(buf);
    return out;
}

/* The input's XML declaration "<?xml ... ?>" (after an optional UTF-8 byte
 * order mark): sets *start and *len, or returns false when there is none. */
static bool
find_xml_decl(const char *buf, gsize len, const char **start, gsize *decl_len)
{
    gsize i = 0;
    const char *end;

    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if (len - i < 6 || memcmp(buf + i, "<?xml", 5) != 0 || !g_ascii_isspace(buf[i + 5]))
        return false;
    end = g_strstr_len(buf + i, (gssize)(len - i), "?>");
    if (!end)
        return false;
    *start = buf + i;
    *decl_len = (gsize)(end + 2 - (buf + i));
    return true;
}

/* `doc` written out behind the XML declaration `domain_xml` opens with, if
 * any (g_free), or NULL with `error` naming `filename`. */
static char *
serialize_as(xmlDoc *doc, const char *domain_xml, gsize len, const char *filename,
             GError **error)
{
    const char *decl = NULL;
    gsize decl_len = 0;
    char *out;

    if (!domain_xml || !find_xml_decl(domain_xml, len, &decl, &decl_len))
        decl = NULL;
    out = serialize(doc, decl, decl_len);
    if (!out)
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot serialise the domain XML",
                    filename);
    return out;
}

char *
tg_lineage_rewrite_doc(xmlDoc *doc, const char *domain_xml, gsize len,
                       const TgLineage *record, GError **error)
{
    xmlNode *root, *meta;

    g_return_val_if_fail(record != NULL, NULL);
    root = tg_xml_root(doc, NULL, "domain", "<domain> (`virsh dumpxml` output)", error);
    if (!root)
        return NULL;
    meta = tg_xml_child(root, NULL, "metadata");
    if (!meta)
        meta = create_metadata(root);
    /* The record declares its namespace itself: nothing else is touched. */
    place_record(meta, build_record(doc, record, 2));
    return serialize_as(doc, domain_xml, len, tg_xml_filename(root), error);
}

char *
tg_lineage_rewrite_domain(const char *domain_xml, gsize len,
                          const char *filename, const TgLineage *record,
                          GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;

    g_return_val_if_fail(record != NULL, NULL);
    doc = tg_xml_parse(domain_xml, len, filename, error);
    if (!doc)
        return NULL;
    return tg_lineage_rewrite_doc(doc, domain_xml, len, record, error);
}

/* ---- taking the record out ---- */

/* Where an element is in the raw text: '<' of its start tag and just after
 * the '>' that ends it (its end tag, or "/>"). */
typedef struct {
    gsize start, end;
    char *qname;
    int depth;          /* 0 = the root */
} TgTextElement;

static void
tg_text_element_clear(gpointer p)
{
    g_free(((TgTextElement *)p)->qname);
}

/* Skip from `i` (just after "<!--", "<?", "<![CDATA[" or inside a tag) past
 * `end`; returns the offset after it, or `len` when it never comes. */
static gsize
skip_past(const char *buf, gsize len, gsize i, const char *end)
{
    gsize n = strlen(end);

    for (; i + n <= len; i++)
        if (memcmp(buf + i, end, n) == 0)
            return i + n;
    return len;
}

/* The elements of a document that libxml2 parsed (so it is well formed) at
 * depth <= 2, in document order, located in its text: a scanner that
 * knows comments, processing instructions, CDATA and quoted attribute
 * values, which is all a well-formed document without a DOCTYPE (refused
 * by tg_xml_parse) can hold. */
static GArray *
scan_elements(const char *buf, gsize len)
{
    GArray *els = g_array_new(FALSE, TRUE, sizeof(TgTextElement));
    g_autoptr(GArray) open = g_array_new(FALSE, FALSE, sizeof(guint)); /* indices, or G_MAXUINT */
    gsize i = 0;

    g_array_set_clear_func(els, tg_text_element_clear);
    while (i < len) {
        gsize tag, name_end;
        bool closing, empty = false;
        char quote = 0;

        if (buf[i] != '<') {
            i++;
            continue;
        }
        if (len - i >= 4 && memcmp(buf + i, "<!--", 4) == 0) {
            i = skip_past(buf, len, i + 4, "-->");
            continue;
        }
        if (len - i >= 9 && memcmp(buf + i, "<![CDATA[", 9) == 0) {
            i = skip_past(buf, len, i + 9, "]]>");
            continue;
        }
        if (len - i >= 2 && (buf[i + 1] == '?' || buf[i + 1] == '!')) {
            i = skip_past(buf, len, i + 2, ">");
            continue;
        }
        tag = i;
        closing = len - i >= 2 && buf[i + 1] == '/';
        i += closing ? 2 : 1;
        name_end = i;
        while (name_end < len && !g_ascii_isspace(buf[name_end]) && buf[name_end] != '>' &&
               buf[name_end] != '/')
            name_end++;
        /* to the '>' that ends the tag, outside quoted values */
        for (; i < len; i++) {
            if (quote) {
                if (buf[i] == quote)
                    quote = 0;
            } else if (buf[i] == '"' || buf[i] == '\'') {
                quote = buf[i];
            } else if (buf[i] == '>') {
                empty = i > tag && buf[i - 1] == '/';
                break;
            }
        }
        i = i < len ? i + 1 : len;
        if (closing) {
            if (open->len) {
                guint idx = g_array_index(open, guint, open->len - 1);

                if (idx != G_MAXUINT)
                    g_array_index(els, TgTextElement, idx).end = i;
                g_array_set_size(open, open->len - 1);
            }
            continue;
        }
        if (open->len <= 2) {
            TgTextElement e = { .start = tag, .end = i, .depth = (int)open->len,
                                .qname = g_strndup(buf + tag + 1, name_end - tag - 1) };
            guint idx = els->len;

            g_array_append_val(els, e);
            if (!empty)
                g_array_append_val(open, idx);
        } else if (!empty) {
            guint none = G_MAXUINT;

            g_array_append_val(open, none);
        }
    }
    return els;
}

/* Where the cut for an element from `start` to `end` begins: when
 * whitespace follows it and only spaces and tabs come before it on its
 * line, the newline before it goes too (its line goes); else at `start`
 * (an element squeezed between others, as the hook puts a <metadata> it
 * creates, takes no whitespace along). */
static gsize
cut_start(const char *buf, gsize len, gsize start, gsize end)
{
    gsize i = start;

    if (end >= len || !g_ascii_isspace(buf[end]))
        return start;
    while (i > 0 && (buf[i - 1] == ' ' || buf[i - 1] == '\t'))
        i--;
    return i > 0 && buf[i - 1] == '\n' ? i - 1 : start;
}

/* The same cut on the tree: when blank text follows `n`, the blank text
 * before it loses its last line (from its last newline on); without a
 * newline it stays. */
static void
dom_cut(xmlNode *n)
{
    xmlNode *prev = n->prev;

    if (is_blank_text(prev) && n->next && n->next->type == XML_TEXT_NODE &&
        n->next->content && g_ascii_isspace(n->next->content[0])) {
        const char *text = (const char *)prev->content;
        const char *nl = strrchr(text, '\n');

        /* Only a text node that ends the line run counts: the text scan
         * cuts from the newline only when spaces and tabs alone follow. */
        if (nl && strspn(nl + 1, " \t") == strlen(nl + 1)) {
            g_autofree char *keep = g_strndup(text, (gsize)(nl - text));

            xmlNodeSetContent(prev, (const xmlChar *)keep);
            if (!*keep) {
                xmlUnlinkNode(prev);
                xmlFreeNode(prev);
            }
        }
    }
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

/* True when `meta` holds nothing but whitespace text. */
static bool
only_blank(const xmlNode *meta)
{
    for (const xmlNode *c = meta->children; c; c = c->next)
        if (!is_blank_text(c))
            return false;
    return true;
}

static char *
c14n(xmlDoc *doc)
{
    xmlChar *out = NULL;
    char *s;

    if (xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 1, &out) < 0)
        return NULL;
    s = g_strdup((const char *)out);
    xmlFree(out);
    return s;
}

char *
tg_lineage_strip_domain(const char *domain_xml, gsize len, const char *filename,
                        guint *removed, GError **error)
{
    g_autoptr(xmlDoc) doc = tg_xml_parse(domain_xml, len, filename, error);
    g_autoptr(GArray) els = NULL;
    g_autoptr(GPtrArray) records = g_ptr_array_new();
    g_autoptr(GString) out = NULL;
    g_autoptr(xmlDoc) check = NULL;
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;
    xmlNode *root, *meta, *c;
    gsize meta_idx = G_MAXSIZE, pos = 0;
    guint n = 0;
    bool drop_meta;

    if (removed)
        *removed = 0;
    if (!doc)
        return NULL;
    root = tg_xml_root(doc, NULL, "domain", "<domain> (`virsh dumpxml` output)", error);
    if (!root)
        return NULL;
    meta = tg_xml_child(root, NULL, "metadata");
    for (c = meta ? meta->children : NULL; c; c = c->next)
        if (tg_xml_is(c, TG_LINEAGE_NS, "lineage"))
            g_ptr_array_add(records, c);
    if (records->len == 0)
        return g_strndup(domain_xml, len);
    if (removed)
        *removed = records->len;

    /* The tree without the record: what the text must parse back to. */
    for (guint i = 0; i < records->len; i++)
        dom_cut(g_ptr_array_index(records, i));
    drop_meta = only_blank(meta);
    if (drop_meta)
        dom_cut(meta);
    want = c14n(doc);

    /* The same cut in the text. */
    els = scan_elements(domain_xml, len);
    for (guint i = 0; i < els->len; i++) {
        const TgTextElement *e = &g_array_index(els, TgTextElement, i);

        if (e->depth == 1 && strcmp(e->qname, "metadata") == 0) {
            meta_idx = i;
            break;
        }
    }
    out = g_string_sized_new(len);
    if (meta_idx != G_MAXSIZE && drop_meta) {
        const TgTextElement *m = &g_array_index(els, TgTextElement, meta_idx);
        gsize from = cut_start(domain_xml, len, m->start, m->end);

        g_string_append_len(out, domain_xml, (gssize)from);
        pos = m->end;
        n = records->len;
    } else if (meta_idx != G_MAXSIZE) {
        const TgTextElement *m = &g_array_index(els, TgTextElement, meta_idx);

        for (guint i = (guint)meta_idx + 1; i < els->len; i++) {
            const TgTextElement *e = &g_array_index(els, TgTextElement, i);
            const char *colon = strchr(e->qname, ':');
            const char *local = colon ? colon + 1 : e->qname;
            gsize from;

            if (e->start >= m->end)
                break;
            if (e->depth != 2 || strcmp(local, "lineage") != 0)
                continue;
            from = cut_start(domain_xml, len, e->start, e->end);
            if (from < pos)
                from = pos;
            g_string_append_len(out, domain_xml + pos, (gssize)(from - pos));
            pos = e->end;
            n++;
        }
    }
    g_string_append_len(out, domain_xml + pos, (gssize)(len - pos));

    if (n == records->len) {
        check = tg_xml_parse(out->str, out->len, filename, NULL);
        got = check ? c14n(check) : NULL;
    }
    if (want && got && strcmp(want, got) == 0)
        return g_string_free(g_steal_pointer(&out), FALSE);

    /* The text could not be cut cleanly: write the tree out. */
    return serialize_as(doc, domain_xml, len, tg_xml_filename(root), error);
}

char *
tg_lineage_format(const TgLineage *record)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc((const xmlChar *)"1.0");
    char *out;

    xmlDocSetRootElement(doc, build_record(doc, record, 0));
    out = serialize(doc, NULL, 0);
    return out ? out : g_strdup("");
}
