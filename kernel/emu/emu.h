/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey_emu internals shared by the emulator core (adapters, tokens,
 * CPACF model) and its generic netlink control family.
 *
 * EMULATION ONLY: clear master keys, clear AES keys and the wrapping key live
 * in this module's memory. Nothing here is secure; it models behaviour.
 */
#ifndef _PROTKEY_EMU_H
#define _PROTKEY_EMU_H

#include <linux/types.h>

#include "../../uapi/linux/protkey_emu.h"

#define EMU_MAX_ADAPTERS 16
/* Indexed by enum protkey_emu_mk_reg; index 0 is unused. */
#define EMU_MK_REGS (PROTKEY_EMU_MK_OLD + 1)

/**
 * struct emu_adapter_state - a snapshot of one adapter for reporting
 * @apqn: PROTKEY_EMU_APQN(card, domain)
 * @online: adapter online and usable (not offline, not in an outage)
 * @mkvp_valid: bit (1 << reg) set when register reg (&enum protkey_emu_mk_reg)
 *	holds a key
 * @mode: &enum protkey_emu_mode
 * @wk_new: EP11 only: &enum protkey_emu_wk_new
 * @mkvp: MKVP per register, indexed by &enum protkey_emu_mk_reg; for EP11
 *	the first 8 bytes of the WKVP
 * @wkvp: EP11 only: WKVP per register (NEW and CURRENT)
 * @se: the machine is an SE guest and the queue has SE state (EP11 or
 *	accelerator); the three members below are valid
 * @bs: &enum protkey_emu_se_bs
 * @assoc_pending: an association request waits for the UV
 * @assoc_idx: the secret index associated with, or pending for
 */
struct emu_adapter_state {
	u32 apqn;
	bool online;
	u32 mkvp_valid;
	u32 mode;
	u32 wk_new;
	u8 mkvp[EMU_MK_REGS][PROTKEY_EMU_MKVP_SIZE];
	u8 wkvp[EMU_MK_REGS][PROTKEY_EMU_WKVP_SIZE];
	bool se;
	u32 bs;
	bool assoc_pending;
	u32 assoc_idx;
};

/**
 * struct emu_counters - a snapshot of the emulator's counters
 * @derives: successful derives
 * @derive_errors: failed derives
 * @km_calls: KM calls
 * @km_short: KM calls that ended short on a stale WKVP
 * @pcc_calls: PCC calls
 * @pcc_stale: PCC calls refused on a stale WKVP
 * @migrations: wrapping-key changes
 * @keys_generated: secure keys generated
 * @reenciphers: secure keys re-enciphered
 * @km_partial: KM calls that stopped early (emu_km_partial())
 * @km_bad_len: KM calls with a length not a multiple of 16 (caller bugs)
 * @derive_busy: derives the adapter answered with "busy" (emu_set_busy());
 *	also counted in @derive_errors
 * @apqn_queries: APQNs queried by derives, one per usable adapter each
 * @derive_cost_us: simulated derive time in microseconds: the base latency
 *	plus the query cost of each APQN queried
 */
struct emu_counters {
	u64 derives;
	u64 derive_errors;
	u64 km_calls;
	u64 km_short;
	u64 pcc_calls;
	u64 pcc_stale;
	u64 migrations;
	u64 keys_generated;
	u64 reenciphers;
	u64 km_partial;
	u64 km_bad_len;
	u64 derive_busy;
	u64 apqn_queries;
	u64 derive_cost_us;
};

/*
 * Control operations. Each returns 0 or a negative errno and, on error,
 * a static message in *msg for the netlink extack (may be NULL). All may
 * sleep; they serialise on the emulator's control mutex. @apqn is
 * EMU_ALL_APQNS to address every adapter.
 */
#define EMU_ALL_APQNS U32_MAX

int emu_mk_load(u32 apqn, const u8 mk[PROTKEY_EMU_MK_SIZE], const char **msg);
int emu_mk_set(u32 apqn, const char **msg);
int emu_mk_clear(u32 apqn, enum protkey_emu_mk_reg reg, const char **msg);
int emu_mk_commit(u32 apqn, const char **msg);
int emu_key_generate(u32 key_bits, const u8 *clear, u32 clear_len,
		     u8 token[PROTKEY_EMU_SECKEY_SIZE], const char **msg);
int emu_key_generate_type(u32 key_type, u32 key_bits, const u8 *clear,
			  u32 clear_len, u8 *token, u32 size, u32 *len,
			  const char **msg);
int emu_key_generate_at(u32 apqn, u32 key_type, u32 key_bits, u8 *token,
			u32 size, u32 *len);
u32 emu_apqns_matching(u32 mode, const u8 *cur, const u8 *alt, u32 *apqns,
		       u32 room);
/* Largest protected key emu_key_derive() writes (full-XTS AES-256). */
#define EMU_PROTKEY_MAX_SIZE 96
/* @pk holds EMU_PROTKEY_MAX_SIZE bytes; *@pk_len is set to what it used. */
int emu_key_derive(const u8 *blob, u32 len, u8 *pk, u32 *pk_len);
/* @out holds at least @len bytes; the output is as long as @token. */
int emu_key_reencipher(const u8 *token, u32 len, enum protkey_emu_renc mode,
		       u8 *out, const char **msg);
int emu_migrate(u32 outage_ms, u64 *wk_gen, const char **msg);
int emu_adapter_set_online(u32 apqn, bool online, const char **msg);
int emu_adapter_set_mode(u32 apqn, u32 mode, const char **msg);
void emu_set_latency(u32 latency_us, u32 query_us);
void emu_fail_derives(u32 count, int err);
void emu_km_partial(u32 calls, u32 blocks);
void emu_set_busy(u32 count);
void emu_reset_counters(void);

/* SE guests and the Ultravisor. */
int emu_se_set(bool se_guest, const char **msg);
void emu_se_set_knobs(u32 assoc_delay_ms, int unassoc_errno);
bool emu_se_guest(void);
int emu_se_bind(u32 apqn, bool bind, const char **msg);
int emu_se_associate(u32 apqn, u32 index, const char **msg);
int emu_guest_reboot(u64 *wk_gen, const char **msg);
void emu_se_texts(const struct emu_adapter_state *s, char *bind, char *assoc,
		  size_t size);
int emu_uv_add(const u8 *req, u32 len, bool force, u16 *index,
	       const char **msg);
bool emu_uv_list(u32 start, u8 *page, bool *locked);
void emu_uv_lock_store(void);
/* What Retrieve Secret can give: up to a full-XTS AES-256 protected key. */
#define EMU_UV_RETRIEVE_MAX 96
int emu_uv_retrieve(u32 index, u32 *type, u8 *out, u32 *len);
void emu_uv_wipe(void);
int emu_uv_configure(const u8 *image_key, u32 max_assoc, u32 max_retr);
u32 emu_uv_stats(bool *locked);

/* Reporting. */
u64 emu_wk_generation(void);
void emu_get_counters(struct emu_counters *c);
/* Fills up to @max entries; returns the number of adapters. */
unsigned int emu_get_adapters(struct emu_adapter_state *out, unsigned int max);

/* Generic netlink family, implemented in netlink.c. */
int emu_netlink_init(void);
void emu_netlink_exit(void);

/* pkeydev.c */
void emu_pkeydev_init(void);
void emu_pkeydev_exit(void);

#endif /* _PROTKEY_EMU_H */
