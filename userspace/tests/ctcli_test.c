// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl crypttab and protkeyctl cryptsetup, without a kernel: the
 * built protkeyctl (PK_TEST_PROTKEYCTL) runs on a scratch repository of
 * imported keys whose volumes= name character devices (/dev/null,
 * /dev/zero, /dev/full: the commands only print). Plain volumes get the
 * key's .skey, its size in bits and its sector size (512 when the key
 * records none); LUKS2 volumes the --key-file or a prompting luksOpen;
 * operands select by DEV or NAME; --json has a numeric version and
 * numbers as numbers; a refusal prints nothing on stdout.
 */
#include <sys/wait.h>

#include <json.h>

#include "test.h"

static char out[16384], errout[4096], repo[4096], skey[4200];

static void slurp(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

/* Runs protkeyctl --repository REPO @argv: stdout in @out, stderr in @errout. */
static int ctl(const char *const *argv)
{
	const char *args[32] = { "protkeyctl", "--repository", repo };
	int p[2], e[2], st, fd, i;
	pid_t pid;

	for (i = 1; argv[i] && i < 28; i++)
		args[i + 2] = argv[i];
	if (pipe(p) || pipe(e))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		dup2(p[1], 1);
		dup2(e[1], 2);
		close(p[0]);
		close(e[0]);
		execv(PK_TEST_PROTKEYCTL, (char *const *)args);
		_exit(127);
	}
	close(p[1]);
	close(e[1]);
	slurp(p[0], out, sizeof(out));
	slurp(e[0], errout, sizeof(errout));
	close(p[0]);
	close(e[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define CTL(...) ctl((const char *const[]){ "protkeyctl", __VA_ARGS__, NULL })

static int import(const char *dir, const char *name, uint8_t seed,
		  const char *const *opts)
{
	const char *args[16] = { "protkeyctl", "key", "import", skey, name };
	uint8_t blob[128];
	int i;

	t_make_xts(blob, 0x1122334455667788ULL, seed);
	snprintf(skey, sizeof(skey), "%s/in.bin", dir);
	if (t_write(dir, "in.bin", blob, sizeof(blob)))
		return -1;
	for (i = 0; opts[i] && i < 10; i++)
		args[5 + i] = opts[i];
	return ctl(args);
}

static void check_lines(void)
{
	char want[16384];
	int rc;

	rc = CTL("crypttab", "--key-file", "/root/pass");
	snprintf(
		want, sizeof(want),
		"v1 /dev/null %s/k1.skey plain,cipher=paes-xts-plain64,size=1024,sector-size=4096,nofail,headless=true,x-systemd.device-timeout=30s\n"
		"v2 /dev/zero %s/k1.skey plain,cipher=paes-xts-plain64,size=1024,sector-size=4096,nofail,headless=true,x-systemd.device-timeout=30s\n"
		"v3 /dev/full /root/pass luks,nofail,headless=true,timeout=30s,keyfile-timeout=30s,token-timeout=30s,x-systemd.device-timeout=30s\n"
		"v4 /dev/random %s/k3.skey plain,cipher=paes-xts-plain64,size=1024,sector-size=512,nofail,headless=true,x-systemd.device-timeout=30s\n",
		repo, repo, repo);
	t_ok(!rc && !strcmp(out, want),
	     "crypttab: plain lines with the .skey, 1024 bits, the key's sector size or 512; the LUKS2 line (%d):\n%s",
	     rc, out);
	rc = CTL("cryptsetup", "v2", "/dev/full");
	snprintf(
		want, sizeof(want),
		"cryptsetup plainOpen --key-file %s/k1.skey --key-size 1024 --cipher paes-xts-plain64 --sector-size 4096 /dev/zero v2\n"
		"cryptsetup luksOpen /dev/full v3\n",
		repo);
	t_ok(!rc && !strcmp(out, want),
	     "cryptsetup: the commands of the volumes named by NAME and DEV (%d):\n%s",
	     rc, out);
	snprintf(want, sizeof(want), "%s/../null-link", repo);
	rc = symlink("/dev/null", want) ?: CTL("cryptsetup", want);
	t_ok(!rc && !strncmp(out, "cryptsetup plainOpen ", 21) &&
		     strstr(out, " /dev/null v1\n") && !strstr(out, "v2"),
	     "cryptsetup: another path to the recorded device selects its volume (%d): %s",
	     rc, out);
	rc = CTL("cryptsetup", "--volumes", "/dev/z*,*:v3");
	snprintf(
		want, sizeof(want),
		"cryptsetup plainOpen --key-file %s/k1.skey --key-size 1024 --cipher paes-xts-plain64 --sector-size 4096 /dev/zero v2\n"
		"cryptsetup luksOpen /dev/full v3\n",
		repo);
	t_ok(!rc && !strcmp(out, want),
	     "cryptsetup --volumes: zkey's filter, by device and by *:NAME (%d):\n%s",
	     rc, out);
	rc = CTL("crypttab", "--volumes", "/dev/nothing*");
	t_ok(!rc && !out[0] && strstr(errout, "no LUKS2 or plain volumes"),
	     "crypttab --volumes: a filter that matches nothing prints nothing, warns (%d): %s",
	     rc, errout);
	rc = CTL("cryptsetup", "--key-file", "/root/pass", "v3");
	t_ok(!rc && !strcmp(out,
			    "cryptsetup luksOpen --key-file /root/pass /dev/full v3\n"),
	     "cryptsetup: luksOpen with --key-file (%d): %s", rc, out);
}

static void check_refusals(void)
{
	int rc;

	rc = CTL("crypttab");
	t_ok(rc == 3 && !out[0] && strstr(errout, "--key-file FILE is needed"),
	     "crypttab: a LUKS2 volume without --key-file: exit 3, nothing on stdout (%d: %s|%s)",
	     rc, out, errout);
	rc = CTL("cryptsetup", "v1", "nosuch");
	t_ok(rc == 2 && !out[0] &&
		     strstr(errout,
			    "no repository key records volume 'nosuch'"),
	     "cryptsetup: an operand no key records: exit 2, nothing on stdout (%d: %s|%s)",
	     rc, out, errout);
	rc = CTL("cryptsetup", "--timeout", "3");
	t_ok(rc == 1 && !out[0],
	     "cryptsetup: --timeout is crypttab's: usage (%d)", rc);
	rc = CTL("cryptsetup", "--token", "--key-file", "/root/pass");
	t_ok(rc == 1 && !out[0],
	     "cryptsetup: --token with --key-file: usage (%d)", rc);
}

static void check_json(void)
{
	struct json_object *j = NULL, *vols = NULL, *v, *f;
	int rc;

	rc = CTL("--json", "cryptsetup", "v1", "v3");
	if (!rc)
		j = json_tokener_parse(out);
	t_ok(j &&
		     json_object_is_type(json_object_object_get(j, "version"),
					 json_type_int) &&
		     json_object_get_int(
			     json_object_object_get(j, "version")) == 1,
	     "cryptsetup --json: version 1, a number (%d): %s", rc, out);
	if (j)
		vols = json_object_object_get(j, "volumes");
	t_ok(vols && json_object_array_length(vols) == 2,
	     "cryptsetup --json: the two volumes asked for");
	v = vols ? json_object_array_get_idx(vols, 0) : NULL;
	f = v ? json_object_object_get(v, "key-bits") : NULL;
	t_ok(f && json_object_is_type(f, json_type_int) &&
		     json_object_get_int(f) == 1024 &&
		     json_object_get_int(json_object_object_get(
			     v, "sector-size")) == 4096 &&
		     !strcmp(json_object_get_string(
				     json_object_object_get(v, "volume-type")),
			     "plain") &&
		     !strncmp(json_object_get_string(
				      json_object_object_get(v, "command")),
			      "cryptsetup plainOpen ", 21),
	     "cryptsetup --json: a plain volume's key-bits and sector-size are numbers, its command is plainOpen");
	v = vols ? json_object_array_get_idx(vols, 1) : NULL;
	f = v ? json_object_object_get(v, "key-file") : (void *)1;
	t_ok(v && !f &&
		     !strcmp(json_object_get_string(
				     json_object_object_get(v, "volume-type")),
			     "luks2"),
	     "cryptsetup --json: a LUKS2 volume without --key-file has key-file null");
	json_object_put(j);
	j = NULL;
	rc = CTL("--json", "crypttab", "v4");
	if (!rc)
		j = json_tokener_parse(out);
	vols = j ? json_object_object_get(j, "volumes") : NULL;
	v = vols ? json_object_array_get_idx(vols, 0) : NULL;
	t_ok(v && strstr(json_object_get_string(
				 json_object_object_get(v, "line")),
			 ",sector-size=512,"),
	     "crypttab --json: the line of v4 (%d): %s", rc, out);
	json_object_put(j);
}

int main(void)
{
	static const char *const o1[] = { "--volumes",
					  "/dev/null:v1,/dev/zero:v2",
					  "--volume-type",
					  "plain",
					  "--sector-size",
					  "4096",
					  NULL };
	static const char *const o2[] = { "--volumes", "/dev/full:v3",
					  "--volume-type", "luks2", NULL };
	static const char *const o3[] = { "--volumes", "/dev/random:v4",
					  "--volume-type", "plain", NULL };
	char *dir, *real;
	int ret;

	t_plan(16);
	dir = t_mkdtemp();
	snprintf(repo, sizeof(repo), "%s/repo", dir);
	ret = mkdir(repo, 0700) || import(dir, "k1", 1, o1) ||
	      import(dir, "k2", 3, o2) || import(dir, "k3", 5, o3);
	real = realpath(repo, NULL);
	if (real)
		snprintf(repo, sizeof(repo), "%s", real);
	free(real);
	t_ok(!ret, "a repository of two plain keys and a LUKS2 key (%s)",
	     errout);
	check_lines();
	check_refusals();
	check_json();
	t_rmrf(dir);
	free(dir);
	return t_done();
}
