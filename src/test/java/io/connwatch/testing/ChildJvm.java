package io.connwatch.testing;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM of its own, started the way a user starts one: {@code java} from the {@code java.home} of the JVM under test,
 * then either a main class on the test class path ({@link #main}) or the built executable ({@link #jar}, the
 * {@code connwatch.jar} property the integration tests get). Its output and error output are read into lines as they
 * come, so a test waits for a line with a bound, talks to it on its input, stops it with SIGTERM and reads its exit
 * code. Closing it kills it if it still runs; {@link ChildJvms} closes every child it started after each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ChildJvms jvms = new ChildJvms();
 *
 * ChildJvm proxy = jvms.start(ChildJvm.jar().args("proxy", "--listen", "127.0.0.1:0", "--target", target));
 * String listening = proxy.awaitLine("listening on .*");
 * proxy.sigterm();
 * assertEquals(0, proxy.awaitExit(TestTimes.atMost(30_000)));
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {
    /** How long {@link #awaitLine(String)} waits. */
    public static final Duration LINE_WAIT = TestTimes.atMost(30_000);
    private static final Duration DRAIN = TestTimes.atMost(10_000);
    private static final int TAIL = 40;

    private final String commandLine;
    private final Process process;
    private final CapturedLines out;
    private final CapturedLines err;
    private final Writer in;

    private ChildJvm(List<String> command, Process process, boolean errorsInOutput) {
        this.commandLine = String.join(" ", command);
        this.process = process;
        this.out = new CapturedLines(process.getInputStream(), "child-out-" + process.pid());
        this.err = errorsInOutput ? null : new CapturedLines(process.getErrorStream(), "child-err-" + process.pid());
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** {@code java -cp <the test class path> mainClass}. */
    public static Command main(Class<?> mainClass) {
        return main(mainClass, System.getProperty("java.class.path"));
    }

    /**
     * {@code java -cp classPath mainClass}: a narrower class path, for a child that must get connwatch's classes from
     * elsewhere (the agent jar) or not at all.
     */
    public static Command main(Class<?> mainClass, String classPath) {
        return new Command(List.of("-cp", classPath, mainClass.getName()))
                .property("connwatch.test.timeScale", System.getProperty("connwatch.test.timeScale", "1"));
    }

    /** {@code java -jar connwatch.jar}: the executable the build made, as the integration tests are given it. */
    public static Command jar() {
        String jar = System.getProperty("connwatch.jar");
        if (jar == null) {
            throw new IllegalStateException("no connwatch.jar property: the jar is given to integration tests (*IT)");
        }
        return new Command(List.of("-jar", jar));
    }

    /** What to start: JVM options, system properties, the program's arguments. */
    public static final class Command {
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> program;
        private final List<String> args = new ArrayList<>();
        private Path java = Tools.jdkTool("java");
        private boolean errorsInOutput;

        private Command(List<String> program) {
            this.program = program;
        }

        /** Another JDK's {@code java} than the one under test: {@code javaHome/bin/java}. */
        public Command javaHome(Path javaHome) {
            java = javaHome.resolve("bin").resolve("java");
            return this;
        }

        /** JVM options, before the class path or jar: {@code -Xmx256m}, {@code --limit-modules java.se}. */
        public Command jvm(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** {@code -Dname=value}. */
        public Command property(String name, Object value) {
            jvmOptions.add("-D" + name + "=" + value);
            return this;
        }

        /** The program's arguments, each as {@link String#valueOf}. */
        public Command args(Object... values) {
            for (Object v : values) {
                args.add(String.valueOf(v));
            }
            return this;
        }

        /** The program's arguments. */
        public Command args(List<String> values) {
            args.addAll(values);
            return this;
        }

        /** Error output read with the output, in one stream of lines, as a terminal shows them. */
        public Command errorsInOutput() {
            errorsInOutput = true;
            return this;
        }

        /** The whole command line. */
        public List<String> commandLine() {
            List<String> cmd = new ArrayList<>();
            cmd.add(java.toString());
            cmd.addAll(jvmOptions);
            cmd.addAll(program);
            cmd.addAll(args);
            return cmd;
        }

        /**
         * Starts it. The environment's {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} are left out: the child
         * runs with the command line the test wrote, nothing added, nothing announced on its error output.
         */
        public ChildJvm start() throws IOException {
            List<String> cmd = commandLine();
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(errorsInOutput);
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            return new ChildJvm(cmd, pb.start(), errorsInOutput);
        }

        /**
         * Starts it, its input closed (nothing will be written to it), and waits for its end within {@code atMost};
         * the child is dead when this returns, its output all there.
         */
        public ChildJvm run(Duration atMost) throws IOException, InterruptedException {
            try (ChildJvm child = start()) {
                child.in.close();
                child.awaitExit(atMost);
                return child;
            }
        }
    }

    /** The child's process id, for {@code jcmd} or an attach. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** {@link #awaitLine(String, Duration)} within {@link #LINE_WAIT}. */
    public String awaitLine(String regex) {
        return awaitLine(regex, LINE_WAIT);
    }

    /**
     * The next output line that matches {@code regex} as a whole, lines before it passed over: each line is seen by
     * one wait only, so asking twice for the same kind of line gets a newer one. Fails, with the output, when none
     * comes within {@code atMost} or the output ends first.
     */
    public String awaitLine(String regex, Duration atMost) {
        return take(Pattern.compile(regex), atMost);
    }

    /** {@link #awaitLine(String)}, matched: its groups are there to read. */
    public Matcher awaitMatch(String regex) {
        Pattern p = Pattern.compile(regex);
        Matcher m = p.matcher(take(p, LINE_WAIT));
        m.matches();
        return m;
    }

    private String take(Pattern regex, Duration atMost) {
        try {
            String line = out.take(regex, atMost);
            if (line == null) {
                throw new AssertionError((out.ended() ? "the output ended" : "nothing more within " + atMost)
                        + " before a line matching " + regex + report());
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + regex, e);
        }
    }

    /** Writes {@code line} to the child's input. */
    public void send(String line) {
        try {
            in.write(line + "\n");
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("child " + pid() + " is gone" + report(), e);
        }
    }

    /**
     * SIGTERM, as an init system or {@code kill} sends it: the child's shutdown hooks run. (Process.destroy would also
     * close this side of the child's streams, losing its last lines.)
     */
    public void sigterm() {
        if (!process.toHandle().destroy()) {
            throw new AssertionError("SIGTERM could not be sent to " + pid() + report());
        }
    }

    /**
     * Waits for the child's end and for the last of its output; its exit code. Fails when it is still running after
     * {@code atMost}.
     */
    public int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("still running after " + atMost + report());
        }
        out.awaitEnd(DRAIN);
        if (err != null) {
            err.awaitEnd(DRAIN);
        }
        return process.exitValue();
    }

    /** The exit code of a child that has ended. */
    public int exitCode() {
        return process.exitValue();
    }

    /** Its output lines so far (with the error output, if it goes there). */
    public List<String> lines() {
        return out.all();
    }

    /** Its output so far, each line ended by a newline. */
    public String output() {
        return out.text();
    }

    /** Its error output lines so far; none when they go with the output. */
    public List<String> errorLines() {
        return err == null ? List.of() : err.all();
    }

    /** Its error output so far, each line ended by a newline. */
    public String errorOutput() {
        return err == null ? "" : err.text();
    }

    /** The command line and the last lines of output and error output, for a failure message. */
    public String report() {
        return "\n--- " + commandLine + "\n--- output (tail) ---\n" + out.tail(TAIL)
                + (err == null ? "" : "\n--- error output (tail) ---\n" + err.tail(TAIL));
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
