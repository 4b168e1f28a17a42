package io.connwatch.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line tool to its end, within a bound: the JDK's own ({@code keytool}, {@code jcmd}, {@code jfr}, from
 * the {@code java.home} of the JVM under test) or the system's ({@code mount}, a browser). Its input is closed, its
 * output and error output are read as they come, and a tool that does not finish in time is killed.
 */
public final class Tools {
    private static final Duration DRAIN = Duration.ofSeconds(10);

    private Tools() {
    }

    /** What a tool did. {@code exitCode} means something only when it {@code finished} in time. */
    public record Result(String command, boolean finished, int exitCode, String stdout, String stderr) {
        /** All it said: its output, then its error output. */
        public String output() {
            return stdout + stderr;
        }

        /** Finished in time with exit code 0. */
        public boolean ok() {
            return finished && exitCode == 0;
        }

        /** This result; fails when the tool did not finish in time. */
        public Result assertFinished() {
            if (!finished) {
                throw new AssertionError(command + " did not finish:\n" + output());
            }
            return this;
        }

        /** This result; fails unless the tool finished in time with exit code 0. */
        public Result assertOk() {
            assertFinished();
            if (exitCode != 0) {
                throw new AssertionError(command + " exited with " + exitCode + ":\n" + output());
            }
            return this;
        }
    }

    /** The JDK tool {@code name} of the JVM running the tests. */
    public static Path jdkTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name);
    }

    /** Runs the JDK tool {@code name} with {@code args}. */
    public static Result jdk(String name, Duration atMost, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(jdkTool(name).toString());
        command.addAll(List.of(args));
        return run(atMost, command);
    }

    /** Runs {@code command}. */
    public static Result run(Duration atMost, String... command) throws IOException, InterruptedException {
        return run(atMost, List.of(command));
    }

    /** Runs {@code command}. */
    public static Result run(Duration atMost, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        CapturedLines out = new CapturedLines(p.getInputStream(), "tool-out-" + p.pid());
        CapturedLines err = new CapturedLines(p.getErrorStream(), "tool-err-" + p.pid());
        String line = String.join(" ", command);
        try {
            if (!p.waitFor(atMost.toNanos(), TimeUnit.NANOSECONDS)) {
                return new Result(line + " (killed after " + atMost + ")", false, -1, out.text(), err.text());
            }
            out.awaitEnd(DRAIN);
            err.awaitEnd(DRAIN);
            return new Result(line, true, p.exitValue(), out.text(), err.text());
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(DRAIN.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }
}
