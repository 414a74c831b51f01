/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the selftests that run protkeyctl as an administrator would:
 * find the installed binary (a missing binary the runner installed is a
 * failure, never a skip), set up and tear down a fixture around it (the
 * emulator in its known state, a fresh repository), run it, read a value
 * of its --json output, write and read back data through a mapping, and
 * fingerprint or take a byte-exact snapshot of a directory to prove a
 * failed command changed nothing.
 */
#ifndef PROTKEY_SELFTEST_CTL_H
#define PROTKEY_SELFTEST_CTL_H

#include <dirent.h>
#include <sys/stat.h>

#include "kselftest_harness.h"

#include "dm.h"
#include "emu.h"

#define PK_CTL_DEFAULT "/usr/sbin/protkeyctl"
#define PK_EXPECTED_PROGRAMS "/protkey/expected-programs"

/*
 * The binary to run: $PROTKEYCTL or the installed one. Return: 0 with
 * @path set, 0 with @path "" when it is absent and was not expected, or
 * -ENOENT when the runner installed it and it is missing.
 */
static inline int pk_ctl_find(char *path, size_t len)
{
	const char *env = getenv("PROTKEYCTL");
	char expected[512];

	snprintf(path, len, "%s", env && *env ? env : PK_CTL_DEFAULT);
	if (!access(path, X_OK))
		return 0;
	if (!pk_read_file(PK_EXPECTED_PROGRAMS, expected, sizeof(expected)) &&
	    strstr(expected, PK_CTL_DEFAULT))
		return -ENOENT;
	path[0] = '\0';
	return 0;
}

/**
 * pk_ctl_setup() - the start of the setup of a fixture that runs protkeyctl
 * @_metadata: the test's, for the assertions
 * @nl: opened on the emulator's family, brought to its known state
 * @ctl: the binary, per pk_ctl_find()
 * @ctl_len: size of @ctl
 * @repo: a new directory, made from the mkdtemp() template @tmpl and
 *	exported as PROTKEY_REPOSITORY
 * @repo_len: size of @repo
 * @tmpl: the template
 *
 * Return: true, or false when protkeyctl is absent and not expected (the
 * caller skips).
 */
static inline bool pk_ctl_setup(struct __test_metadata *_metadata,
				struct pk_nl *nl, char *ctl, size_t ctl_len,
				char *repo, size_t repo_len, const char *tmpl)
{
	nl->sk = NULL;
	ASSERT_EQ(0, pk_ctl_find(ctl, ctl_len))
	TH_LOG("%s is missing although the runner installs it (%s)", ctl,
	       PK_EXPECTED_PROGRAMS);
	if (!ctl[0])
		return false;
	ASSERT_EQ(0, pk_nl_open(nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, pke_normalise(nl));
	snprintf(repo, repo_len, "%s", tmpl);
	ASSERT_NE(NULL, mkdtemp(repo));
	ASSERT_EQ(0, setenv("PROTKEY_REPOSITORY", repo, 1));
	return true;
}

/*
 * pk_ctl_setup() on a fixture's nl, ctl and repo, in a FIXTURE_SETUP:
 * false when the caller skips.
 */
#define PK_CTL_SETUP(tmpl)                                               \
	pk_ctl_setup(_metadata, &self->nl, self->ctl, sizeof(self->ctl), \
		     self->repo, sizeof(self->repo), tmpl)

/* "rm -rf @dir", unless @dir is "". */
static inline void pk_rm_rf(const char *dir)
{
	char cmd[128];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	pk_run(NULL, 0, "sh", "-c", cmd, NULL);
}

/*
 * The end of the teardown of a pk_ctl_setup() fixture: the repository
 * removed, the emulator back in its known state, @nl closed.
 */
static inline void pk_ctl_teardown(struct pk_nl *nl, const char *repo)
{
	pk_rm_rf(repo);
	if (nl->sk) {
		pke_normalise(nl);
		pk_nl_close(nl);
	}
}

/*
 * protkeyctl, or with PROTKEYCTL_FAULT set the protkeyctl-faults next to
 * it: the fault injection is compiled into that one only (make faults).
 */
static inline const char *pk_ctl_bin(const char *ctl)
{
	static char faults[300];

	if (!getenv("PROTKEYCTL_FAULT"))
		return ctl;
	snprintf(faults, sizeof(faults), "%s-faults", ctl);
	return faults;
}

/*
 * Runs protkeyctl (@fx->ctl; see pk_ctl_bin()) with the arguments; stdout
 * and stderr in @fx->out. Return: its exit status.
 */
#define PK_CTL(fx, ...)                                             \
	pk_run((fx)->out, sizeof((fx)->out), pk_ctl_bin((fx)->ctl), \
	       __VA_ARGS__, NULL)

/* PK_CTL() of a fixture: self->ctl, output in self->out. */
#define CTL(...) PK_CTL(self, __VA_ARGS__)

/*
 * Writes (when @write) @len bytes of @seed at the start of @dev, reads
 * them back and compares. Return: 0, -EILSEQ on a mismatch, or -errno.
 */
static inline int pk_roundtrip(const char *dev, size_t len, uint32_t seed,
			       bool write)
{
	uint8_t *w = pk_alloc_io(len), *r = pk_alloc_io(len);
	int ret = w && r ? 0 : -ENOMEM;

	if (!ret) {
		pk_fill(w, len, 0, seed);
		memset(r, 0, len);
	}
	if (!ret && write)
		ret = pk_dio(dev, true, w, len, 0);
	ret = ret ?: pk_dio(dev, false, r, len, 0);
	if (!ret && memcmp(w, r, len))
		ret = -EILSEQ;
	free(w);
	free(r);
	return ret;
}

/*
 * The value of "key" in protkeyctl's --json output @json: a string without
 * its quotes, or a number/true/false as written. Return: 0 or -ENOENT.
 */
static inline int pk_json_get(const char *json, const char *key, char *val,
			      size_t len)
{
	char pat[80];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(json, pat);
	if (!p)
		return -ENOENT;
	p += strlen(pat);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p == '"') {
		for (p++; *p && *p != '"' && n + 1 < len; p++)
			val[n++] = *p;
	} else {
		for (; *p && !strchr(",\n}] ", *p) && n + 1 < len; p++)
			val[n++] = *p;
	}
	val[n] = '\0';
	return 0;
}

/*
 * A fingerprint of the repository @repo: every entry's name and every
 * non-dot file's contents hashed (FNV-1a), sorted by name. 0 when @repo
 * cannot be read.
 */
static inline uint64_t pk_repo_fingerprint(const char *repo)
{
	uint64_t h = 1469598103934665603ULL;
	char path[512], buf[4096];
	struct dirent **ents;
	int k, cnt, fd;
	ssize_t n, i;

	cnt = scandir(repo, &ents, NULL, alphasort);
	if (cnt < 0)
		return 0;
	for (k = 0; k < cnt; k++) {
		const char *p = ents[k]->d_name;

		for (; *p; p++)
			h = (h ^ (uint8_t)*p) * 1099511628211ULL;
		snprintf(path, sizeof(path), "%s/%s", repo, ents[k]->d_name);
		fd = ents[k]->d_name[0] == '.' ? -1 : open(path, O_RDONLY);
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			for (i = 0; i < n; i++)
				h = (h ^ (uint8_t)buf[i]) * 1099511628211ULL;
		if (fd >= 0)
			close(fd);
		free(ents[k]);
	}
	free(ents);
	return h;
}

/**
 * struct pk_snap - a directory, byte for byte
 * @buf: per entry, sorted by name: "name type size\n" then the contents
 * @len: used bytes of @buf
 */
struct pk_snap {
	char *buf;
	size_t len;
};

static inline int pk_snap_add(struct pk_snap *s, const void *p, size_t n)
{
	char *nb = realloc(s->buf, s->len + n + 1);

	if (!nb)
		return -ENOMEM;
	memcpy(nb + s->len, p, n);
	s->buf = nb;
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

static inline int pk_snap_file(struct pk_snap *s, const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	while (!ret && (n = read(fd, buf, sizeof(buf))) > 0)
		ret = pk_snap_add(s, buf, (size_t)n);
	close(fd);
	return ret;
}

/*
 * Every entry of @dir (dot files included, so a leftover temporary file
 * shows) with its type, size and, for regular files, contents.
 */
static inline int pk_snap_take(struct pk_snap *s, const char *dir)
{
	char path[512], line[400];
	struct dirent **ents;
	struct stat sb;
	int k, cnt, ret = 0;

	s->buf = NULL;
	s->len = 0;
	cnt = scandir(dir, &ents, NULL, alphasort);
	if (cnt < 0)
		return -errno;
	for (k = 0; k < cnt; k++) {
		const char *name = ents[k]->d_name;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (!ret && strcmp(name, ".") && strcmp(name, "..")) {
			if (lstat(path, &sb)) {
				ret = -errno;
				goto next;
			}
			snprintf(line, sizeof(line), "%s %o %lld\n", name,
				 sb.st_mode & S_IFMT, (long long)sb.st_size);
			ret = pk_snap_add(s, line, strlen(line));
			if (!ret && S_ISREG(sb.st_mode))
				ret = pk_snap_file(s, path);
		}
next:
		free(ents[k]);
	}
	free(ents);
	return ret;
}

static inline bool pk_snap_equal(const struct pk_snap *a,
				 const struct pk_snap *b)
{
	return a->len == b->len && a->buf && b->buf &&
	       !memcmp(a->buf, b->buf, a->len);
}

static inline void pk_snap_free(struct pk_snap *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
}

/* "0x" and the 64 hex digits of SHA-256(@name): pvsecret's ID of a name. */
static inline int id_hex(const char *name, char out[67])
{
	uint8_t id[32];
	int i, ret;

	ret = pk_sha256(name, strlen(name), id);
	if (ret)
		return ret;
	strcpy(out, "0x");
	for (i = 0; i < 32; i++)
		sprintf(out + 2 + 2 * i, "%02x", id[i]);
	return 0;
}

/* A file of @n (at most 64) bytes @seed: a secret for create-secret. */
static inline int seed_file(const char *path, int seed, size_t n)
{
	char buf[64];

	memset(buf, seed, n);
	return pk_write_file(path, buf, n);
}

#endif /* PROTKEY_SELFTEST_CTL_H */
