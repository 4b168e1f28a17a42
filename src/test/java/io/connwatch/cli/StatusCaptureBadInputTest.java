package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code status} and {@code capture} refuse, in process and before any attach, what cannot be a pid of another JVM:
 * exit 2, one line on stderr saying why, nothing on stdout.
 */
class StatusCaptureBadInputTest {
    private static final String OWN = String.valueOf(ProcessHandle.current().pid());

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "status|abc|PID 'abc' is not a process id",
        "capture|12a|PID '12a' is not a process id",
        "status|0|PID '0' is not a process id: it must be a positive number",
        "status|OWN|is this connwatch command itself",
        "capture|OWN|is this connwatch command itself",
    })
    void isOneLineAndExit2(String command, String pid, String expected) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {command, "OWN".equals(pid) ? OWN : pid}, new PrintWriter(out, true),
                new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        assertEquals("", out.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("connwatch: ") && err.toString().contains(expected), err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|is empty: a monitor needs a name",
    })
    void captureRefusesABadNameBeforeAttaching(String name, String expected) {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"capture", OWN, "--name", name}, new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("'--name'") && err.toString().contains(expected), err.toString());
    }
}
