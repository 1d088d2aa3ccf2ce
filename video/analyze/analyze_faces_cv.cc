/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_faces_cv.cc -- OpenCV's cascade face detector for recut-analyze.
 *
 * Kept thin on purpose: the only C++ in the program, with no exception
 * crossing into C.  Detection runs on the frame scaled down to
 * ANALYZE_FACES_CV_H lines (speed: a cascade's cost grows with the pixel
 * count, and recut-analyze must keep up with decoding), histogram-equalised
 * so that dark and bright shots look alike to the cascade.  The smile
 * cascade looks at the lower half of each face only.  The appearance
 * descriptor is taken from the full-resolution crop: uniform LBP
 * histograms on a 4x4 grid (Ahonen et al., 2006), which are cheap, robust
 * to lighting, and good enough to tell the faces of one film apart. */
#include "analyze_faces.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#define ANALYZE_FACES_CV_H 240     /* detection height, lines */
#define ANALYZE_FACES_CV_MIN 20    /* smallest face, pixels at that height */
#define ANALYZE_FACES_CV_CROP 64   /* descriptor crop side */
#define ANALYZE_FACES_CV_SCALE 1.2 /* cascade pyramid step */

struct analyze_faces {
    cv::CascadeClassifier face, smile;
    unsigned char uniform[256]; /* LBP code -> bin (58 uniform + 1 other) */
};

static int analyze_faces_cv_transitions(unsigned v)
{
    int n = 0;
    for (int i = 0; i < 8; i++)
        n += ((v >> i) & 1) != ((v >> ((i + 1) % 8)) & 1);
    return n;
}

static int analyze_faces_cv_load(cv::CascadeClassifier &c, const std::string &path, char *errstr,
                                 size_t errstr_size)
{
    FILE *fp = fopen(path.c_str(), "r");
    if (!fp) {
        snprintf(errstr, errstr_size, "%s: cannot read the cascade: %s", path.c_str(),
                 strerror(errno));
        return -1;
    }
    fclose(fp);
    if (!c.load(path) || c.empty()) {
        snprintf(errstr, errstr_size, "%s: not an OpenCV cascade", path.c_str());
        return -1;
    }
    return 0;
}

extern "C" int analyze_faces_open(struct analyze_faces **out, const char *dir, char *errstr,
                                  size_t errstr_size)
{
    *out = nullptr;
    struct analyze_faces *fd = nullptr;
    try {
        fd = new analyze_faces();
        std::string d(dir);
        if (analyze_faces_cv_load(fd->face, d + "/" ANALYZE_FACES_FACE, errstr, errstr_size) != 0 ||
            analyze_faces_cv_load(fd->smile, d + "/" ANALYZE_FACES_SMILE, errstr, errstr_size) !=
                0) {
            delete fd;
            return -1;
        }
        int next = 0;
        for (unsigned v = 0; v < 256; v++)
            fd->uniform[v] = analyze_faces_cv_transitions(v) <= 2
                                 ? (unsigned char)next++
                                 : (unsigned char)(ANALYZE_FACES_BINS - 1);
        cv::setNumThreads(1); /* the decoder's threads use the other cores */
    } catch (const std::exception &e) {
        delete fd;
        snprintf(errstr, errstr_size, "%s: cannot load the cascades: %s", dir, e.what());
        return -1;
    }
    *out = fd;
    return 0;
}

/* Uniform LBP histograms of a square grey crop, 4x4 cells. */
static void analyze_faces_cv_describe(const struct analyze_faces *fd, const cv::Mat &crop,
                                      float *desc)
{
    cv::Mat c;
    cv::resize(crop, c, cv::Size(ANALYZE_FACES_CV_CROP, ANALYZE_FACES_CV_CROP), 0, 0,
               cv::INTER_AREA);
    cv::equalizeHist(c, c);
    std::fill(desc, desc + ANALYZE_FACES_DESC, 0.0f);
    const int n = ANALYZE_FACES_CV_CROP, cell = (n - 2) / 4;
    for (int y = 1; y < n - 1; y++) {
        const uint8_t *up = c.ptr<uint8_t>(y - 1), *row = c.ptr<uint8_t>(y),
                      *dn = c.ptr<uint8_t>(y + 1);
        int cy = std::min((y - 1) / cell, 3);
        for (int x = 1; x < n - 1; x++) {
            uint8_t p = row[x];
            unsigned v = (unsigned)(up[x - 1] >= p) | (unsigned)(up[x] >= p) << 1 |
                         (unsigned)(up[x + 1] >= p) << 2 | (unsigned)(row[x + 1] >= p) << 3 |
                         (unsigned)(dn[x + 1] >= p) << 4 | (unsigned)(dn[x] >= p) << 5 |
                         (unsigned)(dn[x - 1] >= p) << 6 | (unsigned)(row[x - 1] >= p) << 7;
            int cx = std::min((x - 1) / cell, 3);
            desc[(cy * 4 + cx) * ANALYZE_FACES_BINS + fd->uniform[v]] += 1.0f;
        }
    }
    for (int k = 0; k < ANALYZE_FACES_CELLS; k++) {
        float s = 0;
        for (int b = 0; b < ANALYZE_FACES_BINS; b++)
            s += desc[k * ANALYZE_FACES_BINS + b];
        if (s > 0)
            for (int b = 0; b < ANALYZE_FACES_BINS; b++)
                desc[k * ANALYZE_FACES_BINS + b] /= s;
    }
}

extern "C" int analyze_faces_detect(struct analyze_faces *fd, const uint8_t *grey, int w, int h,
                                    int stride, struct analyze_faces_hit *out, char *errstr,
                                    size_t errstr_size)
{
    try {
        cv::Mat full(h, w, CV_8UC1, const_cast<uint8_t *>(grey), (size_t)stride);
        double s = h > ANALYZE_FACES_CV_H ? (double)ANALYZE_FACES_CV_H / h : 1.0;
        cv::Mat small;
        if (s < 1.0)
            cv::resize(full, small, cv::Size(std::max(1, (int)lround(w * s)), ANALYZE_FACES_CV_H),
                       0, 0, cv::INTER_AREA);
        else
            small = full.clone();
        cv::equalizeHist(small, small);
        std::vector<cv::Rect> faces;
        fd->face.detectMultiScale(small, faces, ANALYZE_FACES_CV_SCALE, 4, cv::CASCADE_SCALE_IMAGE,
                                  cv::Size(ANALYZE_FACES_CV_MIN, ANALYZE_FACES_CV_MIN));
        std::sort(faces.begin(), faces.end(),
                  [](const cv::Rect &a, const cv::Rect &b) { return a.area() > b.area(); });
        int n = 0;
        for (const cv::Rect &r : faces) {
            if (n == ANALYZE_FACES_MAX)
                break;
            struct analyze_faces_hit *hit = &out[n++];
            hit->x = (float)r.x / (float)small.cols;
            hit->y = (float)r.y / (float)small.rows;
            hit->w = (float)r.width / (float)small.cols;
            hit->h = (float)r.height / (float)small.rows;
            /* smile: the mouth is in the lower half of the box */
            cv::Rect low(r.x, r.y + r.height / 2, r.width, r.height - r.height / 2);
            std::vector<cv::Rect> smiles;
            fd->smile.detectMultiScale(
                small(low), smiles, 1.1, 15, cv::CASCADE_SCALE_IMAGE,
                cv::Size(std::max(8, r.width / 4), std::max(4, r.height / 8)));
            hit->smile = !smiles.empty();
            /* descriptor from the full-resolution crop */
            cv::Rect fr((int)(r.x / s), (int)(r.y / s), (int)(r.width / s), (int)(r.height / s));
            fr &= cv::Rect(0, 0, w, h);
            if (fr.width < 8 || fr.height < 8)
                fr = cv::Rect(0, 0, w, h);
            analyze_faces_cv_describe(fd, full(fr), hit->desc);
        }
        return n;
    } catch (const std::exception &e) {
        snprintf(errstr, errstr_size, "face detection failed: %s", e.what());
        return -1;
    }
}

extern "C" void analyze_faces_close(struct analyze_faces *fd)
{
    delete fd;
}

extern "C" double analyze_faces_distance(const float *a, const float *b)
{
    double d = 0;
    for (int i = 0; i < ANALYZE_FACES_DESC; i++) {
        double s = (double)a[i] + (double)b[i];
        if (s > 0)
            d += ((double)a[i] - (double)b[i]) * ((double)a[i] - (double)b[i]) / s;
    }
    return d / (2.0 * ANALYZE_FACES_CELLS);
}
