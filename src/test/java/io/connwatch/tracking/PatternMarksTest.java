package io.connwatch.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.FakeEndpoint;
import io.connwatch.analysis.Pattern;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Pattern sets are written through the tracker's marks, not through a setter on every connection. */
class PatternMarksTest {
    @Test
    void aConnectionHasNoPublicSetterForItsPatterns() {
        for (Method m : TrackedConnection.class.getMethods()) {
            if (m.getName().equals("patternBits")) {
                assertEquals(0, m.getParameterCount(), "only the getter is public: " + m);
            }
        }
        assertTrue(Arrays.stream(TrackedConnection.class.getDeclaredMethods())
                .anyMatch(m -> m.getName().equals("patternBits") && m.getParameterCount() == 1
                        && !Modifier.isPublic(m.getModifiers())));
    }

    @Test
    void marksAreStoredOnTheirOwnTrackersConnectionsOnly() {
        ConnectionTracker edge = new ConnectionTracker("edge");
        ConnectionTracker other = new ConnectionTracker("other");
        TrackedConnection c = edge.open(new FakeEndpoint(), "203.0.113.7", 51544, 8443);
        edge.patternMarks().set(c, Pattern.STUCK.bit());
        assertEquals(Pattern.STUCK.bit(), c.patternBits());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.patternMarks().set(c, Pattern.ZOMBIE.bit()));
        assertTrue(e.getMessage().contains("'edge'") && e.getMessage().contains("'other'"), e.getMessage());
        assertEquals(Pattern.STUCK.bit(), c.patternBits(), "a refused mark changes nothing");
    }
}
