/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libprotkey: the internal library of protkeyctl. Secure-key tokens, the
 * key repository (zkey's layout), zkey import, and the clients of the
 * kernel interfaces: the protkey_emu generic netlink family, the kernel
 * keyring (libkeyutils), LUKS2 (libcryptsetup), plain dm-crypt mappings
 * (libdevmapper) and /dev/pkey (the IBM Z pkey driver's ioctls, or
 * protkey_emu.ko's emulation of them).
 *
 * Conventions: functions return 0 or a negative errno and, on error, fill
 * a struct pk_err with one line saying what failed (without the errno
 * text, which the caller appends). Buffers holding secure keys are wiped
 * before they are freed.
 */
#ifndef PROTKEY_LIB_H
#define PROTKEY_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a failure comes from; protkeyctl maps it to an exit code. */
enum pk_origin {
	PK_ORIGIN_LOCAL = 0,
	PK_ORIGIN_PLATFORM, /* the kernel or the (emulated) platform said no */
	PK_ORIGIN_PASSPHRASE, /* no keyslot opens with the passphrase */
};

/**
 * struct pk_err - what went wrong
 * @origin: &enum pk_origin
 * @msg: one line, no trailing newline; empty when unset
 */
struct pk_err {
	int origin;
	char msg[512];
};

int pk_err_set(struct pk_err *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pk_err_platform(struct pk_err *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* util.c */
void pk_wipe_free(void *p, size_t len);
void pk_hex_encode(const uint8_t *in, size_t len, char *out);
int pk_hex_decode(const char *in, uint8_t *out, size_t len);
void pk_sha256(const void *data, size_t len, uint8_t out[32]);

/*
 * Fault injection, for the interruption tests only: compiled into
 * protkeyctl-faults (make faults: PK_TEST_FAULTS), never into protkeyctl
 * or the packages. pk_fault() is PROTKEYCTL_FAULT there, NULL otherwise;
 * pk_fault_point(@step) kills the process with SIGKILL where it names
 * @step, as kill -9 would.
 */
#ifdef PK_TEST_FAULTS
const char *pk_fault(void);
void pk_fault_point(const char *step);
#else
static inline const char *pk_fault(void)
{
	return NULL;
}

static inline void pk_fault_point(const char *step)
{
	(void)step;
}
#endif

/* -v/--verbose: libcryptsetup's messages and debug log on stderr. */
extern bool pk_verbose;
void pk_set_verbose(bool on);
void pk_cs_log(int level, const char *msg);
int pk_read_file(int dirfd, const char *path, size_t max, uint8_t **buf,
		 size_t *len, struct pk_err *err);
int pk_write_atomic(int dirfd, const char *name, const void *buf, size_t len,
		    struct pk_err *err);
int pk_write_path(const char *path, const void *buf, size_t len,
		  struct pk_err *err);
void pk_now(char *buf, size_t len);
int pk_parse_uint(const char *s, unsigned long max, unsigned long *val);
int pk_dev_persistent(const char *dev, const char *const *dirs, char *out,
		      size_t len);

/* token.c: secure-key tokens */
#define PK_TOKEN_HDR_SIZE 8
#define PK_CCA_AESDATA_SIZE 64
/* zkey's EP11-AES key: 272 bytes with the header, padded to 336. */
#define PK_EP11_MAX_SIZE 336
#define PK_WKVP_SIZE 16
/* struct uvsecrettoken: an Ultravisor secret's type, length and ID. */
#define PK_UV_TOKEN_SIZE 44
#define PK_UV_SECRET_ID_SIZE 32
#define PK_XTS_BLOB_MAX 1024
#define PK_VP_SIZE 32
#define PK_VP_HEX (2 * PK_VP_SIZE)

/**
 * struct pk_token_info - what a secure-key token says about itself
 * @type: key-type name as zkey spells it ("CCA-AESDATA")
 * @size: token size in bytes
 * @bits: clear key size in bits
 * @mkvp: master-key verification pattern (host order); EP11: the first
 *	8 bytes of @wkvp
 * @has_wkvp: an EP11 key: @wkvp is set
 * @wkvp: EP11: the first 16 bytes of the wrapping key's verification
 *	pattern, as the key blob holds them
 * @has_secret_id: an Ultravisor secret token: @secret_type and
 *	@secret_id are set, @mkvp is 0 (no HSM involved)
 * @secret_type: the UV secret's type (enum uv_secret_types)
 * @secret_id: the UV secret's ID
 */
struct pk_token_info {
	const char *type;
	size_t size;
	unsigned int bits;
	uint64_t mkvp;
	bool has_wkvp;
	uint8_t wkvp[PK_WKVP_SIZE];
	bool has_secret_id;
	uint16_t secret_type;
	uint8_t secret_id[PK_UV_SECRET_ID_SIZE];
	bool full_xts;
};

/**
 * struct pk_xts_info - an XTS secure key: two tokens back to back, or the
 *	one token of an Ultravisor AES-XTS secret (a full-XTS key)
 * @half: the two halves, data key then tweak key (for a full-XTS token
 *	both describe the one token, whose @full_xts is set)
 * @key_size_bits: what cryptsetup's --key-size takes (blob size x 8)
 */
struct pk_xts_info {
	struct pk_token_info half[2];
	unsigned int key_size_bits;
};

int pk_token_parse(const uint8_t *tok, size_t len, struct pk_token_info *info,
		   struct pk_err *err);
int pk_xts_parse(const uint8_t *blob, size_t len, struct pk_xts_info *info,
		 struct pk_err *err);
void pk_uv_token_build(uint16_t type, uint16_t len,
		       const uint8_t id[PK_UV_SECRET_ID_SIZE], uint8_t *tok);
uint32_t pk_cca_tvv(const uint8_t *tok);
void pk_cca_set_tvv(uint8_t *tok);

/* info.c: the .info properties file */
enum pk_prop {
	PK_P_KEY_TYPE,
	PK_P_CIPHER,
	PK_P_IV_MODE,
	PK_P_DESCRIPTION,
	PK_P_VOLUMES,
	PK_P_APQNS,
	PK_P_SECTOR_SIZE,
	PK_P_CREATION_TIME,
	PK_P_UPDATE_TIME,
	PK_P_REENCIPHER_TIME,
	PK_P_VP,
	PK_P_VOLUME_TYPE,
	PK_P_COUNT
};

#define PK_INFO_LINE_MAX 4096
#define PK_INFO_FILE_MAX (64 * 1024)

/* Parse flags. */
enum pk_info_flags {
	PK_INFO_ZKEY = 1
		       << 0, /* a zkey file: zkey-only names, zkey's defaults */
};

/**
 * struct pk_info - the properties of one key
 * @val: each property's value (malloc'ed), NULL when absent
 * @kms: a zkey file's "kms" property (the KMS plugin zkey bound the key
 *	to; "LOCAL" or absent: none), malloc'ed; never written out
 */
struct pk_info {
	char *val[PK_P_COUNT];
	char *kms;
};

const char *pk_prop_name(enum pk_prop p);
int pk_info_parse(const char *text, size_t len, unsigned int flags,
		  struct pk_info *info, struct pk_err *err);
int pk_info_set(struct pk_info *info, enum pk_prop p, const char *val,
		struct pk_err *err);
const char *pk_info_get(const struct pk_info *info, enum pk_prop p);
/*
 * Whether a comma-separated list of fnmatch(3) patterns @filters (NULL:
 * everything) matches a comma-separated list of @values, with zkey's
 * rules: a pattern without ':' ignores each value's ":..." part; with
 * @apqn, patterns are padded to "CC.DDDD" and matched ignoring case
 * (lib/filter.c).
 */
bool pk_filter_match(const char *values, const char *filters, bool apqn);
char *pk_info_format(const struct pk_info *info);
void pk_info_free(struct pk_info *info);
int pk_info_check(const struct pk_info *info, struct pk_err *err);

/* A new LUKS2 volume's sector size when neither option nor key says one. */
#define PK_SECTOR_SIZE_DEFAULT 4096
unsigned int pk_info_sector_size(const struct pk_info *info, unsigned long opt);

/* repo.c: the key repository */
#define PK_REPO_DEFAULT "/etc/protkey"
#define PK_REPO_ENV "PROTKEY_REPOSITORY"
#define PK_NAME_MAX 64

/**
 * struct pk_repo - an open repository
 * @dir: its path
 * @dirfd: the directory, O_PATH-free read fd
 * @lockfd: the .lock file, flock()ed while open
 */
struct pk_repo {
	char dir[4096];
	int dirfd;
	int lockfd;
};

/**
 * struct pk_key - a key read from the repository
 * @name: its name
 * @blob: the secure key (.skey), wiped on free
 * @len: its size
 * @renc: the staged re-enciphered key (.renc), or NULL
 * @renc_len: its size
 * @info: the properties (.info)
 * @xts: what the blob's tokens say
 * @has_pass: the key has a dummy passphrase file (.pass)
 */
struct pk_key {
	char name[PK_NAME_MAX + 1];
	uint8_t *blob;
	size_t len;
	uint8_t *renc;
	size_t renc_len;
	struct pk_info info;
	struct pk_xts_info xts;
	bool has_pass;
};

enum pk_repo_flags {
	PK_REPO_CREATE = 1 << 0, /* create the directory if missing */
	PK_REPO_WRITE = 1 << 1, /* exclusive lock, else shared */
};

const char *pk_repo_default_dir(const char *opt);
int pk_repo_open(struct pk_repo *repo, const char *dir, unsigned int flags,
		 struct pk_err *err);
void pk_repo_close(struct pk_repo *repo);
int pk_name_check(const char *name, struct pk_err *err);
int pk_repo_list(struct pk_repo *repo, char ***names, size_t *n,
		 struct pk_err *err);
void pk_names_free(char **names, size_t n);
int pk_repo_exists(struct pk_repo *repo, const char *name);
int pk_repo_read(struct pk_repo *repo, const char *name, struct pk_key *key,
		 struct pk_err *err);
void pk_key_free(struct pk_key *key);
int pk_repo_add(struct pk_repo *repo, const char *name, const uint8_t *blob,
		size_t len, struct pk_info *info, struct pk_err *err);
int pk_repo_add_pass(struct pk_repo *repo, const char *name,
		     const uint8_t *blob, size_t len, const uint8_t *pass,
		     size_t pass_len, struct pk_info *info, struct pk_err *err);
int pk_repo_write_info(struct pk_repo *repo, const char *name,
		       struct pk_info *info, struct pk_err *err);
int pk_repo_stage_renc(struct pk_repo *repo, struct pk_key *key,
		       const uint8_t *blob, size_t len, struct pk_err *err);
int pk_repo_complete_renc(struct pk_repo *repo, struct pk_key *key,
			  struct pk_err *err);
int pk_repo_replace_blob(struct pk_repo *repo, struct pk_key *key,
			 const uint8_t *blob, size_t len, struct pk_err *err);
int pk_repo_remove(struct pk_repo *repo, const char *name, struct pk_err *err);
int pk_repo_remove_check(struct pk_repo *repo, const char *name,
			 struct pk_err *err);
int pk_key_read_files(int dirfd, const char *name, unsigned int flags,
		      struct pk_key *key, struct pk_err *err);
void pk_info_defaults(struct pk_info *info, const char *key_type);

/* zkey.c: import from a zkey repository */
/**
 * struct pk_zkey_result - how one key of a zkey import fared
 * @name: its name in the zkey repository
 * @imported: it is in our repository now
 * @ret: 0, or why it was skipped (negative errno)
 * @reason: one line saying why it was skipped ("what: strerror"); empty
 *	when imported
 * @pass: its dummy passphrase (.pass) came with it
 */
struct pk_zkey_result {
	char name[256];
	bool imported;
	int ret;
	char reason[640];
	bool pass;
};

int pk_zkey_read(int dirfd, const char *name, struct pk_key *key,
		 struct pk_err *err);
int pk_zkey_import(struct pk_repo *repo, const char *zdir, const char *pattern,
		   struct pk_zkey_result **res, size_t *n, struct pk_err *err);

/* nl.c: the protkey_emu family */
struct pk_nl;

#define PK_EMU_MAX_ADAPTERS 64

/**
 * struct pk_emu_adapter - one emulated adapter (APQN)
 * @apqn: (card << 16) | domain
 * @online: usable now
 * @has: bit (reg - 1) set when register reg (NEW, CURRENT, OLD) is loaded
 * @mkvp: MKVP per register, indexed by reg - 1
 * @mode: &enum protkey_emu_mode (0 when not reported)
 * @has_wkvp: @wkvp holds an EP11 CURRENT wrapping key's pattern
 * @wkvp: that pattern
 * @has_bs: an SE guest's queue: @bs holds its binding state
 * @bs: &enum protkey_emu_se_bs
 * @has_assoc_idx: @assoc_idx holds the secret index of an association
 *	(done or pending)
 * @assoc_idx: that index
 * @bind_text: what the kernel's se_bind attribute would read
 * @assoc_text: what se_associate would read
 */
struct pk_emu_adapter {
	uint32_t apqn;
	bool online;
	unsigned int has;
	uint64_t mkvp[3];
	uint32_t mode;
	bool has_wkvp;
	uint8_t wkvp[32];
	bool has_bs;
	uint32_t bs;
	bool has_assoc_idx;
	uint32_t assoc_idx;
	char bind_text[32];
	char assoc_text[32];
};

/**
 * struct pk_emu_state - GET_STATE, parsed
 * @wk_gen: wrapping-key generation
 * @se_guest: the emulated machine is a Secure Execution guest
 * @uv_locked: the UV secret store is locked
 * @uv_count: secrets in the UV store
 * @cnt: counters, indexed by PROTKEY_EMU_CNT_A_*
 * @n: number of adapters
 * @ad: the adapters
 */
struct pk_emu_state {
	uint64_t wk_gen;
	bool se_guest;
	bool uv_locked;
	uint32_t uv_count;
	uint64_t cnt[16];
	int n;
	struct pk_emu_adapter ad[PK_EMU_MAX_ADAPTERS];
};

int pk_nl_open(struct pk_nl **nl, const char *family, struct pk_err *err);
void pk_nl_close(struct pk_nl *nl);
int pk_emu_generate(struct pk_nl *nl, unsigned int bits, uint8_t *tok,
		    struct pk_err *err);
int pk_emu_generate_xts(struct pk_nl *nl, unsigned int bits, uint8_t *blob,
			size_t *len, struct pk_err *err);
int pk_emu_generate_xts_type(struct pk_nl *nl, uint32_t key_type,
			     unsigned int bits, uint8_t *blob, size_t *len,
			     struct pk_err *err);
int pk_emu_reencipher(struct pk_nl *nl, const uint8_t *tok, size_t len,
		      int mode, uint8_t *out, struct pk_err *err);
int pk_emu_get_state(struct pk_nl *nl, struct pk_emu_state *st,
		     struct pk_err *err);
int pk_emu_migrate(struct pk_nl *nl, uint32_t outage_ms, uint64_t *wk_gen,
		   struct pk_err *err);
int pk_emu_mk_load(struct pk_nl *nl, int64_t apqn, const uint8_t *mk,
		   struct pk_err *err);
int pk_emu_mk_set(struct pk_nl *nl, int64_t apqn, struct pk_err *err);
int pk_emu_mk_commit(struct pk_nl *nl, int64_t apqn, struct pk_err *err);
int pk_emu_mk_clear(struct pk_nl *nl, int64_t apqn, uint32_t reg,
		    struct pk_err *err);
int pk_emu_adapter_set(struct pk_nl *nl, int64_t apqn, bool online,
		       struct pk_err *err);
int pk_emu_adapter_mode(struct pk_nl *nl, int64_t apqn, uint32_t mode,
			struct pk_err *err);
int pk_emu_set_latency(struct pk_nl *nl, uint32_t us, uint32_t query_us,
		       struct pk_err *err);
int pk_emu_set_busy(struct pk_nl *nl, uint32_t count, struct pk_err *err);
int pk_emu_se_set(struct pk_nl *nl, int guest, const uint8_t *image_key,
		  struct pk_err *err);
int pk_emu_se_bind(struct pk_nl *nl, uint32_t apqn, bool bind,
		   struct pk_err *err);
int pk_emu_se_associate(struct pk_nl *nl, uint32_t apqn, uint32_t idx,
			struct pk_err *err);
int pk_emu_uv_add(struct pk_nl *nl, const uint8_t *req, size_t len, bool force,
		  uint32_t *idx, struct pk_err *err);
int pk_emu_uv_list(struct pk_nl *nl, uint32_t from, uint8_t *page, bool *more,
		   struct pk_err *err);
int pk_emu_uv_lock(struct pk_nl *nl, struct pk_err *err);
int pk_emu_guest_reboot(struct pk_nl *nl, struct pk_err *err);
#define PK_APQN_STR_MAX 8
int pk_apqn_parse(const char *s, uint32_t *apqn);
void pk_apqn_format(uint32_t apqn, char buf[PK_APQN_STR_MAX]);

/* event.c: the events of protkey.ko's "events" group, checked */
#define PK_EVENT_VP_SIZE 32
#define PK_EVENT_CAUSE_MAX 256

struct nlmsghdr;
struct sockaddr_nl;

/**
 * struct pk_event - one event of the "events" group, as pk_event_parse()
 *	checked it
 * @cmd: the event's PROTKEY_CMD_*
 * @name: its name ("key-needs-reencipher"), static
 * @has: bit (1 << PROTKEY_A_*) set for each attribute present; the fields
 *	below are 0 for those absent
 * @serial: PROTKEY_A_SERIAL, never 0 when present
 * @vp: PROTKEY_A_VP
 * @wk_gen: PROTKEY_A_WK_GEN
 * @latency_us: PROTKEY_A_LATENCY_US
 * @waited_ms: PROTKEY_A_WAITED_MS
 * @err: PROTKEY_A_ERRNO, a positive errno
 * @failed_requests: PROTKEY_A_FAILED_REQUESTS
 * @mkvp: PROTKEY_A_MKVP_DATA and PROTKEY_A_MKVP_TWEAK
 * @match: PROTKEY_A_MK_MATCH_DATA and PROTKEY_A_MK_MATCH_TWEAK, &enum
 *	protkey_match (not range-checked: a later kernel may add values)
 * @cause: PROTKEY_A_CAUSE, NUL-terminated; empty when absent
 */
struct pk_event {
	uint8_t cmd;
	const char *name;
	uint32_t has;
	uint32_t serial;
	uint8_t vp[PK_EVENT_VP_SIZE];
	uint64_t wk_gen;
	uint64_t latency_us;
	uint32_t waited_ms;
	uint32_t err;
	uint64_t failed_requests;
	uint64_t mkvp[2];
	uint32_t match[2];
	char cause[PK_EVENT_CAUSE_MAX];
};

static inline bool pk_event_has(const struct pk_event *ev, int attr)
{
	return (ev->has >> attr) & 1;
}

bool pk_event_from_kernel(const struct sockaddr_nl *src);
const char *pk_event_attr_name(int type);
int pk_event_parse(struct nlmsghdr *nlh, const struct sockaddr_nl *src,
		   int family, struct pk_event *ev, struct pk_err *err);

/* notify.c: sd_notify(3) without libsystemd */
int pk_sd_notify(const char *state);

/* hook.c: a shell command run on an event, not waited for */
/**
 * struct pk_hook_var - one environment variable of a hook
 * @name: its name
 * @value: its value, or NULL to remove it from the hook's environment
 */
struct pk_hook_var {
	const char *name;
	const char *value;
};

int pk_hook_spawn(const char *cmd, const struct pk_hook_var *vars, size_t n,
		  pid_t *pid, struct pk_err *err);

/* pkey.c: the /dev/pkey ioctls (IBM Z pkey, or protkey_emu's device) */
#define PK_PKEY_DEVICE_ENV "PROTKEY_PKEY_DEVICE"

struct protkey_pkey_apqn;
struct pk_pkey;

/**
 * struct pk_pkey_ops - how libprotkey issues the /dev/pkey ioctls
 * @ioctl: issue @req with argument @arg on @pk; the unit tests put a fake
 *	device here
 *
 * Context: may sleep (the real device talks to the crypto adapters).
 * Return of @ioctl: 0 or a negative errno, as ioctl(2) set errno.
 */
struct pk_pkey_ops {
	int (*ioctl)(struct pk_pkey *pk, unsigned long req, void *arg);
};

/**
 * struct pk_pkey - an open /dev/pkey
 * @fd: the device, or -1 with a fake @ops
 * @ops: the ioctl layer; pk_pkey_open() sets the real one
 * @priv: the fake device's state (tests), else NULL
 */
struct pk_pkey {
	int fd;
	const struct pk_pkey_ops *ops;
	void *priv;
};

/**
 * struct pk_apqn_list - APQNs as the pkey ioctls take them
 * @a: the APQNs, malloc'ed (NULL when @n is 0)
 * @n: how many
 */
struct pk_apqn_list {
	struct protkey_pkey_apqn *a;
	uint32_t n;
};

/**
 * struct pk_pkey_gen - what pk_pkey_generate_xts() is to make
 * @key_type: PROTKEY_EMU_KEY_CCA_AESDATA or PROTKEY_EMU_KEY_EP11_AES
 * @bits: each half's AES key size, 128 or 256
 * @apqns: "CC.DDDD,..." (--apqns): only these may generate, or NULL
 * @strict: every APQN of @apqns must be usable for @key_type and end up
 *	holding the key's CURRENT master key (zkey's rule for EP11 keys);
 *	otherwise @apqns only narrows the lists (zkey's rule for CCA)
 * @explain: optional: why @apqn is not usable for @key_type; sets @err
 *	and returns a negative errno, or returns 0 when it cannot tell (the
 *	generic message is used then)
 * @ctx: for @explain
 */
struct pk_pkey_gen {
	uint32_t key_type;
	unsigned int bits;
	const char *apqns;
	bool strict;
	int (*explain)(void *ctx, uint32_t apqn, struct pk_err *err);
	void *ctx;
};

const char *pk_pkey_path(void);
int pk_pkey_open(struct pk_pkey *pk, struct pk_err *err);
int pk_pkey_mk_match(struct pk_pkey *pk, const struct pk_token_info *h,
		     const char *apqns, const char **match, struct pk_err *err);
void pk_pkey_close(struct pk_pkey *pk);
struct protkey_pkey_genseck2;
struct protkey_pkey_verifykey2;
struct protkey_pkey_apqns4key;
struct protkey_pkey_apqns4keytype;
struct protkey_pkey_kblob2pkey3;
int pk_pkey_genseck2(struct pk_pkey *pk, struct protkey_pkey_genseck2 *arg);
int pk_pkey_verifykey2(struct pk_pkey *pk, struct protkey_pkey_verifykey2 *arg);
int pk_pkey_apqns4k(struct pk_pkey *pk, struct protkey_pkey_apqns4key *arg);
int pk_pkey_apqns4kt(struct pk_pkey *pk,
		     struct protkey_pkey_apqns4keytype *arg);
int pk_pkey_kblob2protk3(struct pk_pkey *pk,
			 struct protkey_pkey_kblob2pkey3 *arg);
uint32_t pk_pkey_type(uint32_t key_type);
const char *pk_pkey_type_name(uint32_t key_type);
int pk_pkey_apqns_for_type(struct pk_pkey *pk, uint32_t type, uint32_t flags,
			   const uint8_t *cur_mkvp, size_t mkvp_len,
			   struct pk_apqn_list *list, struct pk_err *err);
int pk_pkey_apqns_for_key(struct pk_pkey *pk, const uint8_t *key, size_t len,
			  uint32_t flags, struct pk_apqn_list *list,
			  struct pk_err *err);
int pk_apqn_list_filter(struct pk_apqn_list *list, const char *filter,
			struct pk_err *err);
bool pk_apqn_list_has(const struct pk_apqn_list *list, uint32_t apqn);
void pk_apqn_list_free(struct pk_apqn_list *list);
int pk_pkey_generate_xts(struct pk_pkey *pk, const struct pk_pkey_gen *req,
			 uint8_t *blob, size_t size, size_t *len,
			 struct pk_err *err);

/**
 * struct pk_platform - which key-management platform this system has
 * @device: the /dev/pkey path probed
 * @device_present: it exists
 * @device_ret: 0 when it opens read-write, else the negative errno
 * @provider: "emulated (protkey_emu)", "IBM Z pkey" or "none"
 * @protkey_loaded: protkey.ko is loaded
 */
struct pk_platform {
	const char *device;
	bool device_present;
	int device_ret;
	const char *provider;
	bool protkey_loaded;
};

void pk_platform_probe(const char *sysfs, struct pk_platform *p);

/* apconf.c: pvapconfig's configuration file */
enum { PK_APCONF_EP11 = 1, PK_APCONF_ACCEL };

/**
 * struct pk_apconf_entry - one AP config entry, as read and then checked
 * @name: the secret's name (trimmed); its SHA-256 is the secret ID
 * @description: free text
 * @mode_text: "EP11" or "Accel", as written
 * @mkvp_text: the EP11 wrapping-key pattern, as written
 * @serialnr_text: the card's serial number, as written
 * @secretid_text: the association secret's ID, as written
 * @mode: PK_APCONF_EP11 or PK_APCONF_ACCEL, after the check
 * @mkvp: EP11: 32 lower-case hex digits (the first 16 bytes), else ""
 * @serialnr: EP11: "" or 16 characters without blanks, else ""
 * @mingen: "" or "cex4".."cex8" (EP11: "cex8" only), lower case
 * @secretid: EP11: 64 lower-case hex digits, else ""
 */
struct pk_apconf_entry {
	char name[256];
	char description[256];
	char mode_text[16];
	char mkvp_text[80];
	char serialnr_text[64];
	char secretid_text[80];
	int mode;
	char mkvp[33];
	char serialnr[64];
	char mingen[16];
	char secretid[65];
};

int pk_apconf_parse(const char *text, size_t len, struct pk_apconf_entry **out,
		    size_t *n, struct pk_err *err);

/* se.c: Secure Execution secrets */
#define PK_UV_ID_SIZE 32
#define PK_UV_TYPE_NAME_MAX 32

/**
 * struct pk_uv_entry - one secret of a List Secrets page
 * @index: its index in the store
 * @type: its type (the kernel's enum uv_secret_types)
 * @len: its length as listed
 * @id: its ID
 */
struct pk_uv_entry {
	uint16_t index;
	uint16_t type;
	uint32_t len;
	uint8_t id[PK_UV_ID_SIZE];
};

/**
 * struct pk_uv_list - one List Secrets page, decoded
 * @n: entries in this page
 * @total: secrets stored
 * @next_idx: the index to list from for the next page
 * @e: the entries
 */
struct pk_uv_list {
	unsigned int n, total, next_idx;
	struct pk_uv_entry e[85];
};

void pk_uv_name_to_id(const char *name, uint8_t id[PK_UV_ID_SIZE]);
const char *pk_uv_type_name(uint16_t type, char buf[PK_UV_TYPE_NAME_MAX]);
unsigned int pk_uv_secret_len(uint16_t type);
void pk_uv_id_str(const uint8_t *id, char *buf, size_t size);
#define PK_UV_ID_STR_MAX (PK_UV_ID_SIZE + 3 + 2 + 2 * PK_UV_ID_SIZE + 1)
int pk_uv_list_parse(const uint8_t *page, struct pk_uv_list *list,
		     struct pk_err *err);
int pk_uv_request(const uint8_t *image_key, uint16_t type, const uint8_t *id,
		  const uint8_t *secret, unsigned int len,
		  const uint8_t nonce[16], uint8_t *req, struct pk_err *err);
int pk_uv_request_check(const uint8_t *req, size_t len, uint16_t *type,
			uint8_t *id, struct pk_err *err);
const char *pk_mk_match(const struct pk_emu_state *st, uint64_t mkvp,
			const char *apqns);

/* keyring.c */
#define PK_LOGON_PREFIX "protkey:"
#define PK_KEYRING_NAME ".protkey"

/**
 * struct pk_live_key - a live key object of protkey.ko (KEY_GET dump)
 * @serial: its key's serial in ".protkey", 0 when it has none
 * @desc: its description there: the verification pattern in hex
 * @state: &enum protkey_state
 * @key_type: its secure-key type ("CCA-AESDATA")
 * @mkvp: the halves' master-key verification patterns
 * @match: the halves' &enum protkey_match
 * @wk_gen: wrapping-key generation of the last derive
 * @derives: successful derives of a half
 * @derive_errors: failed derive calls
 * @stalls: re-derivation episodes
 * @failures: episodes that failed their I/O
 * @failed_requests: requests failed with EIO
 * @last_error: positive errno of the last failed derive, or 0
 * @last_stall_ms: duration of the last episode
 * @users: references held (one per tfm)
 */
struct pk_live_key {
	int32_t serial;
	char desc[2 * PK_EVENT_VP_SIZE + 1];
	uint32_t state;
	char key_type[64];
	uint64_t mkvp[2];
	uint32_t match[2];
	uint64_t wk_gen, derives, derive_errors, stalls, failures,
		failed_requests;
	uint32_t last_error, last_stall_ms, users;
};

int pk_key_state_parse(struct nlmsghdr *nlh, int family, struct pk_live_key *k,
		       struct pk_err *err);
int pk_keyring_load(const char *name, const uint8_t *blob, size_t len,
		    int32_t *serial, struct pk_err *err);
int pk_keyring_unload(const char *name, struct pk_err *err);
int pk_keyring_load_thread(const char *name, const uint8_t *blob, size_t len,
			   int32_t *serial, struct pk_err *err);
void pk_keyring_unload_thread(int32_t serial);
bool pk_keyring_present(const char *name);
int pk_keyring_list(struct pk_live_key **keys, size_t *n, struct pk_err *err);
void pk_live_keys_free(struct pk_live_key *keys, size_t n);
int pk_vp_compute(const uint8_t *blob, size_t len, char vp_hex[PK_VP_HEX + 1],
		  struct pk_err *err);
int pk_keyring_update_live(const uint8_t *blob, size_t len, const char *vp,
			   int32_t *serial, struct pk_err *err);

/* luks.c */
/**
 * struct pk_luks_status - an open LUKS2 (or plain) mapping
 * @active: the mapping exists
 * @cipher: cipher and mode, e.g. "paes-xts-plain64"
 * @key_bits: volume key size in bits
 * @device: the underlying device
 * @offset: data offset in 512-byte sectors
 * @size: size in 512-byte sectors
 * @sector_size: encryption sector size
 * @type: "LUKS2", "PLAIN", ...
 * @vp: verification pattern of the paes-verification-pattern token, or ""
 * @ivp: that token's integrity-verification-pattern (zkey-cryptsetup's,
 *	of an integrity key), or ""
 */
struct pk_luks_status {
	bool active;
	char cipher[64];
	int key_bits;
	char device[256];
	uint64_t offset;
	uint64_t size;
	int sector_size;
	char type[16];
	char vp[PK_VP_HEX + 1];
	char ivp[PK_VP_HEX + 1];
};

/**
 * struct pk_luks_pbkdf - the KDF of a new volume's keyslot, as cryptsetup's
 *	options choose it; all unset: the settings "zkey cryptsetup" prints
 * @type: --pbkdf: "pbkdf2", "argon2i" or "argon2id", or NULL
 * @iterations: --pbkdf-force-iterations (no benchmark), or 0
 * @memory_kb: --pbkdf-memory in KiB (Argon2), or 0
 * @time_ms: --iter-time in ms (the benchmark's target), or 0
 * @fips: -1: /proc/sys/crypto/fips_enabled decides zkey's default
 *	(PBKDF2 in FIPS mode, else Argon2i); 0 or 1 overrides it (tests)
 */
struct pk_luks_pbkdf {
	const char *type;
	uint32_t iterations;
	uint32_t memory_kb;
	uint32_t time_ms;
	int fips;
};

int pk_luks_format(const char *dev, const uint8_t *blob, size_t len,
		   const char *vp, const char *pass, size_t pass_len,
		   int sector_size, const struct pk_luks_pbkdf *pbkdf,
		   struct pk_err *err);
int pk_luks_present(const char *dev);
int pk_luks_open(const char *dev, const char *name, const char *pass,
		 size_t pass_len, struct pk_err *err);
int pk_luks_close(const char *name, struct pk_err *err);
int pk_luks_status(const char *name, struct pk_luks_status *st,
		   struct pk_err *err);
int pk_luks_token_vp(const char *dev, char vp[PK_VP_HEX + 1],
		     char ivp[PK_VP_HEX + 1], struct pk_err *err);

#define PK_LUKS_SLOTS 32
int pk_luks_keyslots(void);
int pk_luks_tokens(void);

/**
 * struct pk_luks_renc - a staged re-encipher ("paes-reencipher" token)
 * @token: the token's number, -1 when there is none
 * @original: the keyslot being replaced
 * @unbound: the keyslot holding the re-enciphered key
 * @original_state: crypt_keyslot_status() of @original
 * @unbound_state: crypt_keyslot_status() of @unbound
 * @vp: the verification pattern the token records
 * @ivp: its integrity-verification-pattern, or "" (written only when set)
 */
struct pk_luks_renc {
	int token;
	int original;
	int unbound;
	int original_state;
	int unbound_state;
	char vp[PK_VP_HEX + 1];
	char ivp[PK_VP_HEX + 1];
};

int pk_luks_renc_state(const char *dev, struct pk_luks_renc *st,
		       struct pk_err *err);
int pk_luks_volume_key(const char *dev, int slot, const char *pass,
		       size_t pass_len, uint8_t *vk, size_t *vk_len,
		       struct pk_err *err);
int pk_luks_renc_stage(const char *dev, const char *pass, size_t pass_len,
		       const uint8_t *vk, size_t vk_len, int original,
		       const char *vp, bool replace, int *unbound,
		       struct pk_err *err);
int pk_luks_renc_finish(const char *dev, const char *pass, size_t pass_len,
			const uint8_t *vk, size_t vk_len, bool remove,
			int *left, int *removed, struct pk_err *err);
int pk_luks_unbound_remove(const char *dev, int *left, int *removed,
			   struct pk_err *err);

/* luks2_protkey.c: the "protkey" LUKS2 token (its JSON: see the file) */
#define PK_LT_TYPE "protkey"
#define PK_LT_VERSION 1
#define PK_LT_PASS_LEN 64 /* hex characters of the keyslot passphrase */
#define PK_LT_SEALED_MAX 256

/**
 * struct pk_lt - a protkey token
 * @keyslots: the keyslots it unlocks
 * @n_keyslots: how many
 * @key_type: the wrapping key's type: "CCA-AESDATA", "EP11-AES" or
 *	"PVSECRET-AES" (an Ultravisor secret reference)
 * @key_name: its repository name, or ""
 * @key: the wrapping XTS secure key
 * @key_len: its length
 * @staged: the wrapping key re-enciphered under the NEW master key by
 *	"volume reencipher --staged", tried when @key does not derive
 * @staged_len: its length, 0 without one
 * @vp: its verification pattern (hex)
 * @pat: what binds @key to the platform, one per distinct half: CCA the
 *	8-byte MKVP, EP11 the 16-byte WKVP, PVSECRET-AES the 32-byte secret ID
 * @pat_size: the size of one, by @key_type
 * @n_pat: 1, or 2 when the halves differ
 * @iv: the XTS tweak of @sealed
 * @sealed: the keyslot passphrase enciphered with xts(paes) under @key
 * @sealed_len: its length
 */
struct pk_lt {
	int keyslots[PK_LUKS_SLOTS];
	int n_keyslots;
	char key_type[32];
	char key_name[PK_NAME_MAX + 1];
	uint8_t key[PK_XTS_BLOB_MAX];
	size_t key_len;
	uint8_t staged[PK_XTS_BLOB_MAX];
	size_t staged_len;
	char vp[PK_VP_HEX + 1];
	uint8_t pat[2][PK_UV_SECRET_ID_SIZE];
	size_t pat_size;
	int n_pat;
	uint8_t iv[16];
	uint8_t sealed[PK_LT_SEALED_MAX];
	size_t sealed_len;
};

int pk_lt_parse(const char *json, struct pk_lt *lt, struct pk_err *err);
void pk_lt_wipe(struct pk_lt *lt);
char *pk_lt_format(const struct pk_lt *lt);
int pk_lt_seal(struct pk_lt *lt, const uint8_t *key, size_t key_len,
	       const char *key_name, char pass[PK_LT_PASS_LEN + 1],
	       struct pk_err *err);
int pk_lt_set_key(struct pk_lt *lt, const uint8_t *key, size_t key_len,
		  struct pk_err *err);
int pk_lt_unseal(const struct pk_lt *lt, uint8_t *pass, struct pk_err *err);
void pk_lt_describe(const struct pk_lt *lt, char *buf, size_t len);
const char *pk_lt_pattern_what(const struct pk_lt *lt);
struct crypt_device;
int pk_lt_open(struct crypt_device *cd, int token, char **buffer, size_t *len);

/* luks_token.c: protkey tokens in a LUKS2 header */
int pk_luks_lt_add(const char *dev, const char *pass, size_t pass_len,
		   const uint8_t *key, size_t key_len, const char *key_name,
		   int *token, int *slot, struct pk_err *err);
int pk_luks_lt_remove(const char *dev, int token, struct pk_err *err);
/**
 * struct pk_luks_lt - a protkey token of a header, for show
 * @token: its number
 * @lt: its contents (valid when @err is empty)
 * @err: why it does not parse
 */
struct pk_luks_lt {
	int token;
	struct pk_lt lt;
	char err[512];
};
int pk_luks_lt_list(const char *dev, struct pk_luks_lt **list, size_t *n,
		    struct pk_err *err);
int pk_luks_lt_activate(const char *dev, const char *name, struct pk_err *err);
/* What a master-key change step does to the tokens' wrapping keys. */
enum pk_lt_step {
	PK_LT_STAGE, /* CURRENT -> NEW into "staged-key" */
	PK_LT_REPLACE, /* OLD -> CURRENT in place */
};
int pk_luks_lt_follow(const char *dev, enum pk_lt_step step,
		      int (*renc)(void *ctx, const uint8_t *key, size_t len,
				  uint8_t *out),
		      void *ctx, int *changed, struct pk_err *err);
int pk_luks_lt_rebind(const char *dev, const uint8_t *vk, size_t vk_len,
		      int *changed, int *left, struct pk_err *err);

/* dm.c: plain dm-crypt mappings (libdevmapper) */
#define PK_DM_CIPHER "paes-xts-plain64"

/* What a device-mapper name is, for close and status. */
enum pk_dm_kind {
	PK_DM_NONE = 0, /* no such mapping */
	PK_DM_PLAIN, /* DM UUID CRYPT-PLAIN-*: ours or cryptsetup plainOpen */
	PK_DM_LUKS, /* DM UUID CRYPT-LUKS*: libcryptsetup's */
	PK_DM_OTHER,
};

/**
 * struct pk_dm_crypt - a crypt target's table, as the kernel reports it
 * @cipher: cipher spec, e.g. "paes-xts-plain64"
 * @key_type: key type of the keyring reference, e.g. "logon"
 * @key_desc: its description, e.g. "protkey:data1"
 * @key_bytes: key size in bytes
 * @device: the underlying device: "M:m" as parsed, its path after status
 * @devnum: "M:m" (status only)
 * @iv_offset: IV offset in sectors
 * @offset: data offset in 512-byte sectors
 * @size: mapping size in 512-byte sectors (status only)
 * @sector_size: encryption sector size
 */
struct pk_dm_crypt {
	char cipher[64];
	char key_type[16];
	char key_desc[128];
	unsigned int key_bytes;
	char device[256];
	char devnum[32];
	uint64_t iv_offset;
	uint64_t offset;
	uint64_t size;
	unsigned int sector_size;
};

int pk_dm_plain_params(char *buf, size_t len, const char *keyname,
		       size_t key_bytes, const char *dev,
		       unsigned int sector_size);
int pk_dm_crypt_parse(const char *params, struct pk_dm_crypt *c,
		      struct pk_err *err);
int pk_blkdev_size(const char *dev, unsigned int sector_size, uint64_t *bytes,
		   struct pk_err *err);
int pk_blkdev_lock(const char *dev, int *fd, struct pk_err *err);
int pk_dm_kind(const char *name, struct pk_err *err);
int pk_dm_plain_create(const char *name, const char *dev, const char *keyname,
		       size_t key_bytes, unsigned int sector_size,
		       uint64_t sectors, struct pk_err *err);
int pk_dm_remove(const char *name, struct pk_err *err);
int pk_dm_plain_status(const char *name, struct pk_dm_crypt *c,
		       struct pk_err *err);
char *pk_volumes_add(const char *list, const char *dev, const char *name);

/* crypttab.c: the crypttab line and cryptsetup command of one volume */
enum pk_ct_type {
	PK_CT_LUKS2,
	PK_CT_PLAIN,
};

/**
 * struct pk_ct_vol - what opens one volume of a repository key
 * @type: LUKS2 or plain (the key's volume-type)
 * @name: the device-mapper name
 * @dev: the device, as the line names it
 * @key: the repository key's name
 * @key_file: plain: the secure key file (.skey), absolute; LUKS2: the
 *	passphrase file, or NULL
 * @token: LUKS2 without @key_file: its protkey token alone opens it
 * @key_bits: plain: the secure key's size in bits (the .skey size x 8)
 * @sector_size: plain: the encryption sector size
 *
 * Every string is borrowed from the caller for the call.
 */
struct pk_ct_vol {
	enum pk_ct_type type;
	const char *name;
	const char *dev;
	const char *key;
	const char *key_file;
	bool token;
	unsigned int key_bits;
	unsigned int sector_size;
};

int pk_ct_line(const struct pk_ct_vol *v, unsigned long timeout, char *buf,
	       size_t len, struct pk_err *err);
int pk_ct_command(const struct pk_ct_vol *v, char *buf, size_t len,
		  struct pk_err *err);

/* probe.c: signatures on a device (libblkid) */
int pk_blkdev_signature(const char *dev, char *type, size_t len,
			struct pk_err *err);
int pk_blkdev_wipe_signatures(const char *dev, struct pk_err *err);
int pk_blkdev_list_luks(char ***devs, size_t *n, struct pk_err *err);
int pk_blkdev_holder(const char *dev, char *name, size_t len);

#endif /* PROTKEY_LIB_H */
