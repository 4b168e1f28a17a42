package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.agent.AgentArgument;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code attach} refuses in process, before any attach, what can be told without the target: a pid that cannot be
 * one, a bad agent option, a command that does not run from the connwatch jar (the tests run from classes). Its help
 * shows the three ways to watch a JVM, the agent's options and the JDK's warning.
 */
class AttachCommandTest {
    private static final String OWN = String.valueOf(ProcessHandle.current().pid());
    /** A pid the refusals come before: the process is never looked at. */
    private static final String ANY = "999999999";

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abc|name=late|PID 'abc' is not a process id",
        "OWN|name=late|is this connwatch command itself",
        "ANY|name=late,interval=5x|option 'interval=5x' is not a duration: write a whole number and a unit, like 500ms,"
                + " 30s, 5m or 4h; nothing was attached",
        "ANY|treshold=5|unknown option 'treshold': the options are name, threshold,",
        "ANY|name=|option 'name' has no value: write name=VALUE; nothing was attached",
        "ANY|name=late|attach loads the connwatch jar it runs from, but runs from ",
    })
    void isOneLineAndExit2(String pid, String options, String expected) {
        String[] r = run("attach", "OWN".equals(pid) ? OWN : "ANY".equals(pid) ? ANY : pid, options);
        assertEquals("2", r[0], r[2]);
        assertEquals("", r[1]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].startsWith("connwatch: ") && r[2].contains(expected), r[2]);
    }

    @Test
    void notRunFromTheJarSaysHowToRunIt() {
        String[] r = run("attach", ANY);
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("classes, not a jar: run it as java -jar connwatch.jar attach PID [OPTIONS]"), r[2]);
    }

    @Test
    void helpShowsTheThreeWaysEveryOptionAndTheJdkWarning() {
        String[] r = run("attach", "--help");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].lines().allMatch(l -> l.length() <= 80), r[1]);
        String help = r[1].replaceAll("\\s+", " ");
        assertTrue(help.contains("java -javaagent:connwatch.jar=name=edge"), help);
        assertTrue(help.contains("java -jar connwatch.jar attach PID name=edge"), help);
        assertTrue(help.contains("java -jar connwatch.jar status PID"), help);
        assertTrue(help.contains("java -jar connwatch.jar capture PID --name edge"), help);
        assertTrue(help.contains(String.join(", ", AgentArgument.keys())), help);
        assertTrue(help.contains("JDK 21 and later print a warning on the target's stderr"), help);
        assertTrue(help.contains("-XX:+EnableDynamicAgentLoading"), help);
        assertTrue(run("--help")[1].contains("attach"), "listed among the commands");
    }

    @ParameterizedTest
    @CsvSource({"1.8,8", "11,11", "17,17", "25,25", "21.0.1,21", "x,0", "'',0"})
    void releaseOfASpecificationVersion(String spec, int release) {
        assertEquals(release, AttachCommand.release(spec));
    }
}
