/* SPDX-License-Identifier: Apache-2.0 */
/* audit.h -- the audit trail of erasures (audit.c). */
#ifndef RECUTD_AUDIT_H
#define RECUTD_AUDIT_H

/* Log, at notice, that viewer user was erased: when (UTC), through what
 * (an endpoint or "a forget event"), by whom (a peer address, or NULL) and
 * how many keys went (negative: not known here). */
void audit_erased(const char *user, const char *via, const char *who, long long keys);

#endif
