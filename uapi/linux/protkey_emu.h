/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * protkey_emu: control interface of the emulated IBM Z protected-key platform.
 *
 * The generic netlink family "protkey_emu" drives protkey_emu.ko: the
 * emulated Crypto Express adapters (APQNs) in CCA, EP11 or accelerator
 * mode with their master-key registers, and the emulated CPACF wrapping
 * key. Every command needs CAP_SYS_ADMIN.
 * Documentation/netlink/specs/protkey_emu.yaml is the source of truth for
 * this file; scripts/check-spec checks that they agree.
 *
 * EMULATION ONLY: the emulator keeps clear key material in kernel memory.
 * Nothing about an emulated run is secure.
 */
#ifndef _UAPI_LINUX_PROTKEY_EMU_H
#define _UAPI_LINUX_PROTKEY_EMU_H

#define PROTKEY_EMU_FAMILY_NAME "protkey_emu"
#define PROTKEY_EMU_FAMILY_VERSION 1

/* Sizes of the CCA AES DATA internal key token and its parts. */
#define PROTKEY_EMU_SECKEY_SIZE 64
#define PROTKEY_EMU_MK_SIZE 32
#define PROTKEY_EMU_MKVP_SIZE 8
/* The largest secure key: an EP11 AES key (pkey's MAXEP11AESKEYBLOBSIZE). */
#define PROTKEY_EMU_SECKEY_MAX_SIZE 336
/* An EP11 wrapping-key verification pattern (a blob holds its first 16). */
#define PROTKEY_EMU_WKVP_SIZE 32

/**
 * PROTKEY_EMU_APQN() - encode an adapter queue number (card.domain)
 * @card: crypto card number, 0..255
 * @domain: usage domain, 0..255
 */
#define PROTKEY_EMU_APQN(card, domain) (((card) << 16) | (domain))
#define PROTKEY_EMU_APQN_CARD(apqn) ((apqn) >> 16)
#define PROTKEY_EMU_APQN_DOMAIN(apqn) (0xffff & (apqn))

/**
 * enum protkey_emu_mk_reg - master-key registers of a CCA adapter
 * @PROTKEY_EMU_MK_NEW: NEW: loaded, not yet active
 * @PROTKEY_EMU_MK_CURRENT: CURRENT: enciphers new keys
 * @PROTKEY_EMU_MK_OLD: OLD: the previous CURRENT, still accepted
 */
enum protkey_emu_mk_reg {
	PROTKEY_EMU_MK_NEW = 1,
	PROTKEY_EMU_MK_CURRENT,
	PROTKEY_EMU_MK_OLD,
};

/**
 * enum protkey_emu_mode - the mode of a Crypto Express adapter
 * @PROTKEY_EMU_MODE_CCA: CCA coprocessor: AES master keys NEW, CURRENT, OLD
 * @PROTKEY_EMU_MODE_EP11: EP11 coprocessor: wrapping keys CURRENT and NEW
 * @PROTKEY_EMU_MODE_ACCEL: accelerator: no master keys, no secure keys
 */
enum protkey_emu_mode {
	PROTKEY_EMU_MODE_CCA = 1,
	PROTKEY_EMU_MODE_EP11,
	PROTKEY_EMU_MODE_ACCEL,
};

/**
 * enum protkey_emu_key_type - secure-key types KEY_GENERATE makes
 * @PROTKEY_EMU_KEY_CCA_AESDATA: 64-byte CCA AES DATA token (type 0x01,
 *	version 0x04), under a CCA adapter's CURRENT master key
 * @PROTKEY_EMU_KEY_EP11_AES: EP11 AES key with a 16-byte header (type
 *	0x00, version 0x06), 272 bytes zero-padded to 336 as zkey's
 *	EP11-AES keys, under an EP11 adapter's CURRENT wrapping key
 * @PROTKEY_EMU_KEY_EP11_AES_NOHDR: EP11 AES key without a separate header
 *	(type 0x00, version 0x03, the header in the session field), 256
 *	bytes zero-padded to 320 as zkey's older EP11 keys
 */
enum protkey_emu_key_type {
	PROTKEY_EMU_KEY_CCA_AESDATA = 1,
	PROTKEY_EMU_KEY_EP11_AES,
	PROTKEY_EMU_KEY_EP11_AES_NOHDR,
};

/**
 * enum protkey_emu_wk_new - state of an EP11 adapter's NEW wrapping key
 * @PROTKEY_EMU_WK_NEW_EMPTY: no NEW wrapping key
 * @PROTKEY_EMU_WK_NEW_UNCOMMITTED: loaded, not yet committed
 * @PROTKEY_EMU_WK_NEW_COMMITTED: committed: keys can be re-enciphered to
 *	it, and it can be made CURRENT
 */
enum protkey_emu_wk_new {
	PROTKEY_EMU_WK_NEW_EMPTY,
	PROTKEY_EMU_WK_NEW_UNCOMMITTED,
	PROTKEY_EMU_WK_NEW_COMMITTED,
};

/**
 * enum protkey_emu_se_bs - binding state of an AP queue in an SE guest
 *	(TAPQ GR2 "bs", the kernel's AP_BS_Q_*)
 * @PROTKEY_EMU_SE_BS_USABLE: bound and associated: usable, also for
 *	secure-key operations
 * @PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY: bound, not (yet) associated:
 *	usable, but not for secure-key operations
 * @PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING: unbound, available for binding
 * @PROTKEY_EMU_SE_BS_UNUSABLE: unusable (an association that failed);
 *	unbind to recover
 */
enum protkey_emu_se_bs {
	PROTKEY_EMU_SE_BS_USABLE,
	PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY,
	PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING,
	PROTKEY_EMU_SE_BS_UNUSABLE,
};

/**
 * enum protkey_emu_uv_secret_type - Ultravisor secret types (the kernel's
 *	enum uv_secret_types); the emulator stores those listed here
 * @PROTKEY_EMU_UV_SECRET_ASSOCIATION: a 32-byte association secret
 * @PROTKEY_EMU_UV_SECRET_PLAIN: a plain retrievable secret, 1..64 bytes
 * @PROTKEY_EMU_UV_SECRET_AES_128: a 16-byte AES key, retrievable
 * @PROTKEY_EMU_UV_SECRET_AES_192: a 24-byte AES key, retrievable
 * @PROTKEY_EMU_UV_SECRET_AES_256: a 32-byte AES key, retrievable
 * @PROTKEY_EMU_UV_SECRET_AES_XTS_128: a 32-byte AES-XTS key, retrievable
 * @PROTKEY_EMU_UV_SECRET_AES_XTS_256: a 64-byte AES-XTS key, retrievable
 */
enum protkey_emu_uv_secret_type {
	PROTKEY_EMU_UV_SECRET_ASSOCIATION = 2,
	PROTKEY_EMU_UV_SECRET_PLAIN,
	PROTKEY_EMU_UV_SECRET_AES_128,
	PROTKEY_EMU_UV_SECRET_AES_192,
	PROTKEY_EMU_UV_SECRET_AES_256,
	PROTKEY_EMU_UV_SECRET_AES_XTS_128,
	PROTKEY_EMU_UV_SECRET_AES_XTS_256,
};

/* The emulator's add-secret request (Documentation/emulator.rst). */
#define PROTKEY_EMU_UV_REQ_MAGIC "PKEMUSEC"
#define PROTKEY_EMU_UV_REQ_VERSION 1
#define PROTKEY_EMU_UV_REQ_HDR_SIZE 0x60
#define PROTKEY_EMU_UV_REQ_MAC_SIZE 32
#define PROTKEY_EMU_UV_SECRET_MAX 64
/* Header, the largest secret and the MAC. */
#define PROTKEY_EMU_UV_REQ_MAX_SIZE 192
#define PROTKEY_EMU_UV_ID_SIZE 32
/* The List Secrets page: a 16-byte header and up to 85 48-byte entries. */
#define PROTKEY_EMU_UV_LIST_SIZE 4096
#define PROTKEY_EMU_UV_LIST_ENTRIES 85
#define PROTKEY_EMU_IMAGE_KEY_SIZE 32
/*
 * The secure-key token that names a UV retrievable secret (struct
 * uvsecrettoken of the kernel's pkey_uv.c): type 0x00 at offset 0,
 * version 0x09 at 4, secret type (u16) at 8, secret length (u16) at 10,
 * the secret's ID at 12; big-endian, as on s390.
 */
#define PROTKEY_EMU_UV_TOKEN_SIZE 44
#define PROTKEY_EMU_UV_TOKEN_VERSION 0x09

/**
 * enum protkey_emu_renc - re-encipher directions (CCA Key Token Change)
 * @PROTKEY_EMU_RENC_OLD_TO_CURRENT: from the OLD to the CURRENT MK (RTCMK)
 * @PROTKEY_EMU_RENC_CURRENT_TO_NEW: from the CURRENT to the NEW MK (RTNMK),
 *	the staged step before the NEW MK is set
 */
enum protkey_emu_renc {
	PROTKEY_EMU_RENC_OLD_TO_CURRENT = 1,
	PROTKEY_EMU_RENC_CURRENT_TO_NEW,
};

/**
 * enum protkey_emu_attrs - attributes of the protkey_emu family
 * @PROTKEY_EMU_A_UNSPEC: unused
 * @PROTKEY_EMU_A_APQN: u32, PROTKEY_EMU_APQN(card, domain); absent: all
 * @PROTKEY_EMU_A_MK: binary, 32 bytes: an AES master key (clear)
 * @PROTKEY_EMU_A_MK_REG: u32, &enum protkey_emu_mk_reg
 * @PROTKEY_EMU_A_KEY_BITS: u32, 128, 192 or 256
 * @PROTKEY_EMU_A_CLEAR_KEY: binary, 16, 24 or 32 bytes of clear AES key
 * @PROTKEY_EMU_A_SECURE_KEY: binary, a secure key: a 64-byte CCA AES DATA
 *	token or an EP11 AES key of 256 to 336 bytes
 * @PROTKEY_EMU_A_RENC_MODE: u32, &enum protkey_emu_renc
 * @PROTKEY_EMU_A_OUTAGE_MS: u32, adapters unusable for this long, 0..600000
 * @PROTKEY_EMU_A_ONLINE: u8, 1 online, 0 offline
 * @PROTKEY_EMU_A_LATENCY_US: u32, base latency of each derive, 0..10000000
 * @PROTKEY_EMU_A_FAIL_COUNT: u32, fail this many next derives
 * @PROTKEY_EMU_A_FAIL_ERRNO: u32, positive errno the failed derives return
 * @PROTKEY_EMU_A_WK_GEN: u64, wrapping-key generation (changes on migrate)
 * @PROTKEY_EMU_A_ADAPTER: nest, one adapter (&enum protkey_emu_adapter_attrs)
 * @PROTKEY_EMU_A_COUNTERS: nest, &enum protkey_emu_counter_attrs
 * @PROTKEY_EMU_A_MKVP: binary, 8 bytes: a master-key verification pattern
 * @PROTKEY_EMU_A_PAD: padding for 64-bit attributes
 * @PROTKEY_EMU_A_KM_PARTIAL_CALLS: u32, this many next KM calls stop early
 * @PROTKEY_EMU_A_KM_PARTIAL_BLOCKS: u32, blocks each of them processes,
 *	1..4096
 * @PROTKEY_EMU_A_BUSY_COUNT: u32, the adapter answers "busy" (EBUSY) to this
 *	many next derives
 * @PROTKEY_EMU_A_QUERY_US: u32, cost of querying one usable APQN in each
 *	derive, 0..1000000
 * @PROTKEY_EMU_A_MODE: u32, &enum protkey_emu_mode
 * @PROTKEY_EMU_A_KEY_TYPE: u32, &enum protkey_emu_key_type
 * @PROTKEY_EMU_A_SE_GUEST: u8, 1: the emulated machine is a Secure
 *	Execution guest, 0: an ordinary one
 * @PROTKEY_EMU_A_IMAGE_KEY: binary, 32 bytes: the emulated SE image's key,
 *	which add-secret requests must be made with
 * @PROTKEY_EMU_A_ASSOC_DELAY_MS: u32, how long an association stays
 *	pending before the Ultravisor confirms it, 0..60000
 * @PROTKEY_EMU_A_UNASSOC_ERRNO: u32, the errno of a secure-key operation
 *	through a bound but unassociated queue: ENODEV or EIO
 * @PROTKEY_EMU_A_UV_MAX_ASSOC: u32, association secrets the UV store holds
 * @PROTKEY_EMU_A_UV_MAX_RETR: u32, other secrets the UV store holds
 * @PROTKEY_EMU_A_SE_BIND: u8, 1 bind the queue APQN, 0 unbind it
 * @PROTKEY_EMU_A_SECRET_IDX: u32, a UV secret index (0..0xffff)
 * @PROTKEY_EMU_A_UV_REQUEST: binary, an add-secret request
 * @PROTKEY_EMU_A_UV_FORCE: flag, add even if the secret ID is stored
 * @PROTKEY_EMU_A_UV_LIST: binary, 4096 bytes: one List Secrets page
 * @PROTKEY_EMU_A_UV_MORE: flag, more secrets follow (UV rc 0x0100)
 * @PROTKEY_EMU_A_SECRET_TYPE: u32, &enum protkey_emu_uv_secret_type
 * @PROTKEY_EMU_A_SECRET: binary, a retrieved secret: for AES types the
 *	protected key (key and WKVP), for plain secrets the bytes
 * @PROTKEY_EMU_A_UV_LOCKED: u8, 1 when the UV secret store is locked
 * @PROTKEY_EMU_A_UV_COUNT: u32, secrets stored
 * @PROTKEY_EMU_A_PROTECTED_KEY: binary, a protected key: the key wrapped
 *	under the current wrapping key, then the 32-byte WKVP
 * @__PROTKEY_EMU_A_MAX: internal, one past the last value
 * @PROTKEY_EMU_A_MAX: the last value
 */
enum protkey_emu_attrs {
	PROTKEY_EMU_A_UNSPEC,
	PROTKEY_EMU_A_APQN,
	PROTKEY_EMU_A_MK,
	PROTKEY_EMU_A_MK_REG,
	PROTKEY_EMU_A_KEY_BITS,
	PROTKEY_EMU_A_CLEAR_KEY,
	PROTKEY_EMU_A_SECURE_KEY,
	PROTKEY_EMU_A_RENC_MODE,
	PROTKEY_EMU_A_OUTAGE_MS,
	PROTKEY_EMU_A_ONLINE,
	PROTKEY_EMU_A_LATENCY_US,
	PROTKEY_EMU_A_FAIL_COUNT,
	PROTKEY_EMU_A_FAIL_ERRNO,
	PROTKEY_EMU_A_WK_GEN,
	PROTKEY_EMU_A_ADAPTER,
	PROTKEY_EMU_A_COUNTERS,
	PROTKEY_EMU_A_MKVP,
	PROTKEY_EMU_A_PAD,
	PROTKEY_EMU_A_KM_PARTIAL_CALLS,
	PROTKEY_EMU_A_KM_PARTIAL_BLOCKS,
	PROTKEY_EMU_A_BUSY_COUNT,
	PROTKEY_EMU_A_QUERY_US,
	PROTKEY_EMU_A_MODE,
	PROTKEY_EMU_A_KEY_TYPE,
	PROTKEY_EMU_A_SE_GUEST,
	PROTKEY_EMU_A_IMAGE_KEY,
	PROTKEY_EMU_A_ASSOC_DELAY_MS,
	PROTKEY_EMU_A_UNASSOC_ERRNO,
	PROTKEY_EMU_A_UV_MAX_ASSOC,
	PROTKEY_EMU_A_UV_MAX_RETR,
	PROTKEY_EMU_A_SE_BIND,
	PROTKEY_EMU_A_SECRET_IDX,
	PROTKEY_EMU_A_UV_REQUEST,
	PROTKEY_EMU_A_UV_FORCE,
	PROTKEY_EMU_A_UV_LIST,
	PROTKEY_EMU_A_UV_MORE,
	PROTKEY_EMU_A_SECRET_TYPE,
	PROTKEY_EMU_A_SECRET,
	PROTKEY_EMU_A_UV_LOCKED,
	PROTKEY_EMU_A_UV_COUNT,
	PROTKEY_EMU_A_PROTECTED_KEY,

	__PROTKEY_EMU_A_MAX,
	PROTKEY_EMU_A_MAX = __PROTKEY_EMU_A_MAX - 1
};

/**
 * enum protkey_emu_adapter_attrs - attributes nested in PROTKEY_EMU_A_ADAPTER
 * @PROTKEY_EMU_ADAPTER_A_UNSPEC: unused
 * @PROTKEY_EMU_ADAPTER_A_APQN: u32, the adapter's APQN
 * @PROTKEY_EMU_ADAPTER_A_ONLINE: u8, 1 when online and usable
 * @PROTKEY_EMU_ADAPTER_A_MKVP_NEW: binary, 8 bytes; absent: register empty
 * @PROTKEY_EMU_ADAPTER_A_MKVP_CURRENT: binary, 8 bytes; absent: empty
 * @PROTKEY_EMU_ADAPTER_A_MKVP_OLD: binary, 8 bytes; absent: empty
 * @PROTKEY_EMU_ADAPTER_A_MODE: u32, &enum protkey_emu_mode
 * @PROTKEY_EMU_ADAPTER_A_WKVP_CURRENT: binary, 32 bytes: EP11 CURRENT
 *	wrapping key's verification pattern; absent: invalid (or not EP11)
 * @PROTKEY_EMU_ADAPTER_A_WKVP_NEW: binary, 32 bytes: EP11 NEW wrapping
 *	key's verification pattern; absent: empty (or not EP11)
 * @PROTKEY_EMU_ADAPTER_A_WK_NEW_STATE: u32, &enum protkey_emu_wk_new (EP11
 *	adapters only)
 * @PROTKEY_EMU_ADAPTER_A_SE_BS: u32, &enum protkey_emu_se_bs (SE guest,
 *	EP11 and accelerator queues only)
 * @PROTKEY_EMU_ADAPTER_A_SE_ASSOC_IDX: u32, the secret index the queue is
 *	associated with, or pending for
 * @PROTKEY_EMU_ADAPTER_A_SE_BIND_TEXT: string, what the kernel's se_bind
 *	attribute reads: "bound", "unbound" or "-"
 * @PROTKEY_EMU_ADAPTER_A_SE_ASSOC_TEXT: string, what se_associate reads:
 *	"associated <idx>", "association pending", "unassociated" or "-"
 * @__PROTKEY_EMU_ADAPTER_A_MAX: internal, one past the last value
 * @PROTKEY_EMU_ADAPTER_A_MAX: the last value
 */
enum protkey_emu_adapter_attrs {
	PROTKEY_EMU_ADAPTER_A_UNSPEC,
	PROTKEY_EMU_ADAPTER_A_APQN,
	PROTKEY_EMU_ADAPTER_A_ONLINE,
	PROTKEY_EMU_ADAPTER_A_MKVP_NEW,
	PROTKEY_EMU_ADAPTER_A_MKVP_CURRENT,
	PROTKEY_EMU_ADAPTER_A_MKVP_OLD,
	PROTKEY_EMU_ADAPTER_A_MODE,
	PROTKEY_EMU_ADAPTER_A_WKVP_CURRENT,
	PROTKEY_EMU_ADAPTER_A_WKVP_NEW,
	PROTKEY_EMU_ADAPTER_A_WK_NEW_STATE,
	PROTKEY_EMU_ADAPTER_A_SE_BS,
	PROTKEY_EMU_ADAPTER_A_SE_ASSOC_IDX,
	PROTKEY_EMU_ADAPTER_A_SE_BIND_TEXT,
	PROTKEY_EMU_ADAPTER_A_SE_ASSOC_TEXT,

	__PROTKEY_EMU_ADAPTER_A_MAX,
	PROTKEY_EMU_ADAPTER_A_MAX = __PROTKEY_EMU_ADAPTER_A_MAX - 1
};

/**
 * enum protkey_emu_counter_attrs - attributes nested in PROTKEY_EMU_A_COUNTERS
 * @PROTKEY_EMU_CNT_A_UNSPEC: unused
 * @PROTKEY_EMU_CNT_A_DERIVES: u64, successful derives
 * @PROTKEY_EMU_CNT_A_DERIVE_ERRORS: u64, failed derives
 * @PROTKEY_EMU_CNT_A_KM_CALLS: u64, KM calls
 * @PROTKEY_EMU_CNT_A_KM_SHORT: u64, KM calls that ended short (stale WKVP)
 * @PROTKEY_EMU_CNT_A_PCC_CALLS: u64, PCC calls
 * @PROTKEY_EMU_CNT_A_PCC_STALE: u64, PCC calls refused (stale WKVP)
 * @PROTKEY_EMU_CNT_A_MIGRATIONS: u64, wrapping-key changes
 * @PROTKEY_EMU_CNT_A_KEYS_GENERATED: u64, secure keys generated
 * @PROTKEY_EMU_CNT_A_REENCIPHERS: u64, secure keys re-enciphered
 * @PROTKEY_EMU_CNT_A_KM_PARTIAL: u64, KM calls that stopped early
 *	(PROTKEY_EMU_CMD_KM_PARTIAL)
 * @PROTKEY_EMU_CNT_A_KM_BAD_LEN: u64, KM calls with a length not a multiple
 *	of 16 (a caller bug; nothing processed)
 * @PROTKEY_EMU_CNT_A_DERIVE_BUSY: u64, derives answered "busy"
 *	(PROTKEY_EMU_CMD_SET_BUSY); also in DERIVE_ERRORS
 * @PROTKEY_EMU_CNT_A_APQN_QUERIES: u64, APQNs queried by derives (one per
 *	usable adapter and derive)
 * @PROTKEY_EMU_CNT_A_DERIVE_COST_US: u64, simulated derive time in
 *	microseconds: LATENCY_US plus QUERY_US per APQN queried
 * @PROTKEY_EMU_CNT_A_PAD: padding
 * @__PROTKEY_EMU_CNT_A_MAX: internal, one past the last value
 * @PROTKEY_EMU_CNT_A_MAX: the last value
 */
enum protkey_emu_counter_attrs {
	PROTKEY_EMU_CNT_A_UNSPEC,
	PROTKEY_EMU_CNT_A_DERIVES,
	PROTKEY_EMU_CNT_A_DERIVE_ERRORS,
	PROTKEY_EMU_CNT_A_KM_CALLS,
	PROTKEY_EMU_CNT_A_KM_SHORT,
	PROTKEY_EMU_CNT_A_PCC_CALLS,
	PROTKEY_EMU_CNT_A_PCC_STALE,
	PROTKEY_EMU_CNT_A_MIGRATIONS,
	PROTKEY_EMU_CNT_A_KEYS_GENERATED,
	PROTKEY_EMU_CNT_A_REENCIPHERS,
	PROTKEY_EMU_CNT_A_KM_PARTIAL,
	PROTKEY_EMU_CNT_A_KM_BAD_LEN,
	PROTKEY_EMU_CNT_A_DERIVE_BUSY,
	PROTKEY_EMU_CNT_A_APQN_QUERIES,
	PROTKEY_EMU_CNT_A_DERIVE_COST_US,
	PROTKEY_EMU_CNT_A_PAD,

	__PROTKEY_EMU_CNT_A_MAX,
	PROTKEY_EMU_CNT_A_MAX = __PROTKEY_EMU_CNT_A_MAX - 1
};

/**
 * enum protkey_emu_cmds - commands of the protkey_emu family
 * @PROTKEY_EMU_CMD_UNSPEC: unused
 * @PROTKEY_EMU_CMD_GET_STATE: reply: WK_GEN, COUNTERS and one ADAPTER nest
 *	per adapter
 * @PROTKEY_EMU_CMD_MK_LOAD: load MK into the NEW register of APQN (or of
 *	every CCA and EP11 adapter), as a TKE would; on EP11 it is
 *	uncommitted
 * @PROTKEY_EMU_CMD_MK_SET: activate: CCA NEW -> CURRENT -> OLD; EP11 a
 *	committed NEW -> CURRENT; on APQN or all
 * @PROTKEY_EMU_CMD_MK_CLEAR: empty register MK_REG (NEW or OLD) on APQN or all
 * @PROTKEY_EMU_CMD_KEY_GENERATE: make a secure key of KEY_TYPE (absent: CCA
 *	AES DATA) and KEY_BITS under the CURRENT MK, random or from
 *	CLEAR_KEY; reply: SECURE_KEY
 * @PROTKEY_EMU_CMD_KEY_REENCIPHER: re-encipher SECURE_KEY by RENC_MODE;
 *	reply: SECURE_KEY
 * @PROTKEY_EMU_CMD_MIGRATE: new wrapping key; adapters unusable for
 *	OUTAGE_MS if given; reply: WK_GEN
 * @PROTKEY_EMU_CMD_ADAPTER_SET: set ONLINE and/or MODE of APQN (or all);
 *	MODE only while offline, and it empties the master-key registers
 * @PROTKEY_EMU_CMD_SET_LATENCY: set the cost of each derive: LATENCY_US,
 *	plus QUERY_US (absent: 0) per usable APQN
 * @PROTKEY_EMU_CMD_FAIL_DERIVES: fail the next FAIL_COUNT derives with
 *	FAIL_ERRNO
 * @PROTKEY_EMU_CMD_RESET_COUNTERS: zero the counters
 * @PROTKEY_EMU_CMD_KM_PARTIAL: the next KM_PARTIAL_CALLS KM calls stop
 *	after KM_PARTIAL_BLOCKS blocks
 * @PROTKEY_EMU_CMD_SET_BUSY: the adapter answers "busy" to the next
 *	BUSY_COUNT derives
 * @PROTKEY_EMU_CMD_MK_COMMIT: commit the uncommitted NEW wrapping key of
 *	EP11 adapter APQN (or of every EP11 adapter)
 * @PROTKEY_EMU_CMD_SE_SET: make the machine an SE guest or not (SE_GUEST),
 *	set the image key, the association delay, the unassociated errno
 *	and the UV store's limits; a change of SE_GUEST boots another guest
 * @PROTKEY_EMU_CMD_SE_BIND: bind (SE_BIND 1) or unbind (0) queue APQN, as
 *	a write to its se_bind attribute
 * @PROTKEY_EMU_CMD_SE_ASSOCIATE: associate queue APQN with the
 *	association secret SECRET_IDX, as a write to se_associate
 * @PROTKEY_EMU_CMD_UV_ADD: add the secret of UV_REQUEST (UV_FORCE: even if
 *	its ID is stored); reply: SECRET_IDX
 * @PROTKEY_EMU_CMD_UV_LIST: list the secrets from SECRET_IDX (absent: 0);
 *	reply: UV_LIST, UV_MORE, UV_LOCKED, UV_COUNT
 * @PROTKEY_EMU_CMD_UV_LOCK: lock the secret store: every later add fails
 * @PROTKEY_EMU_CMD_UV_RETRIEVE: retrieve secret SECRET_IDX; reply:
 *	SECRET_TYPE and SECRET
 * @PROTKEY_EMU_CMD_GUEST_REBOOT: what a reboot of the SE guest does to the
 *	platform: new wrapping key, UV store wiped, every binding and
 *	association gone; reply: WK_GEN
 * @PROTKEY_EMU_CMD_KEY_DERIVE: the protected key of SECURE_KEY under the
 *	current wrapping key (what pkey's PKEY_KBLOB2PROTK ioctls return to
 *	user space on IBM Z);
 *	reply: PROTECTED_KEY
 * @__PROTKEY_EMU_CMD_MAX: internal, one past the last value
 * @PROTKEY_EMU_CMD_MAX: the last value
 */
enum protkey_emu_cmds {
	PROTKEY_EMU_CMD_UNSPEC,
	PROTKEY_EMU_CMD_GET_STATE,
	PROTKEY_EMU_CMD_MK_LOAD,
	PROTKEY_EMU_CMD_MK_SET,
	PROTKEY_EMU_CMD_MK_CLEAR,
	PROTKEY_EMU_CMD_KEY_GENERATE,
	PROTKEY_EMU_CMD_KEY_REENCIPHER,
	PROTKEY_EMU_CMD_MIGRATE,
	PROTKEY_EMU_CMD_ADAPTER_SET,
	PROTKEY_EMU_CMD_SET_LATENCY,
	PROTKEY_EMU_CMD_FAIL_DERIVES,
	PROTKEY_EMU_CMD_RESET_COUNTERS,
	PROTKEY_EMU_CMD_KM_PARTIAL,
	PROTKEY_EMU_CMD_SET_BUSY,
	PROTKEY_EMU_CMD_MK_COMMIT,
	PROTKEY_EMU_CMD_SE_SET,
	PROTKEY_EMU_CMD_SE_BIND,
	PROTKEY_EMU_CMD_SE_ASSOCIATE,
	PROTKEY_EMU_CMD_UV_ADD,
	PROTKEY_EMU_CMD_UV_LIST,
	PROTKEY_EMU_CMD_UV_LOCK,
	PROTKEY_EMU_CMD_UV_RETRIEVE,
	PROTKEY_EMU_CMD_GUEST_REBOOT,
	PROTKEY_EMU_CMD_KEY_DERIVE,

	__PROTKEY_EMU_CMD_MAX,
	PROTKEY_EMU_CMD_MAX = __PROTKEY_EMU_CMD_MAX - 1
};

#endif /* _UAPI_LINUX_PROTKEY_EMU_H */
