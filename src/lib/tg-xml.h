/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* Bounds on what one document may make libxml2 build, so that input within
 * TG_MAX_INPUT_BYTES stays cheap to parse. libvirt's domain XML has at most
 * a few dozen attributes per element (<driver> of a <disk> has the most)
 * and some ten thousand elements for the largest guests (thousands of
 * vCPUs pinned one by one, a full NUMA distance matrix). */
#define TG_XML_MAX_ATTRIBUTES 256u   /* attributes, namespace declarations included, per element */
#define TG_XML_MAX_NODES 200000u     /* elements, comments, processing instructions, CDATA sections */
/* Namespace declarations in the whole document: libvirt's domain XML has a
 * handful (one per <metadata> application, qemu:commandline), and libxml2
 * looks up every prefixed name among those in scope one by one. */
#define TG_XML_MAX_NAMESPACES 128u

/* Parse `buf` as XML. `filename` names the input in messages (NULL:
 * TG_STDIN_NAME) and is stored verbatim as the document's URL, so that the
 * readers below can name it too. Returns a new document (xmlFreeDoc /
 * g_autoptr), or NULL with `error`: TG_ERROR_PARSE "FILE:LINE: not
 * well-formed XML: <libxml2 message>", TG_ERROR_INVALID "FILE:LINE: DOCTYPE
 * declarations are not accepted", TG_ERROR_INVALID "FILE:LINE: <E> has more
 * than 256 attributes (tscgate's limit per element)", "FILE:LINE: document
 * has more than 200000 elements, comments and processing instructions
 * (tscgate's limit)" or "FILE:LINE: document declares more than 128
 * namespaces (tscgate's limit)" (TG_XML_MAX_ATTRIBUTES, TG_XML_MAX_NODES,
 * TG_XML_MAX_NAMESPACES). Also
 * refuses an empty document. */
xmlDoc *tg_xml_parse(const char *buf, gsize len, const char *filename, GError **error);

/* Name of the input `node` was parsed from, for messages (the filename
 * given to tg_xml_parse; TG_STDIN_NAME when unknown). Borrowed. */
const char *tg_xml_filename(const xmlNode *node);

/* Returns the root element of `doc` when it is <`name`> in namespace
 * `ns_href` (NULL = no namespace); borrowed. Otherwise NULL with `error`
 * (TG_ERROR_INVALID) "FILE:LINE: root element is <R>, expected EXPECT" or
 * "FILE:LINE: root element is <R> in namespace 'NS', expected EXPECT";
 * `expect` says what was expected, e.g. "<domain> (`virsh dumpxml`
 * output)". */
xmlNode *tg_xml_root(xmlDoc *doc, const char *ns_href, const char *name, const char *expect,
                     GError **error);

/* Returns the value of attribute `name` of `node` (no namespace) as a new
 * string (g_free), or NULL if absent. */
char *tg_xml_prop(const xmlNode *node, const char *name);

/* ---- Typed attribute readers, in the manner of libvirt's virXMLProp*
 * (src/util/virxml.c). Each returns 1 and sets *out when the attribute is
 * present and valid; 0 when it is absent and not required (*out is left
 * alone); -1 with `error` (TG_ERROR_INVALID) otherwise. Every message is
 * "FILE:LINE: <ELEMENT> ..." with the element as written and the value
 * escaped (tg_escape_untrusted); the wordings are: */

/* Whether an attribute must be there. */
typedef enum {
    TG_XML_PROP_OPTIONAL = 0,
    TG_XML_PROP_REQUIRED = 1 << 0, /* absent: "<E> has no NAME attribute" */
    /* Numbers as libvirt reads them in domain XML (virXMLPropULongLong,
     * src/util/virxml.c, through virStrToLong_ullp, src/util/virstring.c):
     * leading white space and one '+' before the digits are accepted, the
     * rest must be the digits alone. Only for documents libvirt wrote or
     * accepted; tscgate's own formats take digits only. */
    TG_XML_PROP_LIBVIRT_NUMBER = 1 << 1,
} TgXMLPropFlags;

/* The two words of a boolean attribute, libvirt's two spellings. */
typedef enum {
    TG_XML_YES_NO, /* yes | no (virTristateBool) */
    TG_XML_ON_OFF, /* on | off (virTristateSwitch) */
} TgXMLBoolWords;

/* Set `error` to "FILE:LINE: <E> has no NAME attribute" (TG_ERROR_INVALID),
 * for callers that find an attribute missing by other means. */
void tg_xml_error_no_attr(GError **error, const xmlNode *node, const char *name);

/* Attribute `name` as a string: *out is a new string (g_free). Only
 * TG_XML_PROP_REQUIRED can fail. */
int tg_xml_prop_string(const xmlNode *node, const char *name, TgXMLPropFlags flags,
                       char **out, GError **error);

/* Attribute `name` as one of the spellings of `table`: *out is the value.
 * Bad: "<E> attribute NAME='V' is not one of: A, B, C". */
int tg_xml_prop_enum(const xmlNode *node, const char *name, const TgEnumTable *table,
                     TgXMLPropFlags flags, int *out, GError **error);

/* Attribute `name` spelled as `words`: *out is TG_TRI_YES or TG_TRI_NO
 * (it is not touched when absent: initialise it, usually to
 * TG_TRI_UNKNOWN). Bad: "<E> attribute NAME='V' is not one of: yes, no". */
int tg_xml_prop_tri(const xmlNode *node, const char *name, TgXMLBoolWords words,
                    TgXMLPropFlags flags, TgTri *out, GError **error);

/* The same as a bool. */
int tg_xml_prop_bool(const xmlNode *node, const char *name, TgXMLBoolWords words,
                     TgXMLPropFlags flags, bool *out, GError **error);

/* Attribute `name` as a base-10 unsigned 64-bit integer in min..max
 * (digits only, or libvirt's spelling with TG_XML_PROP_LIBVIRT_NUMBER).
 * Bad: "<E> attribute NAME='V' is not an unsigned integer" or "<E>
 * attribute NAME='V' is out of range (MIN..MAX)". */
int tg_xml_prop_u64_range(const xmlNode *node, const char *name, guint64 min, guint64 max,
                          TgXMLPropFlags flags, guint64 *out, GError **error);

/* tg_xml_prop_u64_range over 0..G_MAXUINT64. */
int tg_xml_prop_u64(const xmlNode *node, const char *name, TgXMLPropFlags flags,
                    guint64 *out, GError **error);

/* The version='MAJOR[.MINOR]' attribute of a tscgate format's element
 * (required). A newer major than `supported_major` is refused; a newer
 * minor of a known major is read (minor versions only add what older
 * readers may ignore). Returns true and sets *major, *minor (each
 * nullable); false with `error`: "<E> has no version attribute"
 * (TG_ERROR_INVALID), "<E> attribute version='V' is not a version number
 * (MAJOR or MAJOR.MINOR)" (TG_ERROR_INVALID), or "<E> version 'V' is newer
 * than this tscgate understands (major version N); upgrade tscgate"
 * (TG_ERROR_UNSUPPORTED). */
bool tg_xml_prop_version(const xmlNode *node, guint supported_major, guint *major,
                         guint *minor, GError **error);

/* ---- Element text readers: the text of `node`, stripped of surrounding
 * whitespace. Return true and set *out, or false with `error`
 * (TG_ERROR_INVALID): */

/* "<E> 'V' is not one of: A, B, C". */
bool tg_xml_text_enum(const xmlNode *node, const TgEnumTable *table, int *out, GError **error);

/* "<E> 'V' is not one of: yes, no". */
bool tg_xml_text_bool(const xmlNode *node, TgXMLBoolWords words, bool *out, GError **error);

/* "<E> 'V' is not an unsigned integer" or "<E> 'V' is out of range
 * (MIN..MAX)". */
bool tg_xml_text_u64_range(const xmlNode *node, guint64 min, guint64 max, guint64 *out,
                           GError **error);

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
