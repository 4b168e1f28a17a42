package io.connwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The option string {@code attach} sends into another JVM: checked with the agent's rules before it leaves, its
 * relative paths made absolute against the directory the command was typed in (the target would resolve them against
 * its own), the refusal one line without the agent's "the application runs without connwatch".
 */
class AgentArgumentTest {
    @TempDir
    Path tmp;

    @Test
    void relativePathsAreResolvedWhereTheCommandRunsAndTheRestIsKept() throws Exception {
        Path config = Files.writeString(tmp.resolve("edge.properties"), "threshold=9\n");
        AgentArgument a = AgentArgument.check(" name=edge , dumpDir=dumps,interval=1s,config=edge.properties", tmp);
        assertEquals("name=edge,dumpDir=" + tmp.resolve("dumps") + ",interval=1s,config=" + config, a.text());
        assertEquals("edge", a.monitorName());
        assertEquals(a.text(), AgentArgument.check(a.text(), Path.of("/elsewhere")).text(), "absolute paths stay");
    }

    @Test
    void noOptionsAreEveryDefault() throws Exception {
        AgentArgument a = AgentArgument.check(null, tmp);
        assertNull(a.text());
        assertEquals(AgentOptions.DEFAULT_NAME, a.monitorName());
        assertNull(AgentArgument.check("  ", tmp).text());
    }

    @Test
    void theNameComesFromTheConfigFileWhenOnlyItGivesOne() throws IOException, AgentArgument.BadOption {
        Files.writeString(tmp.resolve("c.properties"), "name=from-file\n");
        assertEquals("from-file", AgentArgument.check("config=c.properties", tmp).monitorName());
    }

    @Test
    void aBadOptionIsTheAgentsLineWithoutWhatOnlyTheAgentSays() {
        AgentArgument.BadOption bad = assertThrows(AgentArgument.BadOption.class,
                () -> AgentArgument.check("name=late,interval=5x", tmp));
        assertEquals("option 'interval=5x' is not a duration: write a whole number and a unit, like 500ms, 30s, 5m"
                + " or 4h", bad.getMessage());
        bad = assertThrows(AgentArgument.BadOption.class, () -> AgentArgument.check("config=missing.properties", tmp));
        assertEquals("option 'config=" + tmp.resolve("missing.properties") + "' does not exist", bad.getMessage());
    }
}
