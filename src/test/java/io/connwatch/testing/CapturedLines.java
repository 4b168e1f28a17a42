package io.connwatch.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The lines of a child process's stream, read as they come by a daemon thread of their own, so that a child never
 * blocks on a full pipe and a test can wait for a line with a bound. Lines are taken in order: a wait returns the first
 * matching line after the ones already taken.
 */
final class CapturedLines {
    private final List<String> lines = new ArrayList<>();
    private boolean ended;
    private int taken;

    CapturedLines(InputStream in, String threadName) {
        Thread reader = new Thread(() -> read(in), threadName);
        reader.setDaemon(true);
        reader.start();
    }

    private void read(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                add(line);
            }
        } catch (IOException gone) {
            // the process ended, or its stream was closed: the end below says so
        } finally {
            end();
        }
    }

    private synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    private synchronized void end() {
        ended = true;
        notifyAll();
    }

    /**
     * The first line after those already taken that matches {@code regex} as a whole, taking it and the lines before
     * it; {@code null} when none came within {@code atMost} or the stream ended without one.
     */
    synchronized String take(Pattern regex, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            while (taken < lines.size()) {
                String line = lines.get(taken++);
                if (regex.matcher(line).matches()) {
                    return line;
                }
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                return null;
            }
            waitNanos(left);
        }
    }

    /** Whether the stream ended within {@code atMost}: then every line is here. */
    synchronized boolean awaitEnd(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            waitNanos(left);
        }
        return true;
    }

    private void waitNanos(long nanos) throws InterruptedException {
        wait(Math.max(1, nanos / 1_000_000), 0);
    }

    synchronized boolean ended() {
        return ended;
    }

    /** Every line so far. */
    synchronized List<String> all() {
        return List.copyOf(lines);
    }

    /** Every line so far, each ended by a newline. */
    synchronized String text() {
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            b.append(line).append('\n');
        }
        return b.toString();
    }

    /** The last {@code n} lines, for a failure message. */
    synchronized String tail(int n) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
