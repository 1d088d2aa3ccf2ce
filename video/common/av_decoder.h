/* SPDX-License-Identifier: Apache-2.0 */
/* av_decoder.h -- choosing the video stream and opening the decoder of one
 * stream (recut-analyze and recut-render share it). */
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

/* The video stream to decode: the best one by libavformat unless that is
 * an attached picture (cover art), else the first video stream that is
 * not one; -1 if there is none. */
int av_decoder_video_stream(AVFormatContext *fmt);

#endif
