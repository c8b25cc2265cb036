/* tscgate: safe XML input helpers over libxml2, shared by every parser.
 *
 * Untrusted XML (domain XML from libvirt, capabilities, policy) is parsed
 * with no network access, no DTD loading and no entity substitution; any
 * document with a DOCTYPE is refused. Errors are one line:
 * "FILE:LINE: what is wrong".
 */
#ifndef TG_XML_H
#define TG_XML_H

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tg-common.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlChar, xmlFree)

/* Largest input any tscgate reader accepts (bytes). */
#define TG_MAX_INPUT_BYTES (16u * 1024u * 1024u)

/* Parse `buf` as XML. Returns a new document (xmlFreeDoc / g_autoptr), or
 * NULL with `error`: TG_ERROR_PARSE "FILE:LINE: not well-formed XML: <libxml2
 * message>" or TG_ERROR_INVALID "FILE:LINE: DOCTYPE declarations are not
 * accepted". Also refuses an empty document. */
xmlDoc *tg_xml_parse(const char *buf, gsize len, const char *filename, GError **error);

/* Returns the value of attribute `name` of `node` (no namespace) as a new
 * string (g_free), or NULL if absent. */
char *tg_xml_prop(const xmlNode *node, const char *name);

/* Parse attribute `name` of `node` as an unsigned decimal. Returns:
 * 1 and sets *out when present and valid; 0 when absent; -1 with `error`
 * (TG_ERROR_INVALID, "FILE:LINE: <elem> attribute name='val' is not an
 * unsigned integer" / "... is out of range") when present but bad. */
int tg_xml_prop_u64(const xmlNode *node, const char *name, const char *filename,
                    guint64 *out, GError **error);

/* First child element of `parent` with local name `name` in namespace
 * `ns_href` (NULL = no namespace). Borrowed; NULL if none. */
xmlNode *tg_xml_child(const xmlNode *parent, const char *ns_href, const char *name);

/* Next sibling element after `node` with the same local name and namespace
 * (for iterating repeated elements). Borrowed; NULL at the end. */
xmlNode *tg_xml_next_same(const xmlNode *node);

/* Is `node` an element named `name` in namespace `ns_href` (NULL = none)? */
bool tg_xml_is(const xmlNode *node, const char *ns_href, const char *name);

/* Text content of `node`, stripped of surrounding whitespace (g_free). */
char *tg_xml_text(const xmlNode *node);

/* The element's name as written in the document, "prefix:name" or "name",
 * for messages (g_free). */
char *tg_xml_qname(const xmlNode *node);

/* Line number of `node` for messages (>= 1, or 0 when unknown). */
int tg_xml_line(const xmlNode *node);

G_END_DECLS

#endif /* TG_XML_H */
