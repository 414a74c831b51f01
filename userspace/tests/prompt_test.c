// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl's questions, on a pseudo-terminal: volume format goes on
 * only on cryptsetup's "YES" and key remove only on "yes"; --batch and -q
 * skip the question; without a terminal on stdin none is asked. Without
 * --key-file the passphrase is asked (twice for a new keyslot, echo off);
 * "--key-file -" reads standard input. The
 * built protkeyctl (PK_TEST_PROTKEYCTL) runs on an image file with a
 * repository of its own; no kernel module is needed (format writes the
 * header only; the key has no verification pattern then).
 */
#include <pty.h>
#include <sys/wait.h>

#include <libcryptsetup.h>

#include "test.h"

#define IMG_SIZE (20 << 20)
#define FORMAT_Q "This will overwrite data on "
#define REMOVE_Q "Remove key 'k"

static char out[8192];

/*
 * Runs protkeyctl with @argv, on a new pseudo-terminal (@answer typed in)
 * or, when @answer is NULL, with stdin /dev/null; its output in @out.
 * Return: its exit status, or -1.
 */
static int ctl(const char *answer, const char *const *argv)
{
	int m = -1, s = -1, st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (answer && openpty(&m, &s, NULL, NULL, NULL))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		setsid();
		if (!answer)
			s = open("/dev/null", O_RDWR);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		execv(PK_TEST_PROTKEYCTL, (char *const *)argv);
		_exit(127);
	}
	if (answer) {
		close(s);
		if (write(m, answer, strlen(answer)) < 0)
			return -1;
		while (n < sizeof(out) - 1 &&
		       (r = read(m, out + n, sizeof(out) - 1 - n)) > 0)
			n += (size_t)r;
		close(m);
	}
	out[n] = '\0';
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Whether @img starts with a LUKS magic. */
static bool is_luks(const char *img)
{
	char b[6] = { 0 };
	int fd = open(img, O_RDONLY);
	bool ret;

	ret = fd >= 0 && read(fd, b, sizeof(b)) == sizeof(b) &&
	      !memcmp(b, "LUKS\xba\xbe", 6);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void test_format(const char *img, const char *pass)
{
	const char *fmt[] = { "protkeyctl", "volume", "format",	    img,
			      "--key",	    "k1",     "--key-file", pass,
			      NULL,	    NULL,     NULL };
	int rc;

	rc = ctl("yes\n", fmt);
	t_ok(rc == 3 && strstr(out, FORMAT_Q) && strstr(out, "capital") &&
		     !is_luks(img),
	     "format on a terminal: 'yes' is not YES: exit 3, nothing written (%d)",
	     rc);
	rc = ctl("YES\n", fmt);
	t_ok(rc == 0 && strstr(out, FORMAT_Q) && is_luks(img),
	     "format on a terminal: YES formats (%d)", rc);
	fmt[8] = "--force";
	fmt[9] = "-q";
	rc = ctl("no\n", fmt);
	t_ok(rc == 0 && !strstr(out, FORMAT_Q),
	     "format on a terminal with -q: no question (%d)", rc);
	fmt[9] = "--batch";
	rc = ctl("no\n", fmt);
	t_ok(rc == 0 && !strstr(out, FORMAT_Q),
	     "format on a terminal with --batch: no question (%d)", rc);
	fmt[9] = NULL;
	rc = ctl(NULL, fmt);
	t_ok(rc == 0, "format without a terminal: no question (%d)", rc);
}

/* Whether keyslot passphrase @pass opens the LUKS2 header of @img. */
static bool opens(const char *img, const char *pass)
{
	struct crypt_device *cd;
	bool ok;

	if (crypt_init(&cd, img) < 0)
		return false;
	ok = crypt_load(cd, CRYPT_LUKS2, NULL) >= 0 &&
	     crypt_activate_by_passphrase(cd, NULL, CRYPT_ANY_SLOT, pass,
					  strlen(pass), 0) >= 0;
	crypt_free(cd);
	return ok;
}

/*
 * The passphrase without --key-file: typed twice on the terminal, echo
 * off; two that differ are refused before anything is written; with
 * "--key-file -" it is standard input up to its end, as it is.
 */
static void test_passphrase(const char *img)
{
	const char *fmt[] = { "protkeyctl", "volume",  "format", img,  "--key",
			      "k1",	    "--force", NULL,	 NULL, NULL };
	int rc;

	rc = ctl("typed pass\ntyped pass\nYES\n", fmt);
	t_ok(rc == 0 && strstr(out, "Enter a new passphrase for ") &&
		     strstr(out, "Verify passphrase: ") &&
		     opens(img, "typed pass"),
	     "format without --key-file: asked twice, set (%d)", rc);
	truncate(img, 0);
	truncate(img, IMG_SIZE);
	rc = ctl("one\ntwo\nYES\n", fmt);
	t_ok(rc == 3 && strstr(out, "do not match") && !is_luks(img),
	     "two passphrases that differ: exit 3, nothing written (%d)", rc);
	rc = ctl(NULL, fmt);
	t_ok(rc == 3 && !is_luks(img),
	     "no --key-file and no terminal: exit 3, nothing written (%d)", rc);
	fmt[7] = "--key-file";
	fmt[8] = "-";
	rc = ctl("from stdin\x04\x04",
		 (const char *const[]){ "protkeyctl", "volume", "format", img,
					"--key", "k1", "--force", "-q",
					"--key-file", "-", NULL });
	t_ok(rc == 0 && opens(img, "from stdin") && !opens(img, "from stdin\n"),
	     "--key-file -: standard input as it is (%d)", rc);
}

static void test_remove(void)
{
	const char *rm[] = { "protkeyctl", "key", "remove", "k2", NULL, NULL };
	int rc;

	rc = ctl("no\n", rm);
	t_ok(rc == 3 && strstr(out, REMOVE_Q "2'? (yes/no): ") &&
		     !access("k2.info", F_OK),
	     "remove on a terminal: 'no' keeps the key (%d)", rc);
	rc = ctl("yes\n", rm);
	t_ok(rc == 0 && access("k2.info", F_OK),
	     "remove on a terminal: 'yes' removes it (%d)", rc);
	rm[3] = "k3";
	rm[4] = "-q";
	rc = ctl("no\n", rm);
	t_ok(rc == 0 && !strstr(out, REMOVE_Q) && access("k3.info", F_OK),
	     "remove on a terminal with -q: no question (%d)", rc);
	rm[3] = "k4";
	rm[4] = NULL;
	rc = ctl(NULL, rm);
	t_ok(rc == 0 && access("k4.info", F_OK),
	     "remove without a terminal: no question (%d)", rc);
}

int main(void)
{
	const char *imp[] = { "protkeyctl", "key", "import", NULL, NULL, NULL };
	char *dir, img[4200], pass[4200], skey[4200], name[16];
	uint8_t blob[128];
	int i, ret = 0;

	t_plan(14);
	dir = t_mkdtemp();
	if (!dir || chdir(dir))
		return 1;
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(pass, sizeof(pass), "%s/pass", dir);
	snprintf(skey, sizeof(skey), "%s/k.skey", dir);
	setenv("PROTKEY_REPOSITORY", dir, 1);
	t_make_xts(blob, 0x1122334455667788ULL, 1);
	ret = t_write(dir, "k.skey", blob, sizeof(blob));
	ret = ret ?: t_write(dir, "pass", "correct horse", 13);
	for (i = 1; i <= 4 && !ret; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		imp[3] = skey;
		imp[4] = name;
		ret = ctl(NULL, imp);
	}
	ret = ret ?: t_write(dir, "img", "", 0);
	if (!t_ok(!ret && !truncate(img, IMG_SIZE),
		  "a repository with four keys and an image"))
		return t_done();
	test_format(img, pass);
	test_passphrase(img);
	test_remove();
	t_rmrf(dir);
	free(dir);
	return t_done();
}
