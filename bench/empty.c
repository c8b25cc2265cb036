/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The benchmark's baseline: a C program that does nothing. Fed the same
 * stdin as the hook, it measures what a process start costs here. */
int
main(void)
{
    return 0;
}
