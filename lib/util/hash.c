/* SPDX-License-Identifier: Apache-2.0 */
/* hash.c -- util_hash: XXH3 keyed with a per-process seed from getrandom.
 *
 * The seed is drawn once, under pthread_once, so the worker threads of recutd
 * that build maps agree on it.  Should getrandom be unavailable (an old
 * kernel) or fail, /dev/urandom is read instead; only if that fails too does
 * the seed fall back to a mix of time, pid and addresses, which still differs
 * between runs. */
#include "config.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

static pthread_once_t hash_once = PTHREAD_ONCE_INIT;
static uint64_t hash_seed;

static int hash_read_all(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int hash_urandom(uint64_t *out)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = hash_read_all(fd, (unsigned char *)out, sizeof *out);
    close(fd);
    return rc;
}

static int hash_getrandom(uint64_t *out)
{
    unsigned char *p = (unsigned char *)out;
    size_t n = sizeof *out;
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void hash_init_seed(void)
{
    uint64_t s = 0;
    if (hash_getrandom(&s) == 0 || hash_urandom(&s) == 0) {
        hash_seed = s;
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t mix[4] = { (uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec, (uint64_t)getpid(),
                        (uint64_t)(uintptr_t)&ts };
    hash_seed = XXH3_64bits(mix, sizeof mix);
}

uint64_t util_hash_seed(void)
{
    pthread_once(&hash_once, hash_init_seed);
    return hash_seed;
}

uint64_t util_hash_keyed(const void *data, size_t len, uint64_t seed)
{
    return XXH3_64bits_withSeed(data, len, seed);
}

uint64_t util_hash(const void *data, size_t len)
{
    return util_hash_keyed(data, len, util_hash_seed());
}
