/* SPDX-License-Identifier: Apache-2.0 */
/* av_decoder.h -- opening the decoder of one stream (recut-analyze and
 * recut-render share it). */
#ifndef AV_DECODER_H
#define AV_DECODER_H

#include <stddef.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

/* Find, configure and open the decoder of st.  threads is the codec's
 * thread_count (0 = automatic); other than 1 also enables frame and slice
 * threading.  Returns 0, or -1 with the reason in errstr. */
int av_decoder_open(const AVStream *st, int threads, AVCodecContext **out, char *errstr,
                    size_t errstr_size);

#endif
