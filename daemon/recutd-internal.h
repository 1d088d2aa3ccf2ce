/* SPDX-License-Identifier: Apache-2.0 */
/* recutd-internal.h -- compatibility only: the one header every daemon file
 * used to include.  Every module now has its own header (daemon.h,
 * metrics.h, ingest.h, store.h, kafka_in.h, plugin.h, ...) and includes
 * only those it uses; this one remains for kafka_in.c and plugin.c until
 * they include theirs (kafka_in.c: daemon.h metrics.h ingest.h store.h
 * kafka_in.h; plugin.c: daemon.h metrics.h plugin.h), then it goes. */
#ifndef RECUTD_INTERNAL_H
#define RECUTD_INTERNAL_H

#include "daemon.h"
#include "ingest.h"
#include "kafka_in.h"
#include "metrics.h"
#include "plugin.h"
#include "store.h"

#endif
