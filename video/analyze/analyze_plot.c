/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_plot.c -- draw the affect timeline as SVG. */
#include "analyze_plot.h"
#include "analyze_people.h"
#include "analyze_sound.h"

#include <math.h>
#include <string.h>

#define W 1200.0
#define PL 70.0 /* left margin */
#define PR 30.0
#define TOP 56.0
#define PANEL 150.0 /* height of each panel */
#define GAP 36.0
#define LANES 40.0 /* the sound lane (analyze_sound.c) */
#define H (TOP + 2 * PANEL + GAP + 74.0 + LANES)
#define LANE 40.0 /* the faces lane under the sound lane (with faces on) */

static double analyze_plot_x(const struct analyze_movie *m, double t)
{
    return PL + (W - PL - PR) * (m->duration > 0 ? t / m->duration : 0.0);
}

static void analyze_plot_text_escaped(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '&':
            fputs("&amp;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        default:
            fputc(*s, fp);
            break;
        }
    }
}

static void analyze_plot_clock(char *buf, size_t n, double t, double span)
{
    long s = lround(t);
    if (span < 20.0)
        snprintf(buf, n, "%.1fs", t);
    else if (s >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
}

/* One panel: frame, grid lines, y labels, the curve. */
static void analyze_plot_panel(FILE *fp, const struct analyze_movie *m, double y0, const double *v,
                               double lo, double hi, const char *name, const char *colour)
{
    double x0 = PL, x1 = W - PR;
    fprintf(fp,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
            "stroke=\"#888\"/>\n",
            x0, y0, x1 - x0, PANEL);
    for (int i = 0; i <= 4; i++) {
        double val = lo + (hi - lo) * i / 4.0;
        double y = y0 + PANEL - PANEL * i / 4.0;
        fprintf(fp,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"%s\"/>\n",
                x0, y, x1, y, fabs(val) < 1e-9 && lo < 0 ? "#999" : "#e4e4e4",
                fabs(val) < 1e-9 && lo < 0 ? "1" : "0.8");
        fprintf(fp,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">%.2g</text>\n",
                x0 - 6, y + 4, val);
    }
    fprintf(fp,
            "<text x=\"16\" y=\"%.1f\" font-size=\"14\" fill=\"%s\" font-weight=\"bold\" "
            "transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">%s</text>\n",
            y0 + PANEL / 2, colour, y0 + PANEL / 2, name);
    fprintf(fp,
            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.2\" stroke-linejoin=\"round\" "
            "points=\"",
            colour);
    for (size_t i = 0; i < m->ntl; i++) {
        double t = (double)i + 0.5;
        if (t > m->duration)
            t = m->duration;
        double y = y0 + PANEL - PANEL * (v[i] - lo) / (hi - lo);
        fprintf(fp, "%.1f,%.1f ", analyze_plot_x(m, t), y);
    }
    fputs("\"/>\n", fp);
    /* scene means as flat steps */
    for (size_t s = 0; s < m->nscenes; s++) {
        const struct analyze_scene *sc = &m->scenes[s];
        double val = lo < 0 ? sc->valence : sc->arousal;
        double y = y0 + PANEL - PANEL * (val - lo) / (hi - lo);
        fprintf(fp,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"1.2\" stroke-dasharray=\"5 3\" opacity=\"0.7\"/>\n",
                analyze_plot_x(m, sc->start), y, analyze_plot_x(m, sc->end), y, colour);
    }
}

int analyze_plot_write(FILE *fp, const struct analyze_movie *m, const char *title,
                       const struct av_cut *cut, char *errstr, size_t errstr_size)
{
    double x0 = PL, x1 = W - PR;
    double ya = TOP, yv = TOP + PANEL + GAP, ybot = yv + PANEL;
    double lane = m->people ? LANE : 0.0, hh = H + lane;
    fprintf(fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n",
            W, hh, W, hh);
    fprintf(fp, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fputs("<text x=\"70\" y=\"24\" font-size=\"17\" font-weight=\"bold\">", fp);
    analyze_plot_text_escaped(fp, title);
    fprintf(fp,
            "</text>\n<text x=\"70\" y=\"42\" font-size=\"12\" fill=\"#555\">%.1f s, "
            "%zu scenes, %zu shots%s</text>\n",
            m->duration, m->nscenes, m->nshots, m->has_audio ? "" : ", no audio");
    /* scene bands (alternating shade), chosen scenes on top */
    for (size_t s = 0; s < m->nscenes; s++) {
        const struct analyze_scene *sc = &m->scenes[s];
        double a = analyze_plot_x(m, sc->start), b = analyze_plot_x(m, sc->end);
        if (s % 2)
            fprintf(
                fp,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f3f3f3\"/>\n",
                a, ya, b - a, ybot - ya);
    }
    if (cut) {
        for (size_t i = 0; i < cut->n; i++) {
            double a = analyze_plot_x(m, fmax(0.0, cut->seg[i].start));
            double b = analyze_plot_x(m, fmin(m->duration, cut->seg[i].end));
            if (b <= a)
                continue;
            fprintf(
                fp,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "fill=\"#ffb000\" fill-opacity=\"0.28\" stroke=\"#e69500\" stroke-width=\"1\"/>\n",
                a, ya, b - a, ybot - ya);
        }
    }
    /* scene boundaries and numbers */
    for (size_t s = 0; s < m->nscenes; s++) {
        const struct analyze_scene *sc = &m->scenes[s];
        double a = analyze_plot_x(m, sc->start), b = analyze_plot_x(m, sc->end);
        if (s > 0)
            fprintf(fp,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
                    "stroke-width=\"1\" stroke-dasharray=\"2 2\"/>\n",
                    a, ya, a, ybot);
        if (b - a > 14)
            fprintf(fp,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
                    "fill=\"#555\">%zu</text>\n",
                    (a + b) / 2, ya - 4, s);
        /* the scene's labels: written when there is room, always as a tooltip */
        char labels[160] = "";
        size_t used = 0;
        for (int l = 0; l < sc->nlabels && used < sizeof labels; l++) {
            int w =
                snprintf(labels + used, sizeof labels - used, "%s%s", l ? ", " : "", sc->labels[l]);
            if (w < 0)
                break;
            used += (size_t)w;
        }
        fprintf(fp,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                "pointer-events=\"all\"><title>scene %zu: %.1f-%.1f s, arousal %.2f, valence %.2f; "
                "%s</title></rect>\n",
                a, ya, b - a, ybot - ya, s, sc->start, sc->end, sc->arousal, sc->valence, labels);
        if (labels[0] && b - a > 6.0 * (double)strlen(labels))
            fprintf(fp,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
                    "fill=\"#777\">%s</text>\n",
                    (a + b) / 2, ya + 12, labels);
    }
    analyze_plot_panel(fp, m, ya, m->tl_arousal, 0.0, 1.0, "arousal", "#d62728");
    analyze_plot_panel(fp, m, yv, m->tl_valence, -1.0, 1.0, "valence", "#1f5fbf");
    if (m->people) {
        analyze_people_plot(m->people, m, fp, x0, x1, ybot + 8, lane - 12);
        ybot += lane;
    }
    /* shot cuts as ticks under the valence panel */
    for (size_t i = 0; i < m->ncuts; i++) {
        double x = analyze_plot_x(m, m->cuts[i].t);
        fprintf(fp,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"1\"/>\n",
                x, ybot, x, ybot + 7, m->cuts[i].gradual ? "#2a9d3a" : "#333");
    }
    /* time axis */
    double span = m->duration;
    static const double steps[] = { 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600 };
    double step = steps[sizeof steps / sizeof steps[0] - 1];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span / steps[i] <= 12) {
            step = steps[i];
            break;
        }
    for (double t = 0; t <= span + 1e-9; t += step) {
        char buf[32];
        analyze_plot_clock(buf, sizeof buf, t, span);
        double x = analyze_plot_x(m, t);
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", x,
                ybot + 7, x, ybot + 12);
        fprintf(fp,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">%s</text>\n",
                x, ybot + 26, buf);
    }
    analyze_sound_plot(fp, m, x0, x1, ybot + 36, 12);
    /* legend */
    double ly = hh - 18;
    fprintf(fp,
            "<g font-size=\"12\">"
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" "
            "stroke-width=\"2.2\"/>"
            "<text x=\"%.1f\" y=\"%.1f\">arousal (0..1)</text>"
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#1f5fbf\" "
            "stroke-width=\"2.2\"/>"
            "<text x=\"%.1f\" y=\"%.1f\">valence (-1..1)</text>"
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
            "stroke-dasharray=\"2 2\"/>"
            "<text x=\"%.1f\" y=\"%.1f\">scene boundary</text>"
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>"
            "<text x=\"%.1f\" y=\"%.1f\">cut (green: fade/dissolve)</text>",
            x0, ly - 4, x0 + 24, ly - 4, x0 + 30, ly, x0 + 150, ly - 4, x0 + 174, ly - 4, x0 + 180,
            ly, x0 + 300, ly - 4, x0 + 324, ly - 4, x0 + 330, ly, x0 + 450, ly - 10, x0 + 450,
            ly + 2, x0 + 458, ly);
    if (cut)
        fprintf(fp,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"12\" fill=\"#ffb000\" "
                "fill-opacity=\"0.4\" stroke=\"#e69500\"/><text x=\"%.1f\" y=\"%.1f\">in the "
                "cut</text>",
                x0 + 640, ly - 10, x0 + 668, ly);
    fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">time</text></g>\n",
            x1, ly);
    fputs("</svg>\n", fp);
    if (ferror(fp)) {
        snprintf(errstr, errstr_size, "write error");
        return -1;
    }
    return 0;
}
