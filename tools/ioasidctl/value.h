/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: limit values, as systemd's TasksMax= accepts them. */
#ifndef IOASIDCTL_VALUE_H
#define IOASIDCTL_VALUE_H

#include <stddef.h>
#include <stdint.h>

/* The value meaning "no limit" ("max" in ioasids.max). */
#define VALUE_MAX UINT64_MAX
/* The largest count ioasids.max accepts: PASIDs are 20 bits. */
#define VALUE_COUNT_MAX 1048575ULL

/*
 * Parse a limit: a decimal count, "max" or "infinity", or a percentage of
 * @capacity ("10%", "12.5%", at most two decimals, 0 to 100), rounded down.
 * Returns 0 and sets *out (VALUE_MAX for no limit), or -EINVAL for anything
 * else, including counts above VALUE_COUNT_MAX; *out is then untouched.
 */
int value_parse(const char *s, uint64_t capacity, uint64_t *out);

/*
 * Is @s a percentage as value_parse() takes it? 0 and *basis_points set to
 * hundredths of a percent (0 to 10000), or -EINVAL.
 */
int value_percent(const char *s, uint64_t *basis_points);

/* "max" or the decimal count, as ioasids.max takes it. */
void value_format(uint64_t v, char *buf, size_t len);

/*
 * @s as one short printable line for a message: cut to fit @len with "..."
 * and every unprintable byte a '?'.
 */
void value_shown(const char *s, char *buf, size_t len);

#endif
