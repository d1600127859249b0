package dev.jtorch.cli;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The PNG that {@code jtorch finetune} writes beside its checkpoint: training loss and accuracy
 * per step (raw and smoothed) and validation loss and accuracy per epoch, against the epoch,
 * in two panels. Drawn with {@code java.awt} on a {@link BufferedImage}: no display needed.
 */
final class TrainingChart {
    private static final int W = 1100, H = 440;
    private static final Color TRAIN_RAW = new Color(0x9ecae1), TRAIN = new Color(0x1f77b4), VAL = new Color(0xff7f0e);

    /** One line to draw: x/y points, a colour, a width, whether each point gets a marker. */
    record Series(String name, double[] x, double[] y, Color color, float width, boolean markers) {}

    /** What was measured during training. */
    static final class History {
        final List<double[]> steps = new ArrayList<>();   // {epoch position, loss, accuracy}
        final List<double[]> epochs = new ArrayList<>();  // {epoch, val loss, val accuracy}

        void step(double position, double loss, double accuracy) { steps.add(new double[]{position, loss, accuracy}); }

        void epoch(int epoch, double valLoss, double valAccuracy) { epochs.add(new double[]{epoch, valLoss, valAccuracy}); }

        double[] column(List<double[]> rows, int c) {
            double[] out = new double[rows.size()];
            for (int i = 0; i < out.length; i++) out[i] = rows.get(i)[c];
            return out;
        }
    }

    private TrainingChart() {}

    /** Draws {@code history} with {@code title} into {@code png} (written whole, then renamed into place). */
    static void write(History history, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            FontMetrics fm = g.getFontMetrics();
            g.drawString(title, (W - fm.stringWidth(title)) / 2, 24);

            double[] x = history.column(history.steps, 0);
            double[] loss = history.column(history.steps, 1), acc = history.column(history.steps, 2);
            double[] ex = history.column(history.epochs, 0);
            double[] vloss = history.column(history.epochs, 1), vacc = history.column(history.epochs, 2);
            for (int i = 0; i < acc.length; i++) acc[i] *= 100;
            for (int i = 0; i < vacc.length; i++) vacc[i] *= 100;
            int window = Math.max(1, x.length / 25);
            panel(g, 70, 75, W / 2 - 100, H - 130, "loss", List.of(
                    new Series("train, per batch", x, loss, TRAIN_RAW, 1f, false),
                    new Series("train", x, smooth(loss, window), TRAIN, 2f, false),
                    new Series("validation", ex, vloss, VAL, 2f, true)), false);
            panel(g, W / 2 + 60, 75, W / 2 - 100, H - 130, "accuracy (%)", List.of(
                    new Series("train", x, smooth(acc, window), TRAIN, 2f, false),
                    new Series("validation", ex, vacc, VAL, 2f, true)), true);
        } finally {
            g.dispose();
        }
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer in this JDK");
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A trailing moving average over {@code window} points. */
    static double[] smooth(double[] y, int window) {
        double[] out = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= window) sum -= y[i - window];
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }

    private static void panel(Graphics2D g, int px, int py, int pw, int ph, String yLabel, List<Series> series, boolean percent) {
        double xmin = 0, xmax = 1, ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : s.x) xmax = Math.max(xmax, v);
            for (double v : s.y) {
                if (!Double.isFinite(v)) continue;
                ymin = Math.min(ymin, v);
                ymax = Math.max(ymax, v);
            }
        }
        if (ymin > ymax) { ymin = 0; ymax = 1; }
        if (!percent) ymin = 0;
        if (ymax - ymin < 1e-9) ymax = ymin + 1;
        double ystep = niceStep((ymax - ymin) / 5);
        ymin = Math.floor(ymin / ystep) * ystep;
        ymax = Math.ceil(ymax / ystep) * ystep;
        if (percent) { ymin = Math.max(0, ymin); ymax = Math.min(100, ymax); }
        double xstep = niceStep(xmax / 8);
        if (xstep < 1 && xmax >= 1) xstep = xmax <= 4 ? 0.5 : 1;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double v = ymin; v <= ymax + 1e-9; v += ystep) {
            int yy = py + ph - (int) Math.round((v - ymin) / (ymax - ymin) * ph);
            g.setColor(new Color(0xe8e8e8));
            g.drawLine(px, yy, px + pw, yy);
            g.setColor(Color.DARK_GRAY);
            String t = label(v, ystep);
            g.drawString(t, px - 6 - fm.stringWidth(t), yy + 4);
        }
        for (double v = 0; v <= xmax + 1e-9; v += xstep) {
            int xx = px + (int) Math.round((v - xmin) / (xmax - xmin) * pw);
            g.setColor(new Color(0xe8e8e8));
            g.drawLine(xx, py, xx, py + ph);
            g.setColor(Color.DARK_GRAY);
            String t = label(v, xstep);
            g.drawString(t, xx - fm.stringWidth(t) / 2, py + ph + 16);
        }
        g.setColor(Color.BLACK);
        g.drawRect(px, py, pw, ph);
        g.drawString("epoch", px + pw / 2 - fm.stringWidth("epoch") / 2, py + ph + 34);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(yLabel, px, py - 26);

        var clip = g.getClip();
        g.clipRect(px, py - 4, pw + 1, ph + 8);
        for (Series s : series) {
            g.setColor(s.color);
            g.setStroke(new BasicStroke(s.width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D path = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < s.x.length; i++) {
                if (!Double.isFinite(s.y[i])) continue;
                double xx = px + (s.x[i] - xmin) / (xmax - xmin) * pw, yy = py + ph - (s.y[i] - ymin) / (ymax - ymin) * ph;
                if (started) path.lineTo(xx, yy);
                else path.moveTo(xx, yy);
                started = true;
                if (s.markers) g.fillOval((int) xx - 4, (int) yy - 4, 9, 9);
            }
            g.draw(path);
        }
        g.setClip(clip);
        g.setStroke(new BasicStroke(1f));

        // The legend sits in a row above the plot, so it never hides a curve.
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        int lx = px + pw;
        for (int i = series.size() - 1; i >= 0; i--) {
            Series s = series.get(i);
            String last = s.y.length == 0 ? "" : " " + String.format(Locale.ROOT, percent ? "%.1f" : "%.3f", s.y[s.y.length - 1]);
            String text = s.name + last;
            lx -= fm.stringWidth(text) + 30;
            g.setColor(s.color);
            g.setStroke(new BasicStroke(3f));
            g.drawLine(lx, py - 12, lx + 18, py - 12);
            g.setColor(Color.BLACK);
            g.drawString(text, lx + 23, py - 8);
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static double niceStep(double raw) {
        if (raw <= 0 || !Double.isFinite(raw)) return 1;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    }

    private static String label(double v, double step) {
        int decimals = step >= 1 ? 0 : (int) Math.min(4, Math.ceil(-Math.log10(step)));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
