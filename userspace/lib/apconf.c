// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvapconfig's configuration file: a YAML list of AP config entries (mode,
 * mkvp, serialnr, mingen, secretid, name, description), read with libyaml
 * and checked as pvapconfig checks it (s390-tools rust/pvapconfig
 * config.rs, pvapconfig(1)). A file that is not such a list, a key that is
 * not one of those, a key given twice or a value that is not a scalar is
 * refused as a whole: nothing of it is used.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "protkey.h"

/* Copies @s without leading and trailing white space, lower-cased if @lc. */
static void trim_copy(char *dst, size_t size, const char *s, bool lc)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= size)
		n = size - 1;
	memmove(dst, s, n); /* dst may be s itself: trimmed in place */
	dst[n] = '\0';
	while (lc && *dst) {
		*dst = (char)tolower((unsigned char)*dst);
		dst++;
	}
}

/* @s is "0x"-optional and exactly @digits hex digits; @s loses the 0x. */
static bool hex_field(char *s, size_t digits)
{
	size_t i, off = !strncmp(s, "0x", 2) ? 2 : 0;

	if (strlen(s + off) != digits)
		return false;
	for (i = 0; i < digits; i++)
		if (!isxdigit((unsigned char)s[off + i]))
			return false;
	memmove(s, s + off, digits + 1);
	return true;
}

/* config.rs validate(): normalises @e in place; a message on error. */
static const char *validate(struct pk_apconf_entry *e, char *why, size_t len)
{
	char mode[16], mkvp[sizeof(e->mkvp) + 40], v[sizeof(e->secretid) + 40];
	uint8_t id[32];

	trim_copy(e->name, sizeof(e->name), e->name, false);
	trim_copy(mode, sizeof(mode), e->mode_text, true);
	trim_copy(e->mingen, sizeof(e->mingen), e->mingen, true);
	if (!strcmp(mode, "accel")) {
		e->mode = PK_APCONF_ACCEL;
		e->mkvp[0] = e->serialnr[0] = e->secretid[0] = '\0';
		if (e->mingen[0] &&
		    (strlen(e->mingen) != 4 || strncmp(e->mingen, "cex", 3) ||
		     e->mingen[3] < '4' || e->mingen[3] > '8'))
			snprintf(why, len, "Mingen value '%s' is not valid.",
				 e->mingen);
		return why[0] ? why : NULL;
	}
	if (strcmp(mode, "ep11")) {
		snprintf(why, len, "Unknown or invalid mode '%s'.", mode);
		return why;
	}
	e->mode = PK_APCONF_EP11;
	trim_copy(mkvp, sizeof(mkvp), e->mkvp_text, true);
	if (!mkvp[0]) {
		snprintf(why, len, "Mkvp value missing.");
		return why;
	}
	if (hex_field(mkvp, 64))
		mkvp[32] = '\0'; /* the first 16 bytes */
	else if (!hex_field(mkvp, 32)) {
		snprintf(why, len, "Mkvp value '%.80s' is not valid.",
			 e->mkvp_text);
		return why;
	}
	snprintf(e->mkvp, sizeof(e->mkvp), "%.32s", mkvp);
	trim_copy(e->serialnr, sizeof(e->serialnr), e->serialnr_text, false);
	if (e->serialnr[0]) {
		size_t i, n = strlen(e->serialnr);
		bool ok = n == 16;

		for (i = 0; ok && i < n; i++)
			ok = !isspace((unsigned char)e->serialnr[i]);
		if (!ok) {
			snprintf(why, len,
				 "Serialnr value '%.80s' is not valid.",
				 e->serialnr_text);
			return why;
		}
	}
	if (e->mingen[0] && strcmp(e->mingen, "cex8")) {
		snprintf(why, len, "Mingen value '%s' is not valid.",
			 e->mingen);
		return why;
	}
	trim_copy(v, sizeof(v), e->secretid_text, true);
	if (v[0] && !hex_field(v, 64)) {
		snprintf(why, len, "Secretid value '%.80s' is not valid.",
			 e->secretid_text);
		return why;
	}
	snprintf(e->secretid, sizeof(e->secretid), "%.64s", v);
	if (!e->secretid[0] && !e->name[0]) {
		snprintf(why, len, "Neither secretid nor name given.");
		return why;
	}
	if (!e->name[0])
		return NULL;
	pk_sha256(e->name, strlen(e->name), id);
	pk_hex_encode(id, sizeof(id), v);
	if (e->secretid[0] && strcmp(e->secretid, v)) {
		snprintf(why, len,
			 "Mismatch between sha256(name) and secretid.");
		return why;
	}
	snprintf(e->secretid, sizeof(e->secretid), "%.64s", v);
	return NULL;
}

/*
 * The field of @e that key @k names, with its size and its index in the
 * table (for the duplicate check); NULL if none.
 */
static char *field(struct pk_apconf_entry *e, const char *k, size_t *size,
		   unsigned int *idx)
{
	static const struct {
		const char *key;
		size_t off, size;
	} fields[] = {
#define F(k, m)                                   \
	{ k, offsetof(struct pk_apconf_entry, m), \
	  sizeof(((struct pk_apconf_entry *)0)->m) }
		F("name", name),
		F("description", description),
		F("mode", mode_text),
		F("mkvp", mkvp_text),
		F("serialnr", serialnr_text),
		F("mingen", mingen),
		F("secretid", secretid_text),
#undef F
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!strcmp(fields[i].key, k)) {
			*size = fields[i].size;
			*idx = (unsigned int)i;
			return (char *)e + fields[i].off;
		}
	}
	return NULL;
}

enum { ST_TOP, ST_SEQ, ST_MAP_KEY, ST_MAP_VAL, ST_DONE };

/**
 * pk_apconf_parse() - read and check a pvapconfig configuration
 * @text: the file's content
 * @len: its length
 * @out: receives the entries (malloc()ed; NULL when there are none)
 * @n: receives their number
 * @err: the error: where, and what pvapconfig would say
 *
 * Return: 0, or -EINVAL (nothing returned).
 */
int pk_apconf_parse(const char *text, size_t len, struct pk_apconf_entry **out,
		    size_t *n, struct pk_err *err)
{
	struct pk_apconf_entry *v = NULL, *grown, *e = NULL;
	unsigned int seen = 0, bit;
	char key[32] = "", why[200] = "";
	int state = ST_TOP, ret = 0;
	yaml_parser_t p;
	yaml_event_t ev;
	size_t size, i;
	char *f = NULL;
	bool end = false;

	*out = NULL;
	*n = 0;
	if (!yaml_parser_initialize(&p))
		return pk_err_set(err, -ENOMEM, "AP config: libyaml");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!ret && !end) {
		if (!yaml_parser_parse(&p, &ev)) {
			ret = pk_err_set(err, -EINVAL,
					 "AP config: line %zu: %s",
					 p.problem_mark.line + 1,
					 p.problem ? p.problem : "not YAML");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			end = true;
			break;
		case YAML_SEQUENCE_START_EVENT:
			if (state != ST_TOP)
				goto bad;
			state = ST_SEQ;
			break;
		case YAML_SEQUENCE_END_EVENT:
			if (state != ST_SEQ)
				goto bad;
			state = ST_DONE;
			break;
		case YAML_MAPPING_START_EVENT:
			if (state != ST_SEQ || *n >= 4096)
				goto bad;
			grown = realloc(v, (*n + 1) * sizeof(*v));
			if (!grown) {
				ret = pk_err_set(err, -ENOMEM, "AP config");
				break;
			}
			v = grown;
			e = &v[(*n)++];
			memset(e, 0, sizeof(*e));
			seen = 0;
			state = ST_MAP_KEY;
			break;
		case YAML_MAPPING_END_EVENT:
			if (state != ST_MAP_KEY)
				goto bad;
			state = ST_SEQ;
			break;
		case YAML_SCALAR_EVENT:
			if (state == ST_TOP && !ev.data.scalar.length &&
			    ev.data.scalar.plain_implicit) {
				state = ST_DONE; /* an empty document */
				break;
			}
			if (state == ST_MAP_KEY) {
				snprintf(key, sizeof(key), "%s",
					 (char *)ev.data.scalar.value);
				f = field(e, key, &size, &bit);
				if (!f) {
					ret = pk_err_set(
						err, -EINVAL,
						"AP config entry %zu: unknown "
						"field '%.32s'",
						*n - 1, key);
					break;
				}
				state = ST_MAP_VAL;
				break;
			}
			if (state != ST_MAP_VAL)
				goto bad;
			if (seen & (1u << bit)) {
				ret = pk_err_set(err, -EINVAL,
						 "AP config entry %zu: '%s' "
						 "given twice",
						 *n - 1, key);
				break;
			}
			seen |= 1u << bit;
			if (ev.data.scalar.length >= size) {
				ret = pk_err_set(err, -EINVAL,
						 "AP config entry %zu: '%s' "
						 "too long",
						 *n - 1, key);
				break;
			}
			memcpy(f, ev.data.scalar.value, ev.data.scalar.length);
			f[ev.data.scalar.length] = '\0';
			if (strlen(f) != ev.data.scalar.length) {
				ret = pk_err_set(err, -EINVAL,
						 "AP config entry %zu: '%s' "
						 "holds a NUL",
						 *n - 1, key);
				break;
			}
			state = ST_MAP_KEY;
			break;
		default: /* aliases, anything else */
			goto bad;
		}
		yaml_event_delete(&ev);
		continue;
bad:
		ret = pk_err_set(err, -EINVAL,
				 "AP config: line %zu: not a list of AP config "
				 "entries (mappings of scalars)",
				 ev.start_mark.line + 1);
		yaml_event_delete(&ev);
		break;
	}
	yaml_parser_delete(&p);
	if (!ret && state != ST_DONE && state != ST_TOP)
		ret = pk_err_set(err, -EINVAL, "AP config: incomplete list");
	for (i = 0; !ret && i < *n; i++) {
		why[0] = '\0';
		if (!validate(&v[i], why, sizeof(why)))
			continue;
		if (v[i].name[0])
			ret = pk_err_set(err, -EINVAL,
					 "AP config entry %zu '%.64s': %s", i,
					 v[i].name, why);
		else
			ret = pk_err_set(err, -EINVAL,
					 "AP config entry %zu: %s", i, why);
	}
	if (ret) {
		free(v);
		*n = 0;
		return ret;
	}
	*out = v;
	return 0;
}
