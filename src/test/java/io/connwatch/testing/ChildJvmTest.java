package io.connwatch.testing;

import static io.connwatch.testing.TestTimes.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The child-JVM fixture keeps its word: lines in order, a wait that ends with the output, SIGTERM, teardown. */
class ChildJvmTest {
    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    /** Says READY, answers each input line, exits with the code {@code exit N} gives; SIGTERM runs its hook. */
    static final class Echo {
        public static void main(String[] args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook ran")));
            System.err.println("on stderr " + String.join(",", args));
            System.out.println("READY " + System.getProperty("echo.name"));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("exit ")) {
                    System.exit(Integer.parseInt(line.substring(5)));
                }
                System.out.println("ECHO " + line);
            }
        }
    }

    private ChildJvm echo() throws Exception {
        return jvms.start(ChildJvm.main(Echo.class).property("echo.name", "e1").args("a", 2));
    }

    @Test
    void linesAreTakenInOrderAndEachOnlyOnce() throws Exception {
        ChildJvm child = echo();
        assertEquals("READY e1", child.awaitLine("READY .*"));
        child.send("one");
        child.send("two");
        assertEquals("ECHO two", child.awaitLine("ECHO t.*"));
        child.send("three");
        // "ECHO one" came before the line last taken: passed over, not found again.
        assertEquals("ECHO three", child.awaitLine("ECHO .*"));
        child.send("exit 3");
        assertEquals(3, child.awaitExit(ms(30_000)));
        assertEquals(List.of("READY e1", "ECHO one", "ECHO two", "ECHO three", "hook ran"), child.lines());
        assertEquals(List.of("on stderr a,2"), child.errorLines(), "error output kept apart");
    }

    @Test
    void aWaitFailsAsSoonAsTheOutputEnds() throws Exception {
        ChildJvm child = echo();
        child.awaitLine("READY .*");
        child.send("exit 0");
        long t = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> child.awaitLine("never", ms(120_000)));
        assertTrue(System.nanoTime() - t < ms(60_000).toNanos(), "not at the bound: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("the output ended"), e.getMessage());
        assertTrue(e.getMessage().contains("READY e1") && e.getMessage().contains("on stderr"), e.getMessage());
    }

    @Test
    void aWaitFailsAtItsBound() throws Exception {
        ChildJvm child = echo();
        child.awaitLine("READY .*");
        AssertionError e = assertThrows(AssertionError.class, () -> child.awaitLine("never", ms(300)));
        assertTrue(e.getMessage().startsWith("nothing more within"), e.getMessage());
        assertTrue(child.isAlive());
    }

    @Test
    void sigtermRunsTheShutdownHooks() throws Exception {
        ChildJvm child = echo();
        child.awaitLine("READY .*");
        child.sigterm();
        child.awaitLine("hook ran");
        assertEquals(128 + 15, child.awaitExit(ms(30_000)), "ended by SIGTERM");
    }

    @Test
    void childrenLeftRunningAreKilledAfterTheTest() throws Exception {
        ChildJvms own = new ChildJvms();
        own.beforeEach(null);
        ChildJvm child = own.start(ChildJvm.main(Echo.class));
        child.awaitLine("READY .*");
        own.afterEach(null);
        assertFalse(child.isAlive());
    }

    @Test
    void aChildStartedForTheClassOutlivesEachTestAndIsKilledAfterTheClass() throws Exception {
        ChildJvms own = new ChildJvms();
        ChildJvm shared = own.start(ChildJvm.main(Echo.class)); // as in @BeforeAll
        shared.awaitLine("READY .*");
        own.beforeEach(null);
        ChildJvm perTest = own.start(ChildJvm.main(Echo.class));
        perTest.awaitLine("READY .*");
        own.afterEach(null);
        assertFalse(perTest.isAlive(), "the test's child is gone");
        assertTrue(shared.isAlive(), "the class's child serves the next test");
        own.afterAll(null);
        assertFalse(shared.isAlive());
    }

    @Test
    void runReturnsAnEndedChild() throws Exception {
        // No input: the child reads the end of it at once and returns from main.
        ChildJvm child = ChildJvm.main(Echo.class).errorsInOutput().run(ms(60_000));
        assertEquals(0, child.exitCode());
        assertEquals(List.of(), child.errorLines());
        assertTrue(child.output().contains("on stderr") && child.output().contains("READY null"), child.output());
    }

    @Test
    void aToolThatDoesNotFinishInTimeIsKilled() throws Exception {
        long t = System.nanoTime();
        Tools.Result r = Tools.run(ms(300), "sleep", "60");
        assertFalse(r.finished());
        assertFalse(r.ok());
        assertTrue(System.nanoTime() - t < ms(30_000).toNanos(), "not left to run");
        assertThrows(AssertionError.class, r::assertFinished);
        assertEquals(0, Tools.jdk("java", ms(60_000), "-version").assertOk().exitCode());
    }
}
