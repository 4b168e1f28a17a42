package io.connwatch.cli;

import static io.connwatch.testing.TestTimes.atMost;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.demo.TestBackend;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status PID} and {@code capture PID} run from {@code java -jar connwatch.jar} against real JVMs on this host:
 * a running {@code proxy} with two connections held open, a JVM without connwatch, a process that is no JVM, a pid
 * that no longer runs. One proxy and one plain JVM for the whole class.
 */
class StatusCaptureIT {
    private static final Duration RUN = atMost(30_000);

    @TempDir
    static Path tmp;

    private static TestBackend backend;
    private static ChildJvm proxy;
    private static ChildJvm plain;
    private static final List<Socket> CLIENTS = new ArrayList<>();

    @BeforeAll
    static void startTargets() throws Exception {
        backend = new TestBackend(TestBackend.Behaviour.HANG);
        // Started for the whole class and killed after it.
        proxy = ChildJvm.jar().args("proxy", "--listen", "127.0.0.1:0", "--target",
                "127.0.0.1:" + backend.address().getPort(), "--name", "edge", "--dump-dir", tmp.resolve("dumps")).start();
        plain = ChildJvm.main(SleepingMain.class).start();
        Matcher listening = proxy.awaitMatch("listening on 127\\.0\\.0\\.1:(\\d+),.*");
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(listening.group(1)));
        for (int i = 0; i < 2; i++) {
            Socket s = Sockets.connect(address);
            CLIENTS.add(s);
            Sockets.send(s, Sockets.REQUEST);
        }
        plain.awaitLine("ready");
    }

    @AfterAll
    static void stopTargets() throws IOException, InterruptedException {
        if (proxy != null) {
            proxy.close();
        }
        if (plain != null) {
            plain.close();
        }
        for (Socket s : CLIENTS) {
            s.close();
        }
        backend.close();
    }

    /** {@code java -jar connwatch.jar ARGS}, run to its end. */
    private static ChildJvm connwatch(Object... args) throws Exception {
        return ChildJvm.jar().args(args).run(RUN);
    }

    /** Exit 2, nothing on stdout, exactly one line on stderr containing {@code expected}. */
    private static String assertBadInput(ChildJvm run, String expected) {
        String err = run.errorOutput();
        assertEquals(2, run.exitCode(), run.report());
        assertEquals(1, err.strip().lines().count(), err);
        assertEquals("", run.output(), run.report());
        assertTrue(err.contains(expected), err + " should say " + expected);
        return err;
    }

    @Test
    void statusShowsTheMonitorOfARunningProxyWithItsOpenConnections() {
        await().atMost(RUN).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ChildJvm status = connwatch("status", proxy.pid());
            assertEquals(0, status.exitCode(), status.report());
            String out = status.output();
            assertTrue(out.startsWith("monitor 'edge'\n"), out);
            assertTrue(out.matches("(?s).*\\n  running +yes\\n.*"), out);
            assertTrue(out.matches("(?s).*\\n  active +2\\n.*"), out);
            assertTrue(out.matches("(?s).*\\n  opened +2\\n.*"), out);
            assertTrue(out.matches("(?s).*\\n  STUCK +\\d+\\n.*"), out);
            assertTrue(out.matches("(?s).*\\n  captures +\\d+ written, 0 failed\\n.*"), out);
        });
    }

    @Test
    void captureWritesADumpInTheTargetAndPrintsItsPath() throws Exception {
        ChildJvm capture = connwatch("capture", proxy.pid());
        assertEquals(0, capture.exitCode(), capture.report());
        assertEquals(1, capture.lines().size(), capture.report());
        Path dump = Path.of(capture.lines().get(0));
        assertTrue(Files.isRegularFile(dump), dump.toString());
        assertTrue(dump.startsWith(tmp.resolve("dumps")), dump.toString());
        assertEquals("connwatch.diagnostics/1", new ObjectMapper().readTree(dump.toFile()).path("format").asText());

        ChildJvm status = connwatch("status", proxy.pid());
        assertEquals(0, status.exitCode(), status.report());
        assertTrue(status.output().contains(dump + " (force_capture, "), status.output());
    }

    @Test
    void captureWithANameTheJvmDoesNotRunNamesTheMonitorsItDoes() throws Exception {
        assertBadInput(connwatch("capture", proxy.pid(), "--name", "nope"), "no connwatch monitor named 'nope': its"
                + " monitors are 'edge'");
    }

    @Test
    void aJvmWithoutConnwatchIsBadInputThatSaysHowToAddIt() throws Exception {
        String err = assertBadInput(connwatch("status", plain.pid()), "process " + plain.pid()
                + " has no connwatch monitor");
        assertTrue(err.contains("-javaagent:connwatch.jar") && err.contains("connwatch attach " + plain.pid()), err);
        assertBadInput(connwatch("capture", plain.pid()), "has no connwatch monitor");
    }

    @Test
    void aProcessThatIsNoJvmIsRefusedAndLeftRunning() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            assertBadInput(connwatch("status", sleep.pid()), "process " + sleep.pid());
            assertTrue(sleep.isAlive(), "the attach's SIGQUIT would have ended it");
            String err = connwatch("capture", sleep.pid()).errorOutput();
            assertTrue(err.contains("is not a Java virtual machine"), err);
            assertTrue(sleep.isAlive(), "the attach's SIGQUIT would have ended it");
        } finally {
            sleep.destroyForcibly();
            sleep.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPidThatDoesNotRunOrIsNoNumberIsBadInput() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        assertTrue(ended.waitFor(10, TimeUnit.SECONDS));
        assertBadInput(connwatch("status", ended.pid()), "no process with PID " + ended.pid() + " is running");
        assertBadInput(connwatch("capture", "edge"), "PID 'edge' is not a process id");
    }
}
