/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: print the canonical form (C14N 1.0, comments kept) of an XML
 * file with every <metadata> child of the root element removed, so that
 * `cmp` of two outputs tells whether two domains differ outside <metadata>.
 * With --metadata-count, print how many <metadata> children the root has.
 * Usage: xml-c14n-nometa [--metadata-count] FILE */
#include <config.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    int count_only = argc == 3 && strcmp(argv[1], "--metadata-count") == 0;
    const char *path = argv[argc - 1];
    xmlDoc *doc;
    xmlNode *root, *c, *next;
    xmlChar *out = NULL;
    int n = 0, len;

    if (argc != 2 && !count_only) {
        fprintf(stderr, "usage: %s [--metadata-count] FILE\n", argv[0]);
        return 2;
    }
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    if (!doc || !(root = xmlDocGetRootElement(doc))) {
        fprintf(stderr, "%s: cannot parse\n", path);
        return 2;
    }
    for (c = root->children; c; c = next) {
        next = c->next;
        if (c->type == XML_ELEMENT_NODE && !c->ns &&
            xmlStrEqual(c->name, (const xmlChar *)"metadata")) {
            n++;
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    if (count_only) {
        printf("%d\n", n);
    } else {
        len = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 1, &out);
        if (len < 0) {
            fprintf(stderr, "%s: cannot canonicalise\n", path);
            xmlFreeDoc(doc);
            return 2;
        }
        fwrite(out, 1, (size_t)len, stdout);
        xmlFree(out);
    }
    xmlFreeDoc(doc);
    return 0;
}
